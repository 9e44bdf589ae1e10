import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REVEAL_SEAL_KEY } from '../../src/encryption-declarations.ts';
import {
  createTransit,
  EmbeddedTransit,
  KeyringStore,
  revealEvents,
  revealReservations,
} from '../../src/field-encryption/index.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { CREATE_CARDS, PANS } from '../support/cards.ts';

const LIST = 'query ListCards { creditCards { nodes { id pan } } }';
type Listed = { creditCards: { nodes: Array<{ id: string; pan: string | null }> } };

/**
 * The API on transit that will refuse the reveal seal's HMAC while still decrypting: on OpenBao a
 * token whose policy is then changed to deny `hmac/reveal-seal`; on the embedded engine a keyring on
 * disk from which the seal key is then removed.
 */
async function withRefusableSeal(
  backends: Backends,
): Promise<{ api: TestApi; refuse(): Promise<void>; close(): Promise<void> }> {
  const { config } = backends;
  if (config.transit.kind === 'embedded') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-seal-'));
    const transit = new EmbeddedTransit(new KeyringStore(dir, randomBytes(32)), dir);
    const api = await startTestApi({ ...backends, transit });
    const file = path.join(dir, 'keyring.json');
    return {
      api,
      refuse: async () => {
        const keyring = JSON.parse(fs.readFileSync(file, 'utf8')) as { keys: Record<string, unknown> };
        delete keyring.keys[REVEAL_SEAL_KEY];
        fs.writeFileSync(file, JSON.stringify(keyring));
      },
      close: async () => {
        await api.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const { address, mount, auth } = config.transit;
  if (auth.method !== 'token') throw new Error('the suite runs OpenBao with a token');
  const bao = (method: string, route: string, body?: unknown) =>
    fetch(`${address}/v1/${route}`, {
      method,
      headers: { 'X-Vault-Token': auth.token, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).then(async (response) => {
      if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
      return response.status === 204 ? {} : ((await response.json()) as { auth?: { client_token: string } });
    });
  const policyName = `seal-${mount}`;
  // Transit, and the reveal record's checkpoint.
  const allow = [mount, config.transit.anchor.mount]
    .map((path) => `path "${path}/*" { capabilities = ["create", "read", "update", "list"] }`)
    .join('\n');
  await bao('PUT', `sys/policies/acl/${policyName}`, { policy: allow });
  const created = await bao('POST', 'auth/token/create', { policies: [policyName], ttl: '1h' });
  const token = created.auth?.client_token as string;
  const limited = { ...config, transit: { ...config.transit, auth: { method: 'token' as const, token } } };
  const transit = createTransit(limited.transit);
  const api = await startTestApi({ ...backends, config: limited, transit });
  return {
    api,
    refuse: async () => {
      const deny = `path "${mount}/hmac/${REVEAL_SEAL_KEY}" { capabilities = ["deny"] }`;
      await bao('PUT', `sys/policies/acl/${policyName}`, { policy: `${allow}\n${deny}` });
    },
    close: async () => {
      await api.close();
      await transit.close();
      await bao('DELETE', `sys/policies/acl/${policyName}`);
    },
  };
}

describe.each(backendSets())('the transit HMAC that seals the reveal record is refused [$name]', (set) => {
  let backends: Backends;
  let seal: Awaited<ReturnType<typeof withRefusableSeal>>;
  beforeAll(async () => {
    backends = await set.open();
    seal = await withRefusableSeal(backends);
  });
  afterAll(async () => {
    await seal?.close();
    await backends?.close();
  });

  it('no plaintext or mask leaves: DECRYPTION_FAILED, reason AUDIT_UNAVAILABLE, nothing recorded', async () => {
    const { api } = seal;
    await api.gql(CREATE_CARDS, {
      role: 'clerk',
      variables: {
        inputs: [
          { name: 'A', pan: PANS.carlos },
          { name: 'B', pan: PANS.anibal },
        ],
      },
    });
    const before = await api.gql<Listed>(LIST, { role: 'processor' });
    expect(before.data?.creditCards.nodes.map((card) => card.pan)).toEqual([PANS.carlos, PANS.anibal]);
    const recorded = (await backends.database.db.select().from(revealEvents)).length;
    expect(recorded).toBe(1);

    await seal.refuse();
    for (const role of ['processor', 'support']) {
      const answer = await api.gql<Listed>(LIST, { role });
      expect(answer.data ?? null, role).toBeNull();
      expect(answer.errors?.map((error) => [error.extensions?.code, error.extensions?.reason])).toEqual([
        ['DECRYPTION_FAILED', 'AUDIT_UNAVAILABLE'],
      ]);
      const text = JSON.stringify(answer);
      expect(text).not.toContain(PANS.carlos);
      expect(text).not.toContain('1157');
      expect(text).not.toContain('7021');
    }
    expect(await backends.database.db.select().from(revealEvents)).toHaveLength(recorded);
    expect(await backends.database.db.select().from(revealReservations)).toEqual([]);
    const asClerk = await api.gql<Listed>(LIST, { role: 'clerk' });
    expect(asClerk.errors).toBeUndefined();
    expect(asClerk.data?.creditCards.nodes.every((card) => card.pan?.startsWith('vault:'))).toBe(true);
    const metrics = await (await fetch(api.url.replace(/\/graphql$/, '/metrics'))).text();
    expect(metrics).toContain('transitql_audit_write_duration_seconds_count{outcome="failed"} 2');
  });
});
