// Runs in the browser after the React, ReactDOM and GraphiQL UMD bundles; reads its settings from the page.
const settings = JSON.parse(document.getElementById('graphiql-settings').textContent);
const fetchFromApi = GraphiQL.createFetcher({ url: settings.endpoint });

function operationNamesIn(query) {
  const withoutComments = query.replace(/#.*$/gm, '');
  return [...withoutComments.matchAll(/\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/g)].map(
    (match) => match[1],
  );
}

// GraphiQL 3 can send the operation name of the tab run before when a tab is run right after switching
// to it; the server would answer "Unknown operation named ...". A name the document lacks is dropped.
function fetcher(params, options) {
  const known = params.operationName == null || operationNamesIn(params.query).includes(params.operationName);
  return fetchFromApi(known ? params : { ...params, operationName: undefined }, options);
}

// GraphiQL 3 opens the first of `defaultTabs` with its query but takes the variables and headers
// editors' first contents from storage only, so on a fresh profile the first Run would go without
// them. Until GraphiQL has stored its own tabs, the first tab's variables and headers are put there.
const storage = window.sessionStorage;
if (storage.getItem('graphiql:tabState') === null && settings.tabs.length > 0) {
  storage.setItem('graphiql:variables', settings.tabs[0].variables ?? '');
  storage.setItem('graphiql:headers', settings.tabs[0].headers ?? '');
}

ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultTabs: settings.tabs,
    defaultEditorToolsVisibility: 'headers',
    // The docs pane's first page: GraphiQL's introspection asks for the schema's description only when told to.
    schemaDescription: true,
    // Per browser tab: a new tab starts from the examples and this server's fresh development tokens.
    storage,
    shouldPersistHeaders: true,
  }),
);
