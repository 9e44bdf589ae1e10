import fs from 'node:fs';
import { expect } from 'vitest';
import type { OpenBaoCluster } from './openbao-cluster.ts';

/** Token formats of OpenBao/Vault: service tokens (s., hvs.), batch tokens (b., hvb.). */
const TOKEN_PATTERN = /\b(?:hv)?[sb]\.[A-Za-z0-9]{20,}\b/g;

/**
 * No live token in any process environment, file or log of the deployment: every bao process's
 * /proc/<pid>/environ, the API's environment, every file under the cluster's directory (configs,
 * secrets, server logs, audit logs; raft data excluded). Every token-shaped string found is tried
 * with lookup-self on `node` and must be refused. The self-initialization's root token is revoked.
 */
export async function expectNoLiveToken(
  cluster: OpenBaoCluster,
  apiEnv: Record<string, string>,
  node = 0,
): Promise<void> {
  const places: Array<[string, string]> = [];
  expect(cluster.pids.length).toBeGreaterThan(0);
  for (const pid of cluster.pids) {
    places.push([`environment of bao ${pid}`, fs.readFileSync(`/proc/${pid}/environ`, 'utf8')]);
  }
  places.push(['environment of the API', JSON.stringify(apiEnv)]);
  for (const file of cluster.files()) places.push([file, fs.readFileSync(file, 'latin1')]);
  const liveTokensIn = async (texts: string[]): Promise<string[]> => {
    const live: string[] = [];
    for (const token of new Set(texts.flatMap((text) => text.match(TOKEN_PATTERN) ?? []))) {
      if ((await cluster.request(node, 'GET', 'auth/token/lookup-self', token)).status !== 403) live.push(token);
    }
    return live;
  };
  expect(await liveTokensIn(places.map(([, text]) => text))).toEqual([]);
  // The detector finds a live token where there is one (here: a fresh login of the API's role).
  const control = await cluster.login('transitql-api');
  expect(await liveTokensIn([`VAULT_TOKEN=${control}`])).toEqual([control]);
  for (const [place, text] of places) expect(text, place).not.toMatch(/root[_ ]token["=:\s]+(?:hv)?s\./i);
  // Self-initialization ran on a root token OpenBao revoked itself once done.
  expect(cluster.logs()).toMatch(/revoked lease: lease_id=auth\/token\/root\//);
  const env = Object.keys(apiEnv);
  expect(env).not.toContain('VAULT_TOKEN');
  expect(env).not.toContain('ALLOW_ROOT_TOKEN');
}

/**
 * The audit log (one node's, or several concatenated) records the API's transit requests with
 * HMAC'd tokens, plaintexts and results, and holds none of `pans`, raw or base64. Answers how many
 * encrypt request entries it checked.
 */
export function expectAuditedWithHmacOnly(audit: string, pans: Iterable<string>): number {
  const entries = audit
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as AuditEntry);
  const encrypts = entries.filter(
    (entry) => entry.type === 'request' && entry.request?.path === 'transit/encrypt/card-pan',
  );
  expect(encrypts.length).toBeGreaterThan(0);
  for (const entry of encrypts) {
    expect(entry.auth?.policies).toContain('transitql-api');
    expect(entry.auth?.client_token).toMatch(/^hmac-sha256:/);
    for (const item of entry.request?.data?.batch_input ?? []) expect(item.plaintext).toMatch(/^hmac-sha256:/);
  }
  const decrypts = entries.filter(
    (entry) => entry.type === 'response' && entry.request?.path === 'transit/decrypt/card-pan',
  );
  expect(decrypts.length).toBeGreaterThan(0);
  for (const entry of decrypts) {
    for (const item of entry.response?.data?.batch_results ?? []) expect(item.plaintext).toMatch(/^hmac-sha256:/);
  }
  let checked = 0;
  for (const pan of pans) {
    expect(audit).not.toContain(pan);
    expect(audit).not.toContain(Buffer.from(pan).toString('base64'));
    checked++;
  }
  expect(checked).toBeGreaterThan(0);
  return encrypts.length;
}

interface AuditEntry {
  type: 'request' | 'response';
  auth?: { client_token?: string; policies?: string[] };
  request?: { path?: string; data?: { batch_input?: Array<{ plaintext?: string }> } };
  response?: { data?: { batch_results?: Array<{ plaintext?: string }> } };
}
