import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REVEAL_SEAL_KEY } from '../../src/encryption-declarations.ts';
import { createTransit, RevealLedger, type Transit } from '../../src/field-encryption/index.ts';
import { FileAnchor } from '../../src/field-encryption/transit/embedded/file-anchor.ts';
import type { RecordAnchor } from '../../src/field-encryption/transit/record-anchor.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { group, request } from '../support/reveal-fixtures.ts';

const MAX_MS = 300;

/**
 * An anchor the key service stops taking writes for: on OpenBao a token whose policy reads the
 * checkpoint but may not write it (until `allow`); on the embedded engine a directory standing where
 * the checkpoint's temporary file must be created (until removed).
 */
async function refusingAnchor(
  backends: Backends,
): Promise<{ anchor: RecordAnchor; transit: Transit; allow(): Promise<void>; close(): Promise<void> }> {
  const { config } = backends;
  if (config.transit.kind === 'embedded') {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-refusing-'));
    const blocker = path.join(directory, `record-anchor.json.${process.pid}.tmp`);
    fs.mkdirSync(blocker);
    return {
      anchor: new FileAnchor(directory),
      transit: backends.transit,
      allow: async () => fs.rmdirSync(blocker),
      close: async () => fs.rmSync(directory, { recursive: true, force: true }),
    };
  }
  const { address, mount, anchor, auth } = config.transit;
  if (auth.method !== 'token') throw new Error('the suite runs OpenBao with a token');
  const bao = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${address}/v1/${route}`, {
      method,
      headers: { 'X-Vault-Token': auth.token, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? {} : ((await response.json()) as { auth?: { client_token: string } });
  };
  const name = `checkpoint-${mount}`;
  const policy = (capabilities: string) =>
    `path "${mount}/*" { capabilities = ["create", "read", "update"] }\npath "${anchor.mount}/data/${anchor.path}" { capabilities = [${capabilities}] }`;
  await bao('PUT', `sys/policies/acl/${name}`, { policy: policy('"read"') });
  const created = await bao('POST', 'auth/token/create', { policies: [name], ttl: '1h' });
  const transit = createTransit({
    ...config.transit,
    auth: { method: 'token', token: created.auth?.client_token as string },
  });
  return {
    anchor: transit.anchor(),
    transit,
    allow: async () => {
      await bao('PUT', `sys/policies/acl/${name}`, { policy: policy('"read", "create", "update"') });
    },
    close: async () => {
      await transit.close();
      await bao('DELETE', `sys/policies/acl/${name}`);
    },
  };
}

describe.each(backendSets())('reveals stop when no checkpoint can be written [$name]', (set) => {
  let backends: Backends;
  beforeEach(async () => {
    backends = await set.open();
    await backends.transit.createKey(REVEAL_SEAL_KEY);
  });
  afterEach(() => backends.close());

  it('past the longest wait for a checkpoint, writes are refused naming the anchor; they resume once it is written', async () => {
    const refusing = await refusingAnchor(backends);
    try {
      const failures: unknown[] = [];
      const ledger = new RevealLedger(backends.database.db, refusing.transit, REVEAL_SEAL_KEY, {
        anchor: refusing.anchor,
        maxUncheckpointedMs: MAX_MS,
        onCheckpointFailed: (error) => failures.push(error),
      });
      await ledger.append(request('first'), [group]);
      await new Promise((resolve) => setTimeout(resolve, MAX_MS + 100));
      expect(failures.length).toBeGreaterThan(0);
      await expect(ledger.append(request('second'), [group])).rejects.toThrow(
        `reveal record refused: no checkpoint could be written to ${refusing.anchor.location} for`,
      );

      await refusing.allow();
      await expect.poll(async () => (await refusing.anchor.read())?.seq, { timeout: 5_000 }).toBeDefined();
      await ledger.append(request('third'), [group]);
      await ledger.flushCheckpoints();
      const { records, broken } = await ledger.verify();
      expect({ records, broken }).toEqual({ records: 2, broken: undefined });
      expect((await refusing.anchor.read())?.seq).toBeGreaterThan(0);
      await ledger.close();
    } finally {
      await refusing.close();
    }
  });
});
