import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type TestApi, useApiPerTest } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';

const PRODUCTION = { NODE_ENV: 'production', AUTH_JWT_SECRET: randomBytes(48).toString('base64') };

async function getPage(api: TestApi): Promise<Response> {
  return fetch(api.url, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
}

describe.each(backendSets())('GraphiQL page over HTTP [$name]', (set) => {
  const start = useApiPerTest(set);

  it('serves the page and its assets from this server only, with development tokens in the tabs', async () => {
    const api = await start();
    const response = await getPage(api);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await response.text();
    expect(html).not.toMatch(/(https?:)?\/\/[a-z]/i);
    // The favicon is inline (data:), so the browser asks this server for no /favicon.ico.
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)]
      .map((match) => match[1] ?? '')
      .filter((url) => !url.startsWith('data:image/svg+xml,'));
    expect(assets).toHaveLength(5);
    for (const asset of assets) {
      expect(asset).toMatch(/^\/graphiql-assets\//);
      const loaded = await fetch(new URL(asset, api.url));
      expect(loaded.status, asset).toBe(200);
    }
    expect(html.match(/Bearer eyJ/g)).toHaveLength(9);
  });

  it('leaves requests that do not ask for HTML to the API', async () => {
    const api = await start();
    const response = await fetch(`${api.url}?query=${encodeURIComponent('{ health }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(response.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
    expect(await response.json()).toEqual({ data: { health: 'ok' } });
  });

  it('is off in production unless GRAPHIQL=true, and then offers placeholders, not tokens', async () => {
    const off = await start(PRODUCTION);
    expect(await (await getPage(off)).text()).not.toContain('graphiql-settings');

    const on = await start({ ...PRODUCTION, GRAPHIQL: 'true' });
    const html = await (await getPage(on)).text();
    expect(html).toContain('graphiql-settings');
    expect(html).toContain('Bearer \\u003cpaste-a-clerk-token>');
    expect(html).not.toContain('Bearer eyJ');
    const introspection = await on.gql('{ __schema { queryType { name } } }');
    expect(introspection.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});
