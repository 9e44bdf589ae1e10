import { asc, count, gt, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditProgram } from '../../src/cli/audit/program.ts';
import { REVEAL_SEAL_KEY } from '../../src/encryption-declarations.ts';
import { RevealLedger, revealEvents, revealReservations } from '../../src/field-encryption/index.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { CREATE_CARDS, PANS } from '../support/cards.ts';

const LIST = 'query ListCards { creditCards { nodes { id pan } } }';
type Listed = { creditCards: { nodes: Array<{ id: string; pan: string | null }> } };

/**
 * The reveal record's end is checkpointed in the key service: cutting its tail, emptying it or putting
 * an older copy back is named by `audit verify`, refused by the API, and not forgotten by a restart.
 */
describe.each(backendSets())('the reveal record is anchored outside the database [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;
  beforeEach(async () => {
    backends = await set.open();
    api = await startTestApi(backends);
    await api.gql(CREATE_CARDS, {
      role: 'clerk',
      variables: {
        inputs: [
          { name: 'A', pan: PANS.carlos },
          { name: 'B', pan: PANS.anibal },
        ],
      },
    });
  });
  afterEach(async () => {
    await api.close();
    await backends.close();
  });

  const records = () => backends.database.db.select().from(revealEvents).orderBy(asc(revealEvents.seq));
  /** Until the checkpoint holds every write so far (it follows each write when idle). */
  const checkpointed = async () => {
    const ledger = api.app.services.revealLedger as RevealLedger & { flushCheckpoints?: () => Promise<void> };
    await (ledger.flushCheckpoints?.() ?? new Promise((resolve) => setTimeout(resolve, 200)));
  };
  const restart = async () => {
    await api.close();
    api = await startTestApi(backends);
  };
  const audit = async (...argv: string[]) => {
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
    const code =
      auditProgram.preflight(argv, io) ??
      (await auditProgram.run(
        argv,
        {
          config: backends.config,
          runsIn: 'cli',
          transit: () => backends.transit,
          withDatabase: (use) => use(backends.database),
        },
        io,
      ));
    return { code, lines };
  };
  const reveal = (role = 'processor') => api.gql<Listed>(LIST, { role });
  /** A reveal the API refused to record, so withheld: no PAN, not even masked, leaves. */
  const expectRefused = async (role = 'processor') => {
    const answer = await reveal(role);
    expect(answer.data ?? null).toBeNull();
    expect(answer.errors?.map((error) => error.extensions?.reason)).toEqual(['AUDIT_UNAVAILABLE']);
    expect(JSON.stringify(answer)).not.toContain(PANS.carlos.slice(-4));
  };
  /** Refused by a ledger that starts afresh (another replica, or the API after a restart), saying why. */
  const expectAppendRefused = async (named: string) => {
    const ledger = new RevealLedger(backends.database.db, backends.transit, REVEAL_SEAL_KEY);
    const request = { requestId: 'r', subject: 's', operation: undefined, clientAddress: undefined };
    const group = {
      field: 'CreditCard.pan',
      key: 'card-pan',
      role: 'processor',
      mask: 'NONE',
      recordIds: [],
      count: 1,
    };
    await expect(ledger.append(request, [group])).rejects.toThrow(named);
  };

  it('a cut tail: verify names it, the API refuses to chain onto it, and a restart does not absorb it', async () => {
    for (let n = 0; n < 3; n++) expect((await reveal()).errors).toBeUndefined();
    await checkpointed();
    const [first, , third] = await records();
    if (first === undefined || third === undefined) throw new Error('three records expected');
    expect((await audit('verify')).code).toBe(0);

    await backends.database.db.delete(revealEvents).where(gt(revealEvents.seq, first.seq));
    const verified = await audit('verify');
    expect(verified.code).toBe(1);
    expect(verified.lines[0]).toMatch(
      new RegExp(`^reveal record broken at seq ${third.seq}: cut tail: the record ends at seq ${first.seq}, but`),
    );
    expect(verified.lines[1]).toMatch(/acknowledge-loss/);
    await expectRefused();
    await expectAppendRefused('cut tail');

    await restart();
    await expectRefused();
    expect((await audit('verify')).lines[0]).toContain('cut tail');
    expect(await records()).toHaveLength(1);
  });

  it('an emptied record: named, refused, and still after a restart', async () => {
    for (let n = 0; n < 2; n++) await reveal();
    await checkpointed();
    await backends.database.db.delete(revealEvents);
    const verified = await audit('verify');
    expect(verified.code).toBe(1);
    expect(verified.lines[0]).toMatch(
      /: emptied record: no records, but the checkpoint in .* says the record reached seq/,
    );
    await expectRefused();
    await restart();
    await expectRefused();
    await expectAppendRefused('emptied record');
    expect(await records()).toEqual([]);
  });

  it('an older copy of the record put back (its rows and its sequence, as a restore does): named, refused, after a restart too', async () => {
    for (let n = 0; n < 2; n++) await reveal();
    await checkpointed();
    const backup = await records();
    const sequenceAtBackup = backup[backup.length - 1]?.seq as number;
    for (let n = 0; n < 2; n++) await reveal();
    await checkpointed();

    await backends.database.db.transaction(async (tx) => {
      await tx.delete(revealEvents);
      await tx.insert(revealEvents).values(backup);
      await tx.execute(sql`select setval('reveal_events_seq_seq', ${sequenceAtBackup})`);
    });
    const verified = await audit('verify');
    expect(verified.code).toBe(1);
    expect(verified.lines[0]).toContain(
      `restored older database: the record ends at seq ${sequenceAtBackup} and its sequence at ${sequenceAtBackup}, both behind`,
    );
    await expectRefused();
    await restart();
    await expectRefused();
    await expectAppendRefused('restored older database');
  });

  it('rolling budgets cannot be reset by deleting the rows they are counted from', async () => {
    expect((await reveal('support')).data?.creditCards.nodes.map((card) => card.pan)).toEqual([
      '************1157',
      '************7021',
    ]);
    await checkpointed();
    await backends.database.db.delete(revealEvents);
    // The support grant's "2000/h" would count nothing now: the reveal is withheld instead of granted anew.
    await expectRefused('support');
    const [reserved] = await backends.database.db.select({ count: count() }).from(revealReservations);
    expect(reserved?.count).toBe(0);
    expect(await records()).toEqual([]);
  });

  it('acknowledge-loss records what was lost as a sealed entry; verify then passes and shows it; reveals resume', async () => {
    const nothing = await audit('acknowledge-loss', '--reason', 'test', '--by', 'alice');
    expect(nothing).toEqual({
      code: 1,
      lines: ['audit: the reveal record reaches its checkpoint: there is no loss to acknowledge'],
    });
    for (let n = 0; n < 3; n++) await reveal();
    await checkpointed();
    const [first, , third] = await records();
    if (first === undefined || third === undefined) throw new Error('three records expected');
    await backends.database.db.delete(revealEvents).where(gt(revealEvents.seq, first.seq));
    await expectRefused();

    const acknowledged = await audit('acknowledge-loss', '--reason', 'incident 7: rows deleted', '--by', 'alice');
    expect(acknowledged.code).toBe(0);
    const line = new RegExp(
      `^loss acknowledged at seq \\d+ \\(.*\\) by alice: cut tail, checkpoint seq ${third.seq} \\(hash ${third.hash.slice(0, 12)}…\\) vs seq ${first.seq}; reason: incident 7: rows deleted$`,
    );
    expect(acknowledged.lines[0]).toMatch(line);
    const entry = (await records())[1];
    expect(entry?.seq).toBeGreaterThan(third.seq);
    expect(entry?.seal).toMatch(/^vault:v1:/);
    expect(entry?.subject).toBe('alice');

    const verified = await audit('verify');
    expect(verified.code).toBe(0);
    expect(verified.lines[0]).toBe('reveal record intact: 2 records, chain and seals verified');
    expect(verified.lines[1]).toMatch(line);
    // The running API takes the new checkpoint without a restart, and so does a restarted one.
    expect((await reveal()).errors).toBeUndefined();
    await restart();
    expect((await reveal()).errors).toBeUndefined();
    await checkpointed();
    expect((await audit('verify')).lines[0]).toBe('reveal record intact: 4 records, chain and seals verified');
  });
});
