import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readOwner } from '../../src/owner/data-dir-owner.ts';
import { sendOperatorCommand } from '../../src/owner/operator-channel.ts';
import { panFor } from '../support/luhn-pans.ts';
import {
  type ApiProcess,
  backendEnv,
  CREATE,
  freshDataDir,
  gql,
  processorReadsAll,
  runTs,
  startApi,
} from './processes.ts';

const ROTATE = 'mutation { rotateKey(name: "card-pan") { latestVersion } }';
const KEY = 'query { transitKey(name: "card-pan") { latestVersion versions { version } } }';

/**
 * 100 rotations at once from the API (GraphQL) and from operator commands: 10 as real CLI processes,
 * the rest sent the way the CLI sends them to the running API (its operator socket), so the machine
 * is not asked to start 50 Node processes. Every version must survive, and every card decrypt.
 */
describe('100 rotations interleaved from the API and the CLI [embedded]', () => {
  const dataDir = freshDataDir();
  const env = backendEnv(undefined, dataDir);
  let api: ApiProcess | undefined;
  afterAll(async () => {
    await api?.stop('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every version and every card', { timeout: 300_000 }, async () => {
    api = await startApi(env);
    const url = api.url;
    const socket = (await readOwner(dataDir))?.controlSocket;
    expect(socket).toBeDefined();
    const cards = new Map<string, string>();
    const silent = { out: () => {}, err: () => {} };
    const viaApi = Array.from({ length: 45 }, async (_, n) => {
      const rotated = await gql(url, 'key-admin', ROTATE);
      expect(rotated.errors).toBeUndefined();
      const created = await gql<{ createCreditCard: { id: string } }>(url, 'clerk', CREATE, {
        input: { name: `between rotations ${n}`, pan: panFor(n, '37') },
      });
      cards.set(created.data?.createCreditCard.id ?? '', panFor(n, '37'));
    });
    const viaSocket = Array.from({ length: 45 }, () =>
      sendOperatorCommand(socket as string, 'transit', ['rotate', 'card-pan'], silent),
    );
    const viaCli = Array.from({ length: 10 }, () => runTs('src/cli/transit.ts', ['rotate', 'card-pan'], env));
    await Promise.all(viaApi);
    expect(await Promise.all(viaSocket)).toEqual(Array(45).fill(0));
    for (const result of await Promise.all(viaCli)) expect(result.code, result.stderr).toBe(0);

    const check = async () => {
      const key = await gql<{ transitKey: { latestVersion: number; versions: Array<{ version: number }> } }>(
        api?.url ?? '',
        'key-admin',
        KEY,
      );
      expect(key.data?.transitKey.latestVersion).toBe(101);
      expect(key.data?.transitKey.versions.map(({ version }) => version)).toEqual(
        Array.from({ length: 101 }, (_, index) => index + 1),
      );
      const { pans, errors } = await processorReadsAll(api?.url ?? '');
      expect(errors).toEqual([]);
      expect(new Map([...pans].filter(([id]) => cards.has(id)))).toEqual(cards);
    };
    await check();
    expect(await api.stop()).toBe(0);
    api = await startApi(env);
    await check();
  });
});
