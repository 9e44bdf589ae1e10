import type { GraphiQLTab } from './example-tabs.ts';

/** A lock as an inline SVG icon: the page asks this server for no /favicon.ico (the CSP allows data: images). */
const FAVICON = `data:image/svg+xml,${encodeURIComponent(
  "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'><rect x='2' y='7' width='12' height='8' rx='1' fill='#e10098'/><path d='M5 7V5a3 3 0 0 1 6 0v2' stroke='#e10098' stroke-width='2' fill='none'/></svg>",
)}`;

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
    <link rel="icon" href="${FAVICON}" />
    <link rel="stylesheet" href="${assetsPath}/graphiql.min.css" />
    <style>
      body { margin: 0; height: 100vh; overflow: hidden; }
      #graphiql { height: 100vh; }
      /* Every example tab stays in sight: the tab row wraps instead of scrolling under the logo. */
      .graphiql-container .graphiql-session-header { height: auto; min-height: var(--session-header-height); align-items: flex-start; }
      .graphiql-container .graphiql-tabs { flex-wrap: wrap; row-gap: var(--px-8); overflow: visible; }
      .graphiql-container .graphiql-tabs > :not(:first-child) { margin-left: 0; }
      .graphiql-container .graphiql-tabs { column-gap: var(--px-8); }
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
