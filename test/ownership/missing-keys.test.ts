import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { panFor } from '../support/luhn-pans.ts';
import {
  backendEnv,
  CREATE,
  freshDataDir,
  gql,
  processorReadsAll,
  runTs,
  startApi,
  startExpectingRefusal,
} from './processes.ts';

/**
 * With cards stored, a keyring that lost a key (file or folder deleted, emptied, a version cut off)
 * must stop the start-up: creating a fresh key would make every stored PAN undecryptable, and would
 * put new cards under a key that restoring the old keyring breaks.
 */
describe('start-up refuses over stored ciphertext whose key material is missing [embedded]', () => {
  const dataDir = freshDataDir();
  const env = backendEnv(undefined, dataDir);
  const transitDir = path.join(dataDir, 'transit');
  const keyring = path.join(transitDir, 'keyring.json');
  const saved = path.join(path.dirname(dataDir), `${path.basename(dataDir)}-keyring.json`);
  const masterKey = path.join(dataDir, 'master.key');
  const savedMasterKey = `${saved}.master.key`;
  const cards = new Map<string, string>();

  beforeAll(async () => {
    const api = await startApi(env);
    for (let n = 0; n < 3; n += 1) {
      const created = await gql<{ createCreditCard: { id: string } }>(api.url, 'clerk', CREATE, {
        input: { name: `stored ${n}`, pan: panFor(n, '6') },
      });
      cards.set(created.data?.createCreditCard.id ?? '', panFor(n, '6'));
    }
    await gql(api.url, 'key-admin', 'mutation { rotateKey(name: "card-pan") { latestVersion } }');
    const created = await gql<{ createCreditCard: { id: string } }>(api.url, 'clerk', CREATE, {
      input: { name: 'stored under v2', pan: panFor(9, '6') },
    });
    cards.set(created.data?.createCreditCard.id ?? '', panFor(9, '6'));
    // The processor's read is on the reveal record, sealed under "reveal-seal".
    expect((await processorReadsAll(api.url)).errors).toEqual([]);
    expect(await api.stop()).toBe(0);
    fs.copyFileSync(keyring, saved);
    fs.copyFileSync(masterKey, savedMasterKey);
  }, 180_000);
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(saved, { force: true });
    fs.rmSync(savedMasterKey, { force: true });
  });

  const damages: Array<[string, () => void, RegExp]> = [
    ['keyring.json deleted', () => fs.rmSync(keyring), /key "card-pan" \(4 stored values use it\)/],
    ['transit/ folder deleted', () => fs.rmSync(transitDir, { recursive: true }), /key "card-pan" \(4 stored values/],
    [
      'keyring emptied ("keys": {})',
      () => fs.writeFileSync(keyring, JSON.stringify({ format: 'transitql-keyring/1', keys: {} })),
      /key "card-pan" \(4 stored values/,
    ],
    [
      'version 2 cut off',
      () => {
        const stored = JSON.parse(fs.readFileSync(saved, 'utf8'));
        delete stored.keys['card-pan'].versions['2'];
        stored.keys['card-pan'].latestVersion = 1;
        fs.writeFileSync(keyring, JSON.stringify(stored));
      },
      /key "card-pan" versions v2/,
    ],
    [
      'version 1 deleted below latestVersion 2',
      () => {
        const stored = JSON.parse(fs.readFileSync(saved, 'utf8'));
        delete stored.keys['card-pan'].versions['1'];
        fs.writeFileSync(keyring, JSON.stringify(stored));
      },
      /key "card-pan" versions v1 /,
    ],
    [
      'one whole key removed (card-pan-index), the others kept',
      () => {
        const stored = JSON.parse(fs.readFileSync(saved, 'utf8'));
        delete stored.keys['card-pan-index'];
        fs.writeFileSync(keyring, JSON.stringify(stored));
      },
      /key "card-pan-index" \(\d+ stored values use it\)/,
    ],
    [
      'reveal-seal removed while reveal records are stored',
      () => {
        const stored = JSON.parse(fs.readFileSync(saved, 'utf8'));
        delete stored.keys['reveal-seal'];
        fs.writeFileSync(keyring, JSON.stringify(stored));
      },
      /key "reveal-seal" \(\d+ sealed reveal records use it\)/,
    ],
    [
      'master.key deleted',
      () => fs.rmSync(masterKey),
      /master key file .*master\.key is missing but keyring .* exists/,
    ],
  ];

  it.each(damages)(
    '%s: npm start and transit setup refuse, nothing is written or generated',
    { timeout: 180_000 },
    async (_, damage, names) => {
      damage();
      try {
        const before = fs.existsSync(keyring) ? fs.readFileSync(keyring, 'utf8') : undefined;
        const start = await startExpectingRefusal(env);
        const setup = await runTs('src/cli/transit.ts', ['setup'], { ...env, PORT: '0' });
        for (const [refused, output] of [
          [start, start.output],
          [setup, setup.stdout + setup.stderr],
        ] as const) {
          expect({ code: refused.code, listened: 'listened' in refused && refused.listened }, output).toEqual({
            code: 1,
            listened: false,
          });
          expect(output).toMatch(names);
          expect(output).toMatch(/Restore the keys from a backup|restore the master key it was written with/);
        }
        expect(fs.existsSync(masterKey)).toBe(!/master/.test(String(names)));
        expect(fs.existsSync(keyring) ? fs.readFileSync(keyring, 'utf8') : undefined).toEqual(before);
      } finally {
        fs.mkdirSync(transitDir, { recursive: true, mode: 0o700 });
        fs.copyFileSync(saved, keyring);
        fs.copyFileSync(savedMasterKey, masterKey);
      }
    },
  );

  it('starts again once the keyring is restored, every card decrypting', { timeout: 180_000 }, async () => {
    const api = await startApi(env);
    try {
      const { pans, errors } = await processorReadsAll(api.url);
      expect(errors).toEqual([]);
      expect(new Map([...pans].filter(([id]) => cards.has(id)))).toEqual(cards);
      expect(pans.size).toBe(cards.size);
      // No refused start replaced the seal key: the reveal record still verifies (through this API).
      const verified = await runTs('src/cli/audit.ts', ['verify'], env);
      expect(verified.code, verified.stderr).toBe(0);
      expect(verified.stderr).toContain(`held by the API (PID ${api.pid}`);
      expect(verified.stdout).toMatch(/reveal record intact: [1-9]\d* records/);
    } finally {
      await api.stop();
    }
  });
});
