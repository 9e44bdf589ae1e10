import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { TestApi } from '../support/api.ts';
import { type Backends, createDatabase, dropDatabase } from '../support/backends.ts';
import { clusterApiEnv, startApiOnCluster, startApiOnDatabase } from '../support/cluster-api.ts';
import { createCard, listCards } from '../support/cluster-traffic.ts';
import { findBao } from '../support/global-setup.ts';
import { OpenBaoCluster } from '../support/openbao-cluster.ts';
import { pgDump, pgRestore } from '../support/postgres-dump.ts';
import { restoreSnapshot, takeSnapshot } from '../support/raft-snapshot.ts';
import { describeOnRealBackends } from '../support/real-only.ts';
import { finished, spawnTs } from '../support/spawn.ts';

const BEFORE_ROTATION = 12;
const AFTER_ROTATION = 8;
const LOOKUP = 'query Lookup($pan: PAN!) { creditCardsByPan(pan: $pan) { id pan } }';

/**
 * docs/backup-and-restore.md, drilled on the 3-node cluster from deploy/openbao: dump PostgreSQL,
 * then take a raft snapshot with the backup AppRole; restore both into fresh nodes (same static seal
 * key) and a fresh database; every PAN decrypts, every lookup finds its card, `audit verify` passes.
 * An OpenBao snapshot older than the database is refused at start-up, by name.
 */
describeOnRealBackends('backup and restore drill: pg_dump + raft snapshot into fresh nodes', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-backup-drill-'));
  const dumpFile = path.join(work, 'transitql.dump');
  const savedSecrets = path.join(work, 'secrets');
  const cards = new Map<string, string>();
  const timings: Record<string, number> = {};
  let binary: string;
  let source: OpenBaoCluster | undefined;
  let restored: OpenBaoCluster | undefined;
  let api: TestApi | undefined;
  let backends: Backends | undefined;
  let adminUrl: string;
  let olderSnapshot: Buffer;
  let snapshot: Buffer;

  const timed = async <T>(step: string, body: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await body();
    } finally {
      timings[step] = Math.round(performance.now() - start);
    }
  };
  const stopApi = async () => {
    await api?.close();
    await backends?.close();
    api = undefined;
    backends = undefined;
  };
  const restoredDatabase = async (name: string) => {
    const url = await createDatabase(adminUrl, `transitql_drill_${name}_${process.pid}_${Date.now()}`);
    await timed(`pg_restore (${name})`, () => pgRestore(dumpFile, url));
    return url;
  };

  beforeAll(async () => {
    const found = findBao();
    if (found === undefined) throw new Error('needs the bao binary (.tools/venv/bin/bao)');
    binary = found;
    source = await timed('start source cluster (3 nodes)', () => OpenBaoCluster.start(binary, 3));
    ({ api, backends } = await startApiOnCluster(source));
    adminUrl = inject('realBackends')?.databaseUrl ?? '';
  }, 180_000);
  afterAll(async () => {
    await stopApi();
    await source?.stop();
    await restored?.stop();
    fs.rmSync(work, { recursive: true, force: true });
    console.log(`[backup drill] timings (ms): ${JSON.stringify(timings)}`);
  });

  it('takes raft snapshots with transitql-backup, a credential that can do nothing else', async () => {
    if (source === undefined || api === undefined) throw new Error('no cluster');
    const clerk = await api.token('clerk');
    for (let n = 0; n < BEFORE_ROTATION; n++) {
      const created = await createCard(api, 50_000 + n, clerk);
      expect(created.ok, JSON.stringify(created)).toBe(true);
      cards.set(created.id as string, created.pan);
    }
    const cluster = source;
    olderSnapshot = await timed('raft snapshot (before rotation)', () => takeSnapshot(cluster));
    expect(olderSnapshot.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // a gzipped archive

    const denied: Array<[string, string, unknown?]> = [
      ['GET', 'transit/keys/card-pan'],
      ['POST', 'transit/decrypt/card-pan', { ciphertext: 'vault:v1:AAAA' }],
      ['POST', 'sys/storage/raft/snapshot-force', {}],
      ['GET', 'sys/policies/acl/transitql-backup'],
      ['GET', 'sys/storage/raft/configuration'],
      ['POST', 'auth/approle/role/transitql-api/secret-id', {}],
    ];
    for (const [method, apiPath, body] of denied) {
      const token = await source.login('transitql-backup');
      const answer = await source.request(0, method, apiPath, token, body);
      expect(answer.status, `backup token: ${method} ${apiPath}`).toBe(403);
    }
    // A backup token serves one request; and the API's own credential cannot take a snapshot.
    const once = await source.login('transitql-backup');
    expect((await source.request(0, 'GET', 'auth/token/lookup-self', once)).body.data?.policies).toEqual([
      'default',
      'transitql-backup',
    ]);
    expect((await source.request(0, 'GET', 'auth/token/lookup-self', once)).status).toBe(403);
    await expect(takeSnapshot(source, 'transitql-api')).rejects.toThrow(/snapshot refused \(403\)/);
  });

  it('rotates card-pan, stores more cards, reads and looks them up; dumps PostgreSQL, then snapshots OpenBao', async () => {
    if (source === undefined || api === undefined || backends === undefined) throw new Error('no cluster');
    const keyAdmin = await source.login('transitql-key-admin');
    const active = (await source.activeIndex()) ?? 0;
    const rotated = await source.request(active, 'POST', 'transit/keys/card-pan/rotate', keyAdmin, {});
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    const clerk = await api.token('clerk');
    for (let n = 0; n < AFTER_ROTATION; n++) {
      const created = await createCard(api, 60_000 + n, clerk);
      expect(created.ok, JSON.stringify(created)).toBe(true);
      cards.set(created.id as string, created.pan);
    }
    await expectEveryCardReadable(api, cards);

    const databaseUrl = backends.config.database.kind === 'postgres' ? backends.config.database.url : '';
    await timed('pg_dump', () => pgDump(databaseUrl, dumpFile));
    const cluster = source;
    snapshot = await timed('raft snapshot (after the dump)', () => takeSnapshot(cluster));
    fs.cpSync(source.secrets, savedSecrets, { recursive: true });
    timings['snapshot bytes'] = snapshot.length;
    timings['dump bytes'] = fs.statSync(dumpFile).size;

    // The source is gone: its nodes, its data, its database.
    await stopApi();
    await source.stop();
    source = undefined;
  });

  it('restores both into a fresh 3-node cluster and a fresh database: every PAN decrypts, every lookup finds its card, audit verify passes', async () => {
    restored = await timed('start fresh cluster (3 nodes, same seal key)', () =>
      OpenBaoCluster.start(binary, 3, { secretsFrom: savedSecrets }),
    );
    const cluster = restored;
    // The fresh cluster initialized itself (new transit keys, v1 only); the backup's state replaces it.
    const installed = await timed('snapshot-force (restore)', () => restoreSnapshot(cluster, snapshot));
    expect(installed.status, installed.body).toBe(204);
    await timed('cluster serving after restore', () => waitRestored(cluster, 2));
    const databaseUrl = await restoredDatabase('matched');

    ({ api, backends } = await timed('API start on the restored pair', () =>
      startApiOnDatabase(cluster, databaseUrl, () => dropDatabase(adminUrl, databaseUrl)),
    ));
    const readable = api;
    await timed('every PAN decrypted and looked up', () => expectEveryCardReadable(readable, cards));

    const verified = await timed('audit verify', () =>
      finished(
        spawnTs('src/cli/audit.ts', ['verify'], {
          ...clusterApiEnv(cluster, databaseUrl),
          NODE_ENV: 'test',
          LOG_LEVEL: 'silent',
        }),
      ),
    );
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/reveal record intact: [1-9]\d* records, chain and seals verified/);
  });

  it('names a mismatched restore: an OpenBao snapshot older than the database is refused at start-up', async () => {
    if (restored === undefined) throw new Error('no restored cluster');
    await stopApi();
    const cluster = restored;
    const installed = await restoreSnapshot(cluster, olderSnapshot);
    expect(installed.status, installed.body).toBe(204);
    await waitRestored(cluster, 1);
    const databaseUrl = await restoredDatabase('mismatched');
    const refused = await startApiOnDatabase(cluster, databaseUrl, () => dropDatabase(adminUrl, databaseUrl)).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(refused?.message).toMatch(
      /^MISMATCHED RESTORE: the database holds "card-pan" v2 values but the key's latest version is v1: Vault\/OpenBao [\d.]+ at https:\/\/127\.0\.0\.1:\d+.* lacks key "card-pan" versions v2 \(stored values use them\), so an OpenBao snapshot older than the database was restored\. Nothing was changed\. Restore the keys from a backup taken after the database backup \(an OpenBao raft snapshot, restored with snapshot-force\) and start again$/,
    );
    console.log(`[backup drill] mismatched restore refused: ${refused?.message}`);
  });
});

/** Every card's PAN in the clear for the processor, and every number's lookup finding exactly its card. */
async function expectEveryCardReadable(api: TestApi, cards: Map<string, string>): Promise<void> {
  const processor = await api.token('processor');
  const { cards: listed, errors } = await listCards(api, processor);
  expect(errors).toEqual([]);
  expect(new Map(listed.map((card) => [card.id, card.pan]))).toEqual(cards);
  for (const [id, pan] of cards) {
    const found = await api.gql<{ creditCardsByPan: Array<{ id: string; pan: string }> }>(LOOKUP, {
      variables: { pan },
      token: processor,
    });
    expect(found.errors).toBeUndefined();
    expect(found.data?.creditCardsByPan).toEqual([{ id, pan }]);
  }
}

/** After a snapshot is installed: every node serves, and the API's AppRole reads card-pan at `latest`. */
async function waitRestored(cluster: OpenBaoCluster, latest: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    await cluster.waitServing(60_000);
    const token = await cluster.login('transitql-api').catch(() => undefined);
    const active = await cluster.activeIndex();
    if (token !== undefined && active !== undefined) {
      const key = await cluster.request(active, 'GET', 'transit/keys/card-pan', token).catch(() => undefined);
      if (key?.body.data?.latest_version === latest) return;
    }
    if (Date.now() > deadline) throw new Error(`the restored cluster did not serve card-pan v${latest}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
