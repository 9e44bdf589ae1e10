import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { type TestApi, useApiPerTest } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';
import { rawRequest } from '../support/raw-http.ts';

const HTML = 'text/html,application/xhtml+xml,*/*;q=0.8';
const HEALTH = JSON.stringify({ query: '{ health }' });

describe.each(backendSets())('the Host allow-list and GraphiQL tokens [$name]', (set) => {
  const start = useApiPerTest(set);

  const page = (target: TestApi, host: string) => rawRequest(target.url, { headers: { host, accept: HTML } });

  it('answers a rebound name (a foreign Host) with 421 on every route, and no token anywhere', async () => {
    const target = await start();
    const port = new URL(target.url).port;
    const base = new URL(target.url).origin;
    const foreign = `attacker.example:${port}`;
    const answers = await Promise.all([
      page(target, foreign),
      rawRequest(`${base}/graphql`, {
        method: 'POST',
        headers: { host: foreign, 'content-type': 'application/json' },
        body: HEALTH,
      }),
      rawRequest(`${base}/readyz`, { headers: { host: foreign } }),
      rawRequest(`${base}/healthz`, { headers: { host: foreign } }),
      rawRequest(`${base}/metrics`, { headers: { host: foreign } }),
      rawRequest(`${base}/graphiql-assets/start-graphiql.js`, { headers: { host: foreign } }),
      rawRequest(`${base}/graphql`, { headers: { accept: HTML } }),
    ]);
    // Node's HTTP server answers an HTTP/1.1 request without Host with 400 before the API sees it.
    expect(answers.map((answer) => answer.status)).toEqual([421, 421, 421, 421, 421, 421, 400]);
    for (const answer of answers) expect(answer.body).not.toContain('eyJ');
    for (const answer of answers.slice(0, 6)) {
      expect(JSON.parse(answer.body).errors[0].extensions.code).toBe('BAD_REQUEST');
    }
  });

  it('answers an HTTP/1.0 request without Host with its own 400, on every route, and no token', async () => {
    const target = await start();
    const { port } = new URL(target.url);
    /** Node's server lets HTTP/1.0 through without Host (HTTP/1.1 it refuses itself): the API must answer. */
    const http10 = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => socket.end(request));
        let answer = '';
        socket.setEncoding('utf8').on('data', (chunk: string) => {
          answer += chunk;
        });
        socket.on('end', () => resolve(answer)).on('error', reject);
      });
    const refusal = {
      errors: [{ message: 'The request has no Host header', extensions: { code: 'BAD_REQUEST' } }],
    };
    for (const path of ['/graphql', '/readyz', '/healthz', '/metrics']) {
      const answer = await http10(`GET ${path} HTTP/1.0\r\nAccept: ${HTML}\r\n\r\n`);
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      expect(head.split('\r\n')[0], path).toMatch(/^HTTP\/1\.[01] 400 /);
      expect(JSON.parse(body), path).toEqual(refusal);
    }
    const post = await http10(
      `POST /graphql HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: ${HEALTH.length}\r\n\r\n${HEALTH}`,
    );
    expect(post.split('\r\n')[0]).toMatch(/^HTTP\/1\.[01] 400 /);
    expect(post).not.toContain('eyJ');
    expect(JSON.parse(post.split('\r\n\r\n')[1] ?? '')).toEqual(refusal);
  });

  it('carries development tokens only when asked through a loopback name', async () => {
    const target = await start();
    const port = new URL(target.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const answer = await page(target, host);
      expect(answer.status, host).toBe(200);
      expect(answer.body.match(/Bearer eyJ/g), host).toHaveLength(9);
    }
  });

  it('gives an allowed but non-loopback Host the page with placeholders, not tokens', async () => {
    const target = await start({ ALLOWED_HOSTS: 'transitql.internal, localhost' });
    const answer = await page(target, `transitql.internal:${new URL(target.url).port}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('graphiql-settings');
    expect(answer.body).not.toContain('eyJ');
    expect(answer.body).toContain('Bearer \\u003cpaste-a-clerk-token>');
  });

  it('never puts tokens in the page when the server listens beyond loopback, even asked as 127.0.0.1', async () => {
    const target = await start({ HOST: '0.0.0.0' });
    const answer = await page(target, `127.0.0.1:${new URL(target.url).port}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('graphiql-settings');
    expect(answer.body).not.toContain('eyJ');
  });
});
