import { describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';
import { capturedLogger, errorEntries } from '../support/captured-logs.ts';

describe.each(backendSets())('operation types the API does not serve [$name]', (set) => {
  const { logger, lines: logs } = capturedLogger('info');
  const context = useTestApi(set, logger);

  it.each([
    ['a subscription', 'subscription { health }'],
    ['a named subscription with variables', 'subscription Watch($id: ID!) { creditCard(id: $id) { id } }'],
    ['a subscription next to a query, chosen by name', 'query Q { health } subscription S { health }'],
  ])('answers %s with a clean BAD_REQUEST, no 5xx and no error-level log', async (_name, query) => {
    const before = logs.length;
    const response = await fetch(context.api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await context.api.token('clerk')}` },
      body: JSON.stringify({
        query,
        variables: { id: '00000000-0000-0000-0000-000000000000' },
        operationName: query.includes('S {') ? 'S' : undefined,
      }),
    });
    const body = (await response.json()) as {
      data?: unknown;
      errors?: Array<{ message: string; extensions?: { code?: string } }>;
    };
    expect(response.status).toBe(400);
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_REQUEST']);
    expect(body.errors?.[0]?.message).toMatch(/subscription operations are not supported/i);
    expect(errorEntries(logs.slice(before))).toEqual([]);
  });

  it('still answers the query of the same document', async () => {
    const response = await fetch(context.api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query Q { health } subscription S { health }', operationName: 'Q' }),
    });
    expect(await response.json()).toEqual({ data: { health: 'ok' } });
  });
});
