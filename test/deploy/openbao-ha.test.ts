import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTransit } from '../../src/field-encryption/transit/create-transit.ts';
import type { TestApi } from '../support/api.ts';
import { type Backends, testConfig } from '../support/backends.ts';
import { countCards } from '../support/cards.ts';
import { startApiOnCluster, startApiOnDatabase } from '../support/cluster-api.ts';
import { createCard, listCards, readyz, sleep } from '../support/cluster-traffic.ts';
import { findBao } from '../support/global-setup.ts';
import { OpenBaoCluster } from '../support/openbao-cluster.ts';
import { expectAuditedWithHmacOnly, expectNoLiveToken } from '../support/openbao-deployment-checks.ts';
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
  let apiEnv: Record<string, string>;
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

  /**
   * With no node serving: a create fails ENCRYPTION_UNAVAILABLE (reason UNAVAILABLE) and writes nothing,
   * reads fail field by field (the contract of @decryptFor) naming the cause, and /readyz answers 503
   * naming which component is down, not why (the log names each node). How long the refused create took.
   */
  async function expectNoNodeServes(
    pan: number,
  ): Promise<{ refused: Awaited<ReturnType<typeof createCard>>; ms: number }> {
    const before = await countCards(backends);
    const startedAt = Date.now();
    const refused = await createCard(api, pan, tokens.clerk);
    const ms = Date.now() - startedAt;
    expect(refused).toMatchObject({ ok: false, code: 'ENCRYPTION_UNAVAILABLE', reason: 'UNAVAILABLE' });
    const read = await api.gql('{ creditCards(first: 5) { nodes { id pan } } }', { token: tokens.processor });
    expect(read.errors?.length).toBeGreaterThan(0);
    for (const error of read.errors ?? []) expect(error.extensions).toMatchObject({ reason: 'UNAVAILABLE' });
    const notReady = await readyz(api);
    expect(notReady.status).toBe(503);
    expect(notReady.body).toEqual({ status: 'unavailable', database: 'ok', transit: 'unavailable' });
    expect(await countCards(backends)).toBe(before);
    return { refused, ms };
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

  /**
   * Starts all three (stopped) nodes while a client sends creates and a probe samples /readyz and each
   * node's health, until a node is active, /readyz answered 200 and a create succeeded. Throughout the
   * start-up and the raft election, every failed create must be ENCRYPTION_UNAVAILABLE with reason
   * UNAVAILABLE, and /readyz must answer 503 (transit unavailable) whenever no node is unsealed. OpenBao
   * 2.7.2 standbys serve transit from their own copy before a leader is elected, so /readyz may answer
   * 200 before a node is active (creates then succeed too); it must not while no node serves. The probe
   * asks /readyz before the nodes' health, so a 200 followed by "no node unsealed" is a 200 given while
   * none was.
   */
  async function restartAllThroughElection(label: string, firstCard: number): Promise<void> {
    for (const index of [0, 1, 2]) expect(cluster.isRunning(index)).toBe(false);
    const backAt = Date.now();
    for (const index of [0, 1, 2]) cluster.startNode(index);
    const creates: Array<{ ms: number; ok: boolean; code?: string; reason?: string }> = [];
    const samples: Array<{ ms: number; status: number; body: Record<string, string>; nodes: string }> = [];
    let done = false;
    const creating = (async () => {
      for (let card = firstCard; !done; card++) {
        const created = await createCard(api, card, tokens.clerk);
        creates.push({ ms: Date.now() - backAt, ok: created.ok, code: created.code, reason: created.reason });
        if (created.ok) acknowledged.set(created.id as string, created.pan);
        await sleep(100);
      }
    })();
    while (Date.now() - backAt < 90_000) {
      const ready = await readyz(api);
      const health = await Promise.all([0, 1, 2].map((index) => cluster.health(index)));
      const nodes = health.some((answer) => answer?.status === 200)
        ? 'active'
        : health.some((answer) => answer?.body.sealed === false)
          ? 'unsealed, none active'
          : 'not serving';
      samples.push({ ms: Date.now() - backAt, status: ready.status, body: ready.body, nodes });
      if (ready.status === 200 && nodes === 'active' && creates.some((create) => create.ok)) break;
      await sleep(100);
    }
    done = true;
    await creating;
    const failures = creates.filter((create) => !create.ok);
    const tally = (keys: string[]) =>
      JSON.stringify(Object.fromEntries([...new Set(keys)].map((key) => [key, keys.filter((k) => k === key).length])));
    const timeline = samples
      .filter(
        (sample, index) =>
          index === 0 ||
          `${sample.nodes}${sample.status}` !== `${samples[index - 1]?.nodes}${samples[index - 1]?.status}`,
      )
      .map(
        (sample) =>
          `${sample.ms}:${sample.nodes === 'active' ? 'A' : sample.nodes === 'not serving' ? '-' : 'u'}${sample.status}`,
      );
    console.log(
      `[openbao ha] ${label}: first create acknowledged ${creates.find((create) => create.ok)?.ms ?? '-'} ms after the nodes were started, first node active at ${samples.find((sample) => sample.nodes === 'active')?.ms ?? '-'} ms, first /readyz 200 at ${samples.find((sample) => sample.status === 200)?.ms ?? '-'} ms; ${failures.length} of ${creates.length} creates failed ${tally(failures.map((failure) => `${failure.code}/${failure.reason}`))}; /readyz by node state ${tally(samples.map((sample) => `${sample.nodes}: ${sample.status}`))}; /readyz changes (ms: - none unsealed, u unsealed none active, A active; status) ${timeline.join(' ')}`,
    );
    expect(samples.at(-1)).toMatchObject({ status: 200, nodes: 'active' });
    expect(creates.some((create) => create.ok)).toBe(true);
    // The window was observed: nodes just started cannot serve at once.
    expect(samples.some((sample) => sample.status === 503)).toBe(true);
    for (const failure of failures) {
      expect(failure, `create at ${failure.ms} ms`).toMatchObject({
        code: 'ENCRYPTION_UNAVAILABLE',
        reason: 'UNAVAILABLE',
      });
    }
    for (const sample of samples) {
      if (sample.status === 200) {
        expect(sample.nodes, `/readyz 200 at ${sample.ms} ms while no node was unsealed`).not.toBe('not serving');
        expect(sample.body).toEqual({ status: 'ready', database: 'ok', transit: 'ok' });
      } else {
        expect(sample, `/readyz at ${sample.ms} ms`).toMatchObject({
          status: 503,
          body: { status: 'unavailable', database: 'ok', transit: 'unavailable' },
        });
      }
    }
    expect((await readyz(api)).status).toBe(200);
    await cluster.waitServing(90_000);
    await cluster.waitVoters(3, 90_000);
  }

  beforeAll(async () => {
    const binary = findBao();
    if (binary === undefined) throw new Error('needs the bao binary (.tools/venv/bin/bao)');
    cluster = await OpenBaoCluster.start(binary, 3);
    ({ api, backends, env: apiEnv } = await startApiOnCluster(cluster));
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

  it('a sealed node first in the API’s address list, the node it prefers: the API moves past it to a live node', {
    timeout: 120_000,
  }, async () => {
    // The active node: OpenBao 2.7.2 seals a node by API only while it is active (sys/seal on a
    // standby answers HTTP 500 "invalid request").
    const sealed = (await cluster.activeIndex()) as number;
    expect(sealed).toBeDefined();
    const order = [sealed, ...[0, 1, 2].filter((index) => index !== sealed)];
    const addresses = order.map((index) => cluster.addresses[index] as string);
    // A replica of the API (same database: one reveal record, one checkpoint in the cluster's KV).
    const database = backends.config.database as { url: string };
    const second = await startApiOnDatabase(cluster, database.url, async () => {}, { VAULT_ADDR: addresses.join(',') });
    try {
      const clerk = await second.api.token('clerk');
      const first = await createCard(second.api, 5_555_001, clerk);
      expect(first.ok, JSON.stringify(first)).toBe(true);
      acknowledged.set(first.id as string, first.pan);
      // The API answered from the first address and prefers it.
      expect(await second.backends.transit.describe()).toContain(` at ${addresses[0]}`);

      const operator = await cluster.login('transitql-operator');
      expect((await cluster.request(sealed, 'POST', 'sys/seal', operator, {})).status).toBe(204);
      expect(await cluster.health(sealed)).toMatchObject({ status: 503, body: { sealed: true } });
      const startedAt = Date.now();
      const next = await createCard(second.api, 5_555_002, clerk);
      console.log(
        `[openbao ha] node ${sealed + 1} sealed, first in the API's list and preferred: the next create ${next.ok ? 'succeeded' : `failed ${next.code}/${next.reason}`} in ${Date.now() - startedAt} ms`,
      );
      expect(next.ok, JSON.stringify(next)).toBe(true);
      acknowledged.set(next.id as string, next.pan);
      expect(await second.backends.transit.describe()).not.toContain(` at ${addresses[0]}`);
      expect((await readyz(second.api)).body).toEqual({ status: 'ready', database: 'ok', transit: 'ok' });
      const { cards, errors } = await listCards(second.api, await second.api.token('processor'));
      expect(errors).toEqual([]);
      const stored = new Map(cards.map((card) => [card.id, card.pan]));
      expect([stored.get(first.id as string), stored.get(next.id as string)]).toEqual([first.pan, next.pan]);
      // Control: the sealed node alone does not serve, so the call above was served by moving on.
      const { roleId, secretId } = cluster.credentials('transitql-api');
      const sealedOnly = createTransit(
        testConfig({
          VAULT_ADDR: addresses[0] as string,
          VAULT_CACERT: cluster.caFile,
          VAULT_ROLE_ID: roleId,
          VAULT_SECRET_ID: secretId,
          VAULT_RETRIES: '0',
        }).transit,
      );
      try {
        await expect(sealedOnly.readKey('card-pan')).rejects.toMatchObject({
          code: 'UNAVAILABLE',
          message: expect.stringContaining(`vault at ${addresses[0]} is sealed`),
        });
      } finally {
        await sealedOnly.close();
      }
    } finally {
      await second.api.close();
      await second.backends.close();
    }
  });

  it('every node sealed: ENCRYPTION_UNAVAILABLE with reason, reads fail per field, not ready, nothing written', {
    timeout: 120_000,
  }, async () => {
    const operator = await cluster.login('transitql-operator');
    // OpenBao seals a node by API only while it is active: seal the active node, wait for another to
    // take over, seal that one, until none is left unsealed.
    const sealedInTurn: string[] = [];
    const unsealed = async () =>
      (await Promise.all([0, 1, 2].map((index) => cluster.health(index)))).flatMap((answer, index) =>
        answer?.body.sealed === false ? [index] : [],
      );
    for (let left = await unsealed(); left.length > 0; left = await unsealed()) {
      const waitFrom = Date.now();
      let active = await cluster.activeIndex();
      while (active === undefined && Date.now() - waitFrom < 30_000) {
        await sleep(250);
        active = await cluster.activeIndex();
      }
      if (active === undefined)
        throw new Error(`none of nodes ${left.map((index) => index + 1)} became active to be sealed`);
      const answer = await cluster.request(active, 'POST', 'sys/seal', operator, {});
      expect(answer.status, `seal node ${active + 1}: ${JSON.stringify(answer.body)}`).toBe(204);
      sealedInTurn.push(`node ${active + 1} (active after ${Date.now() - waitFrom} ms)`);
    }
    for (const index of [0, 1, 2]) {
      expect(await cluster.health(index), `node ${index + 1}`).toMatchObject({ status: 503, body: { sealed: true } });
    }
    const { refused, ms } = await expectNoNodeServes(8_888_890);
    console.log(
      `[openbao ha] sealed in turn ${sealedInTurn.join(', ')}; every node sealed: a create answered ${refused.code}/${refused.reason} in ${ms} ms`,
    );

    // They stay down: the next test restarts them (one full restart for both tests, to keep the suite short).
    await Promise.all([0, 1, 2].map((index) => cluster.stopNode(index)));
  });

  it('every node down: ENCRYPTION_UNAVAILABLE with reason, not ready, nothing written; restarted, the nodes unseal themselves and, through the election, every failure is UNAVAILABLE and /readyz 503 while none serves; back without an API restart', {
    timeout: 150_000,
  }, async () => {
    // Already stopped after the previous test (sealed); stopped here when this test runs alone.
    await Promise.all([0, 1, 2].map((index) => cluster.stopNode(index)));
    await expectNoNodeServes(8_888_888);

    await restartAllThroughElection('every node sealed, then stopped, then all three restarted', 8_888_889);
    for (const index of [0, 1, 2]) expect((await cluster.health(index))?.body.sealed, `node ${index + 1}`).toBe(false);
    await expectEveryWriteIntact();
  });

  it('holds no live token on any node, and every node’s audit log has HMAC’d values and no plaintext PAN', async () => {
    await expectNoLiveToken(cluster, apiEnv, (await cluster.activeIndex()) ?? 0);
    const encrypts = expectAuditedWithHmacOnly(cluster.auditLog(), [...acknowledged.values()]);
    // Leadership moved during this suite (the kill -9 test asserts it), so more than one node audited
    // the API's requests: the audit device works on the nodes that joined by retry_join too.
    const auditing = [0, 1, 2].filter((index) => cluster.auditLog(index).includes('"transit/encrypt/card-pan"'));
    console.log(
      `[openbao ha] audit: ${encrypts} encrypt requests checked, ${acknowledged.size} PANs absent; nodes whose audit log holds the API's encrypts: ${auditing.map((index) => index + 1).join(', ')}`,
    );
    expect(auditing.length).toBeGreaterThanOrEqual(2);
  });
});
