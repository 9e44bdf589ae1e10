import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { count } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { creditCards } from '../../src/db/schema.ts';
import { type GraphQLResponse, startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { findBao, freePort, waitForHealth } from '../support/global-setup.ts';
import { panFor } from '../support/luhn-pans.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

const TIMEOUT_MS = 1000;
const RETRIES = 1;
/** The longest a request may take to fail: every attempt timing out, plus backoff and slack for a shared machine. */
const FAILURE_BOUND_MS = (RETRIES + 1) * TIMEOUT_MS + 5_000;
const RECOVERY_BOUND_MS = 15_000;

const CREATE = 'mutation ($input: CreditCardInput!) { createCreditCard(input: $input) { id pan } }';
const BULK = 'mutation ($inputs: [CreditCardInput!]!) { createCreditCards(inputs: $inputs) { id } }';
const LIST = 'query ($after: String) { creditCards(first: 100, after: $after) { nodes { id pan } } }';
const pan = (index: number) => panFor(index, '4111');
const cards = (prefix: string, size: number) =>
  Array.from({ length: size }, (_, index) => ({ name: `${prefix} ${index}`, pan: pan(index) }));
const codesOf = (response: GraphQLResponse) => [...new Set(response.errors?.map((error) => error.extensions?.code))];

const real = backendSets().filter((set) => set.name === 'postgres+openbao');

describe.skipIf(real.length > 0)('fault injection (needs DATABASE_URL and an OpenBao binary)', () => {
  it.skip('runs only on the real backends', () => {});
});

describe.each(real)('fault injection against real backends [$name]', (set) => {
  let bao: ChildProcess;
  let proxy: TcpProxy;
  let backends: Backends;
  let api: TestApi;
  const figures: string[] = [];

  beforeAll(async () => {
    const binary = inject('realBackends')?.baoBinary ?? findBao();
    if (binary === undefined) throw new Error('fault injection needs a bao binary (BAO_BINARY or .tools/venv/bin/bao)');
    const port = await freePort();
    const token = `root-${randomUUID()}`;
    bao = spawn(binary, ['server', '-dev', `-dev-root-token-id=${token}`, `-dev-listen-address=127.0.0.1:${port}`], {
      stdio: 'ignore',
    });
    await waitForHealth(`http://127.0.0.1:${port}`, 30_000);
    proxy = new TcpProxy({ host: '127.0.0.1', port });
    await proxy.start();
    backends = await set.open({
      VAULT_ADDR: proxy.url,
      VAULT_TOKEN: token,
      VAULT_TIMEOUT_MS: String(TIMEOUT_MS),
      VAULT_RETRIES: String(RETRIES),
      TRANSIT_BATCH_SIZE: '10',
      TRANSIT_CONCURRENCY: '1',
    });
    api = await startTestApi(backends);
  });
  afterAll(async () => {
    console.log(`[faults ${set.name}]\n  ${figures.join('\n  ')}`);
    await api?.close();
    await backends?.close();
    await proxy?.stop();
    bao?.kill('SIGKILL');
  });

  const rowsNamed = async (prefix: string) => {
    const rows = await backends.database.db.select({ name: creditCards.name, pan: creditCards.pan }).from(creditCards);
    return rows.filter((row) => row.name.startsWith(prefix));
  };
  const readyz = async () => {
    const response = await fetch(api.url.replace(/\/graphql$/, '/readyz'));
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  };
  const timed = async <T>(run: () => Promise<T>): Promise<[T, number]> => {
    const started = performance.now();
    const result = await run();
    return [result, Math.round(performance.now() - started)];
  };
  /** Polls until a create succeeds again; answers how long that took. */
  const recovery = async (prefix: string) => {
    const started = performance.now();
    for (let attempt = 0; performance.now() - started < RECOVERY_BOUND_MS; attempt++) {
      const response = await api.gql(CREATE, {
        role: 'clerk',
        variables: { input: cards(`${prefix} ${attempt}`, 1)[0] },
      });
      if (response.errors === undefined && (await readyz()).status === 200)
        return Math.round(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no recovery within ${RECOVERY_BOUND_MS} ms`);
  };

  it('serves through the proxy when OpenBao is healthy (the control case)', async () => {
    const response = await api.gql(BULK, { role: 'clerk', variables: { inputs: cards('Healthy', 30) } });
    expect(response.errors).toBeUndefined();
    expect((await readyz()).status).toBe(200);
  });

  it('survives a slow OpenBao: delays under the timeout succeed, a silent one fails with ENCRYPTION_UNAVAILABLE', async () => {
    proxy.setMode({ kind: 'delay', ms: 150 });
    const slow = await api.gql(BULK, { role: 'clerk', variables: { inputs: cards('Slow', 20) } });
    expect(slow.errors).toBeUndefined();

    proxy.setMode({ kind: 'hang' });
    const [hung, elapsed] = await timed(() =>
      api.gql(BULK, { role: 'clerk', variables: { inputs: cards('Hung', 20) } }),
    );
    expect(hung.status).toBeLessThan(500);
    expect(codesOf(hung)).toEqual(['ENCRYPTION_UNAVAILABLE']);
    expect(elapsed).toBeLessThan(FAILURE_BOUND_MS);
    expect(await rowsNamed('Hung')).toEqual([]);
    const ready = await readyz();
    expect(ready).toEqual({ status: 503, body: { status: 'unavailable', database: 'ok', transit: 'unavailable' } });
    figures.push(
      `hung OpenBao: bulk create failed ENCRYPTION_UNAVAILABLE after ${elapsed} ms (VAULT_TIMEOUT_MS=${TIMEOUT_MS}, retries ${RETRIES})`,
    );

    proxy.setMode({ kind: 'pass' });
    const recovered = await recovery('After hang');
    figures.push(`recovered ${recovered} ms after OpenBao answered again`);
  });

  it('fails on reset connections with ENCRYPTION_UNAVAILABLE and recovers', async () => {
    proxy.setMode({ kind: 'reset' });
    const [reset, elapsed] = await timed(() =>
      api.gql(CREATE, { role: 'clerk', variables: { input: cards('Reset', 1)[0] } }),
    );
    expect(codesOf(reset)).toEqual(['ENCRYPTION_UNAVAILABLE']);
    expect(elapsed).toBeLessThan(FAILURE_BOUND_MS);
    expect(await rowsNamed('Reset')).toEqual([]);
    expect((await readyz()).status).toBe(503);
    figures.push(`reset connections: create failed ENCRYPTION_UNAVAILABLE after ${elapsed} ms`);
    proxy.setMode({ kind: 'pass' });
    figures.push(`recovered ${await recovery('After reset')} ms after resets stopped`);
  });

  it('fails while OpenBao is unreachable, reports it on /readyz, and recovers when it is back', async () => {
    await proxy.stop();
    const [down, elapsed] = await timed(() =>
      api.gql(BULK, { role: 'clerk', variables: { inputs: cards('Down', 25) } }),
    );
    expect(codesOf(down)).toEqual(['ENCRYPTION_UNAVAILABLE']);
    expect(down.errors?.[0]?.extensions?.reason).toBe('UNAVAILABLE');
    expect(JSON.stringify(down), 'the backend address stays in the log').not.toContain(new URL(proxy.url).host);
    expect(elapsed).toBeLessThan(FAILURE_BOUND_MS);
    expect(await rowsNamed('Down')).toEqual([]);
    const ready = await readyz();
    expect(ready).toEqual({ status: 503, body: { status: 'unavailable', database: 'ok', transit: 'unavailable' } });
    figures.push(`OpenBao unreachable: bulk create failed ENCRYPTION_UNAVAILABLE after ${elapsed} ms`);
    await proxy.start();
    figures.push(`recovered ${await recovery('After outage')} ms after OpenBao was reachable again`);
  });

  it('fails a bulk create whose database connection is killed mid-transaction, writes nothing, and recovers', async () => {
    const databaseUrl = backends.config.database.kind === 'postgres' ? backends.config.database.url : '';
    const admin = postgres(databaseUrl, { max: 2, onnotice: () => {} });
    try {
      const before = (await admin`select count(*)::int as n from credit_cards`)[0]?.n as number;
      // Hold a lock so the API's insert waits inside its transaction, then kill that backend.
      const locked = admin.begin(async (tx) => {
        await tx`lock table credit_cards in access exclusive mode`;
        for (let waited = 0; waited < 100; waited++) {
          const [waiting] = await admin`
            select pid from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query ilike 'insert into%'`;
          if (waiting !== undefined) {
            await admin`select pg_terminate_backend(${waiting.pid as number})`;
            return true;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return false;
      });
      const [response] = await Promise.all([
        api.gql(BULK, { role: 'clerk', variables: { inputs: cards('Killed', 50) } }),
        locked.then((killed) => expect(killed).toBe(true)),
      ]);
      expect(response.status).toBeLessThan(500);
      expect(response.data ?? null).toBeNull();
      expect(codesOf(response)).toEqual(['DATABASE_UNAVAILABLE']);
      expect((await admin`select count(*)::int as n from credit_cards`)[0]?.n).toBe(before);
      expect(await rowsNamed('Killed')).toEqual([]);
      figures.push(`database connection killed mid-insert: ${JSON.stringify(response.errors?.[0]?.message)}`);
    } finally {
      await admin.end();
    }
    figures.push(`recovered ${await recovery('After database kill')} ms after the connection was killed`);
  });

  it('fails while Postgres is unreachable, reports it on /readyz, and recovers when it is back', async () => {
    if (backends.config.database.kind !== 'postgres') throw new Error('needs the postgres backend');
    const url = new URL(backends.config.database.url);
    const databaseProxy = new TcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    await databaseProxy.start();
    url.host = `127.0.0.1:${databaseProxy.port}`;
    const database = { kind: 'postgres' as const, url: url.toString(), poolSize: 2 };
    const proxied = await openDatabase(database);
    const viaProxy = await startTestApi({ ...backends, database: proxied, config: { ...backends.config, database } });
    const ready = async () => {
      const response = await fetch(viaProxy.url.replace(/\/graphql$/, '/readyz'));
      return { status: response.status, body: (await response.json()) as Record<string, string> };
    };
    try {
      expect((await ready()).status).toBe(200);
      await databaseProxy.stop();
      const [down, elapsed] = await timed(() =>
        viaProxy.gql(BULK, { role: 'clerk', variables: { inputs: cards('Database down', 10) } }),
      );
      expect(down.status).toBeLessThan(500);
      expect(codesOf(down)).toEqual(['DATABASE_UNAVAILABLE']);
      expect(elapsed).toBeLessThan(FAILURE_BOUND_MS);
      const listed = await viaProxy.gql(LIST, { role: 'clerk' });
      expect(codesOf(listed)).toEqual(['DATABASE_UNAVAILABLE']);
      const outage = await ready();
      // Ready or not per component, and nothing else: no address, driver message or extra key.
      expect(outage).toEqual({ status: 503, body: { status: 'unavailable', database: 'unavailable', transit: 'ok' } });
      figures.push(`Postgres unreachable: bulk create failed DATABASE_UNAVAILABLE after ${elapsed} ms; /readyz 503`);

      await databaseProxy.start();
      const started = performance.now();
      let recovered: GraphQLResponse | undefined;
      while (performance.now() - started < RECOVERY_BOUND_MS) {
        recovered = await viaProxy.gql(CREATE, { role: 'clerk', variables: { input: cards('Database back', 1)[0] } });
        if (recovered.errors === undefined && (await ready()).status === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(recovered?.errors).toBeUndefined();
      figures.push(`recovered ${Math.round(performance.now() - started)} ms after Postgres was reachable again`);
      expect(await rowsNamed('Database down')).toEqual([]);
    } finally {
      await viaProxy.close();
      await proxied.close();
      await databaseProxy.stop();
    }
  });

  it('fails cleanly when OpenBao dies during a bulk create and during listing under load', async () => {
    const [{ value: stored = 0 } = {}] = await backends.database.db.select({ value: count() }).from(creditCards);
    expect(stored).toBeGreaterThan(30);
    const requestsBefore = backends.vaultRequests.length;
    const listing = Array.from({ length: 8 }, () => api.gql(LIST, { role: 'processor' }));
    const bulk = api.gql(BULK, { role: 'clerk', variables: { inputs: cards('Dying', 500) } });
    while (backends.vaultRequests.length < requestsBefore + 5) await new Promise((resolve) => setTimeout(resolve, 5));
    bao.kill('SIGKILL');

    const [bulkAnswer, elapsed] = await timed(() => bulk);
    expect(bulkAnswer.status).toBeLessThan(500);
    expect(codesOf(bulkAnswer)).toEqual(['ENCRYPTION_UNAVAILABLE']);
    expect(elapsed).toBeLessThan(FAILURE_BOUND_MS);
    expect(await rowsNamed('Dying')).toEqual([]);

    let failedFields = 0;
    for (const answer of await Promise.all(listing)) {
      expect(answer.status).toBeLessThan(500);
      for (const error of answer.errors ?? []) {
        expect(error.extensions).toEqual({ code: 'DECRYPTION_FAILED', reason: 'UNAVAILABLE' });
        expect(error.path?.at(-1)).toBe('pan');
        failedFields++;
      }
      const nodes = (answer.data as { creditCards: { nodes: Array<{ pan: string | null }> } }).creditCards.nodes;
      expect(nodes.length).toBeGreaterThan(0);
    }
    expect(failedFields).toBeGreaterThan(0);
    expect((await readyz()).status).toBe(503);
    const all = await backends.database.db.select({ pan: creditCards.pan }).from(creditCards);
    for (const row of all) expect(row.pan).toMatch(/^vault:v\d+:/);
    figures.push(
      `OpenBao killed mid-bulk: failed ENCRYPTION_UNAVAILABLE ${elapsed} ms after the kill, 0 rows; 8 concurrent lists: ${failedFields} pan fields failed DECRYPTION_FAILED (reason UNAVAILABLE), the rest of each page stood`,
    );
  });
});
