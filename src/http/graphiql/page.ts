import type { GraphiQLTab } from './example-tabs.ts';

export interface PageSettings {
  assetsPath: string;
  endpoint: string;
  tabs: GraphiQLTab[];
}

/** The GraphiQL HTML page: local scripts only, settings passed as inert JSON (no inline script). */
export function renderGraphiQLPage({ assetsPath, endpoint, tabs }: PageSettings): string {
  // `<` escaped so no value can close the script element.
  const settings = JSON.stringify({ endpoint, tabs }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>transitql · GraphiQL</title>
    <link rel="stylesheet" href="${assetsPath}/graphiql.min.css" />
    <style>
      body { margin: 0; height: 100vh; overflow: hidden; }
      #graphiql { height: 100vh; }
    </style>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <script type="application/json" id="graphiql-settings">${settings}</script>
    <script src="${assetsPath}/react.production.min.js"></script>
    <script src="${assetsPath}/react-dom.production.min.js"></script>
    <script src="${assetsPath}/graphiql.min.js"></script>
    <script src="${assetsPath}/start-graphiql.js"></script>
  </body>
</html>
`;
}
