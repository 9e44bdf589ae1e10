import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbProgram } from '../../src/cli/db/program.ts';
import type { OperatorProgram } from '../../src/cli/operator/program.ts';
import { transitProgram } from '../../src/cli/transit/program.ts';
import { REVEAL_SEAL_KEY } from '../../src/encryption-declarations.ts';
import { ADMIN_ROLE, type RevealEventRow, RevealLedger, revealEvents } from '../../src/field-encryption/index.ts';
import { backendEnv, freshDataDir, runTs } from '../ownership/processes.ts';
import { useTestApi } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';
import { CREATE_CARDS, PANS } from '../support/cards.ts';

const EVENTS = `query Events { revealEvents(first: 100) { nodes { seq kind role mask field key subject operation count } } }`;

interface Entry {
  action: string;
  key: string;
  subject: string;
  via: string;
  outcome: string;
}

const entryOf = (row: Pick<RevealEventRow, 'field' | 'key' | 'subject' | 'operation'>): Entry => {
  const { via, outcome } = JSON.parse(row.operation ?? '{}') as { via: string; outcome: string };
  return { action: row.field, key: row.key, subject: row.subject, via, outcome };
};

describe.each(backendSets())('the administrative record: every key and data-directory command [$name]', (set) => {
  const context = useTestApi(set);
  const adminRows = () =>
    context.backends.database.db
      .select()
      .from(revealEvents)
      .where(eq(revealEvents.role, ADMIN_ROLE))
      .orderBy(asc(revealEvents.seq));
  const ledger = () => new RevealLedger(context.backends.database.db, context.backends.transit, REVEAL_SEAL_KEY);

  /** An operator command as `npm run <program> -- <argv>` runs it in the CLI, on these backends. */
  const operator = async (program: OperatorProgram, ...argv: string[]) => operatorIn('cli', program, ...argv);
  const operatorIn = async (runsIn: 'cli' | 'api', program: OperatorProgram, ...argv: string[]) => {
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
    const { backends } = context;
    const code = await program
      .run(
        argv,
        {
          config: backends.config,
          runsIn,
          transit: () => backends.transit,
          withDatabase: (use) => use(backends.database),
        },
        io,
      )
      .catch((error: Error) => {
        lines.push(error.message);
        return 1;
      });
    return { code, output: lines.join('\n') };
  };

  it('[PCI 10.2.1.2] each CLI key command leaves a sealed entry: who ran it, what, on which key, how it ended', {
    timeout: 120_000,
  }, async () => {
    const { api } = context;
    const created = await api.gql(CREATE_CARDS, {
      role: 'clerk',
      variables: { inputs: [{ name: 'A', pan: PANS.carlos }] },
    });
    expect(created.errors).toBeUndefined();
    const me = os.userInfo().username;
    // Setup writes global policies on OpenBao (raced by other suites): there, the CLI suite runs it.
    if (set.name === 'embedded') expect((await operator(transitProgram, 'setup', '--by', 'ops-ana')).code).toBe(0);
    expect((await operator(transitProgram, 'rotate', 'card-pan')).code).toBe(0);
    expect((await operator(transitProgram, 'rewrap', 'card-pan', '--by', 'ops-ana')).code).toBe(0);
    expect((await operator(transitProgram, 'rotate', 'card-pan-index', '--by', 'ops-ana')).code).toBe(0);
    expect((await operator(transitProgram, 'reindex', 'card-pan-index', '--by', 'ops-ana')).code).toBe(0);
    expect((await operator(transitProgram, 'retire', 'card-pan-index', '2', '--by', 'ops-ana')).code).toBe(0);
    const bind = await operator(transitProgram, 'bind', 'card-pan', '--from', 'card-pan-legacy', '--by', 'ops-ana');
    expect(bind.code).toBe(1);
    expect(bind.output).toContain('card-pan-legacy');
    expect((await operator(transitProgram, 'info', 'card-pan')).code).toBe(0);

    expect((await adminRows()).map(entryOf)).toEqual([
      ...(set.name === 'embedded'
        ? [{ action: 'key.setup', key: '', subject: 'ops-ana', via: 'cli', outcome: 'succeeded' }]
        : []),
      { action: 'key.rotate', key: 'card-pan', subject: me, via: 'cli', outcome: 'succeeded' },
      { action: 'key.rewrap', key: 'card-pan', subject: 'ops-ana', via: 'cli', outcome: 'succeeded' },
      { action: 'key.rotate', key: 'card-pan-index', subject: 'ops-ana', via: 'cli', outcome: 'succeeded' },
      { action: 'key.reindex', key: 'card-pan-index', subject: 'ops-ana', via: 'cli', outcome: 'succeeded' },
      { action: 'key.retire', key: 'card-pan-index', subject: 'ops-ana', via: 'cli', outcome: 'succeeded' },
      // A command that failed is on the record too (info only reads: it is not).
      { action: 'key.bind', key: 'card-pan', subject: 'ops-ana', via: 'cli', outcome: 'failed' },
    ]);
    expect((await ledger().verify()).broken).toBeUndefined();
  });

  it('[PCI 10.2.1.2] db backup and restore are recorded, refused ones too', async () => {
    const archive = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-admin-')), 'backup.tgz');
    // The embedded database is backed up; PostgreSQL refuses (pg_dump is its tool): the attempt is recorded.
    const backup = await operator(dbProgram, 'backup', archive, '--by', 'ops-ana');
    expect(backup.code).toBe(set.name === 'embedded' ? 0 : 1);
    // A restore sent to the running API is refused (it needs the API stopped): recorded as failed.
    const restore = await operatorIn('api', dbProgram, 'restore', archive, '--by', 'ops-ana');
    expect(restore.code).toBe(1);
    expect((await adminRows()).map(entryOf).slice(-2)).toEqual([
      {
        action: 'db.backup',
        key: '',
        subject: 'ops-ana',
        via: 'cli',
        outcome: set.name === 'embedded' ? 'succeeded' : 'failed',
      },
      { action: 'db.restore', key: '', subject: 'ops-ana', via: 'cli', outcome: 'failed' },
    ]);
    fs.rmSync(path.dirname(archive), { recursive: true, force: true });
  });

  it('[PCI 10.2.1.2] rotateKey and rewrapKey through GraphQL are recorded under the token subject, and the auditor reads them', async () => {
    const { api } = context;
    expect(
      (await api.gql('mutation { rotateKey(name: "card-pan") { latestVersion } }', { role: 'key-admin' })).errors,
    ).toBeUndefined();
    expect((await api.gql('mutation { rewrapKey(name: "card-pan") { failed } }', { role: 'key-admin' })).data).toEqual({
      rewrapKey: { failed: 0 },
    });
    const refused = await api.gql('mutation { rotateKey(name: "no-such-key") { latestVersion } }', {
      role: 'key-admin',
    });
    expect(refused.errors?.[0]).toBeDefined();

    const events = await api.gql<{ revealEvents: { nodes: Array<Record<string, unknown>> } }>(EVENTS, {
      role: 'auditor',
    });
    const admin = (events.data?.revealEvents.nodes ?? []).filter((node) => node.kind === 'ADMIN');
    expect(admin.slice(-3).map((node) => ({ ...entryOf(node as never), mask: node.mask, count: node.count }))).toEqual([
      {
        action: 'key.rotate',
        key: 'card-pan',
        subject: 'test-key-admin',
        via: 'graphql',
        outcome: 'succeeded',
        mask: null,
        count: 0,
      },
      {
        action: 'key.rewrap',
        key: 'card-pan',
        subject: 'test-key-admin',
        via: 'graphql',
        outcome: 'succeeded',
        mask: null,
        count: 0,
      },
      {
        action: 'key.rotate',
        key: 'no-such-key',
        subject: 'test-key-admin',
        via: 'graphql',
        outcome: 'failed',
        mask: null,
        count: 0,
      },
    ]);
  });

  it('[PCI 10.3.4] audit verify names an edited administrative entry, and a deleted one', async () => {
    const { db } = context.backends.database;
    // Two entries of its own, so that the first is neither the last nor one the other tests need.
    const before = (await adminRows()).length;
    expect((await operator(transitProgram, 'rotate', 'card-pan', '--by', 'ops-ana')).code).toBe(0);
    expect((await operator(transitProgram, 'rotate', 'card-pan', '--by', 'ops-ana')).code).toBe(0);
    const first = (await adminRows())[before];
    if (first === undefined) throw new Error('expected administrative entries');
    await db.update(revealEvents).set({ subject: 'someone-else' }).where(eq(revealEvents.seq, first.seq));
    expect((await ledger().verify()).broken).toEqual({
      seq: first.seq,
      problem: 'its contents do not match its hash (edited)',
    });
    await db.update(revealEvents).set({ subject: first.subject }).where(eq(revealEvents.seq, first.seq));
    expect((await ledger().verify()).broken).toBeUndefined();

    await db.delete(revealEvents).where(eq(revealEvents.seq, first.seq));
    const { broken } = await ledger().verify();
    expect(broken?.problem).toBe('does not follow the record before it (deleted, inserted or reordered)');
    expect(broken?.seq).toBeGreaterThan(first.seq);
    await db.insert(revealEvents).values(first);
    expect((await ledger().verify()).broken).toBeUndefined();
  });
});

describe('the administrative record across a restore: npm run db -- backup, then restore into a fresh directory [embedded]', () => {
  it('[PCI 10.2.1.2] the source records the backup, the restored directory the restore, each under its operator', {
    timeout: 180_000,
  }, async () => {
    const source = freshDataDir();
    const target = freshDataDir();
    const archive = path.join(source, '..', `${path.basename(source)}.tgz`);
    try {
      expect((await runTs('src/cli/transit.ts', ['setup'], backendEnv(undefined, source))).code).toBe(0);
      const backup = await runTs(
        'src/cli/db.ts',
        ['backup', archive, '--by', 'ops-bea'],
        backendEnv(undefined, source),
      );
      expect(backup.code, backup.stderr).toBe(0);
      fs.mkdirSync(path.join(target, 'transit'), { recursive: true, mode: 0o700 });
      fs.copyFileSync(path.join(source, 'transit', 'keyring.json'), path.join(target, 'transit', 'keyring.json'));
      fs.copyFileSync(path.join(source, 'master.key'), path.join(target, 'master.key'));
      const restored = await runTs(
        'src/cli/db.ts',
        ['restore', archive, '--by', 'ops-bea'],
        backendEnv(undefined, target),
      );
      expect(restored.code, restored.stderr).toBe(0);

      const sourceTail = await runTs('src/cli/audit.ts', ['tail'], backendEnv(undefined, source));
      expect(sourceTail.stdout).toMatch(/│ admin\s+│ ADMIN\s+│ key\.setup\s+│ \{"via":"cli","outcome":"succeeded"/);
      expect(sourceTail.stdout).toMatch(
        /ops-bea\s+│ admin\s+│ ADMIN\s+│ db\.backup\s+│ \{"via":"cli","outcome":"succeeded"/,
      );
      const targetTail = await runTs('src/cli/audit.ts', ['tail'], backendEnv(undefined, target));
      expect(targetTail.stdout).toMatch(
        /ops-bea\s+│ admin\s+│ ADMIN\s+│ db\.restore\s+│ \{"via":"cli","outcome":"succeeded"/,
      );
      expect(targetTail.stdout).not.toContain('db.backup');
      const verified = await runTs('src/cli/audit.ts', ['verify'], backendEnv(undefined, target));
      expect(verified.stdout).toContain('reveal record intact: 2 records, chain and seals verified');
    } finally {
      for (const dir of [source, target, archive]) fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
