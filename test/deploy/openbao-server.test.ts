import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTransit } from '../../src/field-encryption/transit/create-transit.ts';
import type { TestApi } from '../support/api.ts';
import type { Backends } from '../support/backends.ts';
import { testConfig } from '../support/backends.ts';
import { countCards } from '../support/cards.ts';
import { startApiOnCluster } from '../support/cluster-api.ts';
import { createCard, listCards, readyz } from '../support/cluster-traffic.ts';
import { findBao, freePort } from '../support/global-setup.ts';
import { OpenBaoCluster } from '../support/openbao-cluster.ts';
import { expectAuditedWithHmacOnly, expectNoLiveToken } from '../support/openbao-deployment-checks.ts';
import { describeOnRealBackends } from '../support/real-only.ts';

const CARDS = 25;

describeOnRealBackends('OpenBao in server mode from deploy/openbao, one node', () => {
  let cluster: OpenBaoCluster;
  let api: TestApi;
  let backends: Backends;
  let apiEnv: Record<string, string>;
  let clerk: string;
  let processor: string;
  const created = new Map<string, string>();

  beforeAll(async () => {
    const binary = findBao();
    if (binary === undefined) throw new Error('needs the bao binary (.tools/venv/bin/bao)');
    cluster = await OpenBaoCluster.start(binary, 1);
    ({ api, backends, env: apiEnv } = await startApiOnCluster(cluster));
    clerk = await api.token('clerk');
    processor = await api.token('processor');
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    await backends?.close();
    await cluster?.stop();
  });

  it('initializes itself from the committed config: TLS, auto-unsealed, audit device, AppRole, the schema key', async () => {
    const health = await cluster.health(0);
    expect(health?.body).toMatchObject({ initialized: true, sealed: false, standby: false, version: '2.7.2' });
    expect((await readyz(api)).body).toEqual({ status: 'ready', database: 'ok', transit: 'ok' });
    expect(await backends.transit.describe()).toMatch(/^Vault\/OpenBao 2\.7\.2 at https:\/\/127\.0\.0\.1:\d+ /);
    // The API's token carries its own policy only, and that policy cannot administer anything.
    const token = await cluster.login('transitql-api');
    const self = await cluster.request(0, 'GET', 'auth/token/lookup-self', token);
    expect(self.body.data?.policies).toEqual(['default', 'transitql-api']);
    for (const [method, apiPath] of [
      ['GET', 'sys/mounts'],
      ['POST', 'transit/keys/other-key'],
      ['POST', 'sys/policies/acl/transitql-api'],
      ['GET', 'sys/audit'],
    ] as const) {
      const answer = await cluster.request(0, method, apiPath, token, {});
      expect(answer.status, `${method} ${apiPath}: ${JSON.stringify(answer.body)}`).toBe(403);
    }
  });

  it('moves on to the next address when one is unreachable, and names every node when none serves', async () => {
    const dead = `https://127.0.0.1:${await freePort()}`;
    const { roleId, secretId } = cluster.credentials('transitql-api');
    const transitOn = (addresses: string[]) =>
      createTransit(
        testConfig({
          VAULT_ADDR: addresses.join(','),
          VAULT_CACERT: cluster.caFile,
          VAULT_ROLE_ID: roleId,
          VAULT_SECRET_ID: secretId,
          VAULT_RETRIES: '0',
        }).transit,
      );
    const failover = transitOn([dead, ...cluster.addresses]);
    try {
      const [encrypted] = await failover.encrypt('card-pan', [
        { plaintext: Buffer.from('4539296620131157'), context: Buffer.from('a-card-id') },
      ]);
      expect(encrypted?.ok && encrypted.value).toMatch(/^vault:v1:/);
      await expect(failover.health()).resolves.toBeUndefined();
    } finally {
      await failover.close();
    }
    const nowhere = transitOn([dead, `https://127.0.0.1:${await freePort()}`]);
    try {
      await expect(nowhere.readKey('card-pan')).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        message: expect.stringMatching(
          /^no Vault\/OpenBao node serves: vault at https:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\); vault at https:\/\/127\.0\.0\.1:\d+ is unreachable/,
        ),
      });
    } finally {
      await nowhere.close();
    }
  });

  it('keeps every key and PAN across a restart of the node, unsealing itself; the API recovers without a restart', async () => {
    for (let n = 0; n < CARDS; n++) {
      const outcome = await createCard(api, 1_000 + n, clerk);
      expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
      created.set(outcome.id as string, outcome.pan);
    }

    await cluster.stopNode(0);
    const down = await createCard(api, 9_999, clerk);
    expect(down).toMatchObject({ ok: false, code: 'ENCRYPTION_UNAVAILABLE', reason: 'UNAVAILABLE' });
    expect(await countCards(backends)).toBe(CARDS);
    const notReady = await readyz(api);
    expect(notReady.status).toBe(503);
    expect(notReady.body).toEqual({ status: 'unavailable', database: 'ok', transit: 'unavailable' });

    cluster.startNode(0);
    await cluster.waitServing(60_000);
    const { cards, errors } = await listCards(api, processor);
    expect(errors).toEqual([]);
    expect(new Map(cards.map((card) => [card.id, card.pan]))).toEqual(created);
    expect((await readyz(api)).status).toBe(200);
  });

  it('holds no root token anywhere: process environments, files, logs of the deployment', async () => {
    await expectNoLiveToken(cluster, apiEnv);
  });

  it('audits the API’s requests with HMAC’d values and never a plaintext PAN', () => {
    expectAuditedWithHmacOnly(cluster.auditLog(), created.values());
  });
});
