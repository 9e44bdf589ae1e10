import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestApi } from '../support/api.ts';
import type { Backends } from '../support/backends.ts';
import { countCards } from '../support/cards.ts';
import { startApiOnCluster } from '../support/cluster-api.ts';
import { createCard, listCards, readyz, sleep } from '../support/cluster-traffic.ts';
import { findBao } from '../support/global-setup.ts';
import { OpenBaoCluster } from '../support/openbao-cluster.ts';
import { describeOnRealBackends } from '../support/real-only.ts';

const WORKERS = 4;

interface Outcome {
  kind: 'create' | 'read';
  start: number;
  end: number;
  ok: boolean;
  code?: string;
  reason?: string;
}

/**
 * Steady traffic on the API, `WORKERS` clients each creating a card then reading a page as
 * processor, until stopped. Acknowledged creates are remembered with the PAN that was sent.
 */
function steadyLoad(api: TestApi, tokens: { clerk: string; processor: string }, firstCard: number) {
  const outcomes: Outcome[] = [];
  const acknowledged = new Map<string, string>();
  let next = firstCard;
  let running = true;
  const worker = async () => {
    while (running) {
      let start = Date.now();
      const created = await createCard(api, next++, tokens.clerk);
      outcomes.push({
        kind: 'create',
        start,
        end: Date.now(),
        ok: created.ok,
        code: created.code,
        reason: created.reason,
      });
      if (created.ok) acknowledged.set(created.id as string, created.pan);
      start = Date.now();
      const read = await api.gql('{ creditCards(first: 20) { nodes { id pan } } }', { token: tokens.processor });
      outcomes.push({
        kind: 'read',
        start,
        end: Date.now(),
        ok: read.errors === undefined,
        code: String(read.errors?.[0]?.extensions?.code),
        reason: String(read.errors?.[0]?.extensions?.reason),
      });
      await sleep(20);
    }
  };
  const workers = Array.from({ length: WORKERS }, worker);
  return {
    outcomes,
    acknowledged,
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

/** From the fault on: failed requests, and how long until requests succeeded again for good. */
function measure(outcomes: Outcome[], faultAt: number) {
  const after = outcomes.filter((outcome) => outcome.end >= faultAt);
  const failures = after.filter((outcome) => !outcome.ok);
  const lastFailureStart = Math.max(faultAt, ...failures.map((failure) => failure.start));
  const recovered = after
    .filter((outcome) => outcome.ok && outcome.start >= lastFailureStart)
    .reduce((earliest, outcome) => Math.min(earliest, outcome.end), Number.POSITIVE_INFINITY);
  return {
    slowestMs: Math.max(0, ...after.map((outcome) => outcome.end - outcome.start)),
    requests: after.length,
    failed: failures.length,
    codes: [...new Set(failures.map((failure) => failure.code))],
    reasons: [...new Set(failures.map((failure) => failure.reason))],
    recoveryMs: recovered - faultAt,
  };
}

describeOnRealBackends('OpenBao 3-node raft cluster from deploy/openbao: failover, sealing, quorum', () => {
  let cluster: OpenBaoCluster;
  let api: TestApi;
  let backends: Backends;
  let tokens: { clerk: string; processor: string };
  const acknowledged = new Map<string, string>();

  /** Every acknowledged write is stored, decrypts to what was sent, and nothing else was written. */
  async function expectEveryWriteIntact(): Promise<void> {
    const { cards, errors } = await listCards(api, tokens.processor);
    expect(errors).toEqual([]);
    const stored = new Map(cards.map((card) => [card.id, card.pan]));
    const lost = [...acknowledged.keys()].filter((id) => !stored.has(id));
    const undecryptable = [...acknowledged].filter(([id, pan]) => stored.has(id) && stored.get(id) !== pan);
    const result = await backends.database.db.execute<{ partial: number }>(
      sql`select count(*)::int as partial from credit_cards where pan is null or pan !~ '^vault:v[0-9]+:' or name is null`,
    );
    const partial = (result as unknown as Array<{ partial: number }>)[0]?.partial;
    console.log(
      `[openbao ha] ${acknowledged.size} acknowledged writes: ${lost.length} lost, ${undecryptable.length} undecryptable, ${partial} partial rows`,
    );
    expect({ lost: lost.length, undecryptable: undecryptable.length, partial }).toEqual({
      lost: 0,
      undecryptable: 0,
      partial: 0,
    });
    expect(await countCards(backends)).toBe(acknowledged.size);
  }

  async function underLoad(fault: () => Promise<void>, label: string, settleMs: number) {
    const load = steadyLoad(api, tokens, 100_000 + acknowledged.size * 10 + Math.floor(Math.random() * 1_000_000));
    await sleep(1_500);
    const faultAt = Date.now();
    await fault();
    const deadline = faultAt + 45_000;
    let figures = measure(load.outcomes, faultAt);
    while (
      Date.now() < deadline &&
      !(Number.isFinite(figures.recoveryMs) && Date.now() - faultAt - figures.recoveryMs > settleMs)
    ) {
      await sleep(250);
      figures = measure(load.outcomes, faultAt);
    }
    await load.stop();
    for (const [id, pan] of load.acknowledged) acknowledged.set(id, pan);
    figures = measure(load.outcomes, faultAt);
    // A request that failed failed as unavailable: ENCRYPTION_UNAVAILABLE, DECRYPTION_FAILED per field, or the
    // whole answer withheld because the reveal record could not be sealed (AUDIT_UNAVAILABLE, failing closed).
    expect(figures.reasons.filter((reason) => reason !== 'UNAVAILABLE' && reason !== 'AUDIT_UNAVAILABLE')).toEqual([]);
    console.log(
      `[openbao ha] ${label}: requests succeeded again after ${figures.recoveryMs} ms (slowest request ${figures.slowestMs} ms); ${figures.failed} of ${figures.requests} requests failed (${figures.codes.join(', ') || 'none'})`,
    );
    return figures;
  }

  beforeAll(async () => {
    const binary = findBao();
    if (binary === undefined) throw new Error('needs the bao binary (.tools/venv/bin/bao)');
    cluster = await OpenBaoCluster.start(binary, 3);
    ({ api, backends } = await startApiOnCluster(cluster));
    tokens = { clerk: await api.token('clerk'), processor: await api.token('processor') };
  }, 180_000);
  afterAll(async () => {
    await api?.close();
    await backends?.close();
    await cluster?.stop();
  });

  it('kill -9 of the active node under load: the API moves on, no acknowledged write lost', {
    timeout: 120_000,
  }, async () => {
    const active = await cluster.activeIndex();
    expect(active).toBeDefined();
    const figures = await underLoad(
      () => cluster.stopNode(active as number, 'SIGKILL'),
      `kill -9 active node ${(active as number) + 1}`,
      3_000,
    );
    expect(Number.isFinite(figures.recoveryMs)).toBe(true);
    const newActive = await cluster.activeIndex();
    expect(newActive).not.toBe(active);
    await expectEveryWriteIntact();
    cluster.startNode(active as number);
    await cluster.waitServing(60_000);
    await cluster.waitVoters(3, 60_000);
  });

  it('sealing the active node by API: the others take over; a restart unseals it by itself', {
    timeout: 120_000,
  }, async () => {
    const operator = await cluster.login('transitql-operator');
    const active = (await cluster.activeIndex()) as number;
    const figures = await underLoad(
      async () => {
        const sealed = await cluster.request(active, 'POST', 'sys/seal', operator, {});
        expect(sealed.status).toBe(204);
      },
      `seal active node ${active + 1} by API`,
      3_000,
    );
    expect(Number.isFinite(figures.recoveryMs)).toBe(true);
    expect((await cluster.health(active))?.body.sealed).toBe(true);
    await expectEveryWriteIntact();
    await cluster.stopNode(active);
    cluster.startNode(active);
    await cluster.waitServing(60_000);
    expect((await cluster.health(active))?.body.sealed).toBe(false);
    await cluster.waitVoters(3, 60_000);
  });

  it('two of three nodes stopped (no quorum): the standby left serves transit from its copy, OpenBao writes fail; both rejoin', {
    timeout: 150_000,
  }, async () => {
    const active = (await cluster.activeIndex()) as number;
    const survivor = (active + 1) % 3;
    const stopped = [0, 1, 2].filter((index) => index !== survivor);
    const keyAdmin = await cluster.login('transitql-key-admin');
    const latestVersion = async (index: number) =>
      (
        (await cluster.request(index, 'GET', 'transit/keys/card-pan', keyAdmin)).body as {
          data: { latest_version: number };
        }
      ).data.latest_version;
    const versionBefore = await latestVersion(active);
    const figures = await underLoad(
      () => Promise.all(stopped.map((index) => cluster.stopNode(index))).then(() => undefined),
      `stop nodes ${stopped.map((index) => index + 1).join(' and ')} (no quorum)`,
      5_000,
    );
    expect(Number.isFinite(figures.recoveryMs)).toBe(true);
    await expectEveryWriteIntact();
    // Without a quorum nothing can be written to OpenBao's storage: a key rotation fails.
    // The survivor answers 5xx, or (while it still names the lost leader) a 307 to a node that is gone.
    const rotate = await cluster.request(survivor, 'POST', 'transit/keys/card-pan/rotate', keyAdmin, {});
    expect(rotate.status === 307 || rotate.status >= 500, `rotation without quorum: HTTP ${rotate.status}`).toBe(true);
    expect((await cluster.health(survivor))?.status).not.toBe(200);

    for (const index of stopped) cluster.startNode(index);
    await cluster.waitServing(90_000);
    await cluster.waitVoters(3, 90_000);
    const rotated = await cluster.request(
      (await cluster.activeIndex()) as number,
      'POST',
      'transit/keys/card-pan/rotate',
      keyAdmin,
      {},
    );
    expect(rotated.status).toBe(200);
    // The rotation refused without quorum left no trace: this one is the only new version.
    expect(await latestVersion((await cluster.activeIndex()) as number)).toBe(versionBefore + 1);
    const created = await createCard(api, 7_777_778, tokens.clerk);
    expect(created.ok).toBe(true);
    acknowledged.set(created.id as string, created.pan);
    await expectEveryWriteIntact();
  });

  it('every node down: ENCRYPTION_UNAVAILABLE with reason, not ready, nothing written; back without an API restart', {
    timeout: 150_000,
  }, async () => {
    const before = await countCards(backends);
    await Promise.all([0, 1, 2].map((index) => cluster.stopNode(index)));
    const refused = await createCard(api, 8_888_888, tokens.clerk);
    expect(refused).toMatchObject({ ok: false, code: 'ENCRYPTION_UNAVAILABLE', reason: 'UNAVAILABLE' });
    const read = await api.gql('{ creditCards(first: 5) { nodes { id pan } } }', { token: tokens.processor });
    // Reads fail field by field (the contract of @decryptFor): the PAN is null, the cause named.
    expect(read.errors?.length).toBeGreaterThan(0);
    for (const error of read.errors ?? []) expect(error.extensions).toMatchObject({ reason: 'UNAVAILABLE' });
    const notReady = await readyz(api);
    expect(notReady.status).toBe(503);
    // Unauthenticated callers learn which component is down, not why (the log names each node).
    expect(notReady.body).toEqual({ status: 'unavailable', database: 'ok', transit: 'unavailable' });
    expect(await countCards(backends)).toBe(before);

    const backAt = Date.now();
    for (const index of [0, 1, 2]) cluster.startNode(index);
    await cluster.waitServing(90_000);
    let created = await createCard(api, 8_888_889, tokens.clerk);
    while (!created.ok && Date.now() - backAt < 60_000) {
      await sleep(250);
      created = await createCard(api, 8_888_889, tokens.clerk);
    }
    console.log(
      `[openbao ha] all three nodes restarted: the API created a card ${Date.now() - backAt} ms after they were started`,
    );
    expect(created.ok).toBe(true);
    acknowledged.set(created.id as string, created.pan);
    expect((await readyz(api)).status).toBe(200);
    await expectEveryWriteIntact();
  });
});
