import { describe, expect, it } from 'vitest';
import { startTestApi, useTestApi } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';

const PAN = '4539296620131157';

function sample(metrics: string, name: string, labels: string): number {
  const line = metrics.split('\n').find((each) => each.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

describe.each(backendSets())('/metrics [$name]', (set) => {
  const suite = useTestApi(set);

  it('counts transit calls and batch sizes per operation and key, and times requests, without plaintext', async () => {
    const created = await suite.api.gql(
      'mutation { createCreditCards(inputs: [{name: "A", pan: "4539296620131157"}, {name: "B", pan: "2720997130887021"}]) { id } }',
      {
        role: 'clerk',
      },
    );
    expect(created.errors).toBeUndefined();
    const listed = await suite.api.gql<{ creditCards: { nodes: Array<{ pan: string }> } }>(
      '{ creditCards(first: 10) { nodes { pan } } }',
      { role: 'processor' },
    );
    expect(listed.data?.creditCards.nodes.map((card) => card.pan)).toEqual([PAN, '2720997130887021']);

    const response = await fetch(suite.api.url.replace(/\/graphql$/, '/metrics'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const metrics = await response.text();

    expect(sample(metrics, 'transitql_transit_calls_total', 'operation="encrypt",key="card-pan",outcome="ok"')).toBe(1);
    expect(sample(metrics, 'transitql_transit_calls_total', 'operation="decrypt",key="card-pan",outcome="ok"')).toBe(1);
    expect(sample(metrics, 'transitql_transit_batch_size_sum', 'operation="encrypt"')).toBe(2);
    expect(sample(metrics, 'transitql_transit_batch_size_sum', 'operation="decrypt"')).toBe(2);
    expect(sample(metrics, 'transitql_transit_call_duration_seconds_count', 'operation="decrypt"')).toBe(1);
    expect(
      sample(metrics, 'transitql_http_request_duration_seconds_count', 'method="POST",route="/graphql",status="200"'),
    ).toBe(2);
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(metrics).not.toContain(PAN);
    expect(metrics).not.toContain('2720997130887021');
  });

  it('keeps one registry per app, so two apps in one process count apart', async () => {
    const other = await startTestApi(suite.backends);
    try {
      const metrics = await (await fetch(other.url.replace(/\/graphql$/, '/metrics'))).text();
      expect(sample(metrics, 'transitql_transit_calls_total', 'operation="encrypt",key="card-pan",outcome="ok"')).toBe(
        0,
      );
    } finally {
      await other.close();
    }
  });
});
