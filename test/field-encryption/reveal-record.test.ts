import { asc, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditProgram } from '../../src/cli/audit/program.ts';
import { REVEAL_SEAL_KEY } from '../../src/encryption-declarations.ts';
import { chainHash } from '../../src/field-encryption/audit/reveal-chain.ts';
import { RevealLedger, revealEvents } from '../../src/field-encryption/index.ts';
import { useTestApi } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';
import { CREATE_CARDS, PANS } from '../support/cards.ts';
import { printedTableRows } from '../support/cli-table.ts';

const LIST = 'query ListCards { creditCards { nodes { id pan } } }';
type Listed = { creditCards: { nodes: Array<{ id: string; pan: string | null }> } };

describe.each(backendSets())('the reveal record [$name]', (set) => {
  const context = useTestApi(set);
  const ledger = () => new RevealLedger(context.backends.database.db, context.backends.transit, REVEAL_SEAL_KEY);
  const records = () => context.backends.database.db.select().from(revealEvents).orderBy(asc(revealEvents.seq));
  const ids: string[] = [];
  /** `npm run audit -- <argv>` on these backends, as the owning API runs it. */
  const audit = async (...argv: string[]) => {
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
    const { backends } = context;
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

  it('one record per request, field and grant, naming who read which records; a ciphertext answer has none', async () => {
    const { api } = context;
    const created = await api.gql<{ createCreditCards: Array<{ id: string }> }>(CREATE_CARDS, {
      role: 'clerk',
      variables: {
        inputs: [
          { name: 'A', pan: PANS.carlos },
          { name: 'B', pan: PANS.anibal },
          { name: 'C', pan: PANS.visa },
        ],
      },
    });
    ids.push(...(created.data?.createCreditCards ?? []).map((card) => card.id));
    expect(await records()).toEqual([]);

    const asClerk = await api.gql<Listed>(LIST, { role: 'clerk' });
    expect(asClerk.data?.creditCards.nodes.every((card) => card.pan?.startsWith('vault:'))).toBe(true);
    expect(await records()).toEqual([]);

    const asProcessor = await api.gql<Listed>(LIST, { role: 'processor' });
    expect(asProcessor.data?.creditCards.nodes.map((card) => card.pan)).toEqual([PANS.carlos, PANS.anibal, PANS.visa]);
    const asSupport = await api.gql<Listed>(LIST, { role: 'support' });
    expect(asSupport.data?.creditCards.nodes.map((card) => card.pan)).toEqual([
      '************1157',
      '************7021',
      '************1111',
    ]);

    const written = await records();
    expect(
      written.map((row) => [
        row.subject,
        row.role,
        row.mask,
        row.field,
        row.key,
        row.operation,
        row.recordIds,
        row.count,
      ]),
    ).toEqual([
      ['test-processor', 'processor', 'NONE', 'CreditCard.pan', 'card-pan', 'ListCards', ids, 3],
      ['test-support', 'support', 'LAST4', 'CreditCard.pan', 'card-pan', 'ListCards', ids, 3],
    ]);
    expect(written[0]?.requestId).not.toBe(written[1]?.requestId);
    expect(written[0]?.clientAddress).toMatch(/127\.0\.0\.1/);
    expect(written.every((row) => row.seal?.startsWith('vault:v1:'))).toBe(true);
    expect(await ledger().verify()).toEqual({ records: 2, broken: undefined });
    expect(await audit('verify')).toEqual({
      code: 0,
      lines: ['reveal record intact: 2 records, chain and seals verified'],
    });
    const whoRead = await audit('who-read', ids[1] as string);
    expect(whoRead.code).toBe(0);
    expect(
      printedTableRows(whoRead.lines.join('\n')).map((row) => [row.subject, row.role, row.mask, row.field]),
    ).toEqual([
      ['test-processor', 'processor', 'NONE', 'CreditCard.pan'],
      ['test-support', 'support', 'LAST4', 'CreditCard.pan'],
    ]);
    const metrics = await (await fetch(api.url.replace(/\/graphql$/, '/metrics'))).text();
    expect(metrics).toContain('transitql_reveals_total{role="processor",mask="NONE",field="CreditCard.pan"} 3');
    expect(metrics).toContain('transitql_reveals_total{role="support",mask="LAST4",field="CreditCard.pan"} 3');
    expect(metrics).toContain('transitql_audit_write_duration_seconds_count{outcome="ok"} 2');
    expect((await audit('who-read', '00000000-0000-4000-8000-000000000000')).lines).toEqual(['no reveals']);
    expect(printedTableRows((await audit('tail', '1')).lines.join('\n')).map((row) => row.subject)).toEqual([
      'test-support',
    ]);
  });

  it('audit store unavailable: no plaintext leaves, DECRYPTION_FAILED with reason AUDIT_UNAVAILABLE', async () => {
    const { api, backends } = context;
    await backends.database.db.execute(sql`alter table reveal_events rename to reveal_events_away`);
    try {
      const answer = await api.gql<Listed>(LIST, { role: 'processor' });
      expect(answer.data ?? null).toBeNull();
      expect(answer.errors?.map((error) => [error.extensions?.code, error.extensions?.reason])).toEqual([
        ['DECRYPTION_FAILED', 'AUDIT_UNAVAILABLE'],
      ]);
      expect(JSON.stringify(answer)).not.toContain(PANS.carlos);
      const asClerk = await api.gql<Listed>(LIST, { role: 'clerk' });
      expect(asClerk.errors).toBeUndefined();
    } finally {
      await backends.database.db.execute(sql`alter table reveal_events_away rename to reveal_events`);
    }
  });

  it('tampering in SQL: verify names the first broken record (edit, delete, reorder, forged with a recomputed chain)', async () => {
    const { api, backends } = context;
    for (const role of ['processor', 'support', 'processor']) await api.gql(LIST, { role });
    const db = backends.database.db;
    const rows = await records();
    expect(rows).toHaveLength(5);
    const [, second, third, fourth, fifth] = rows;
    if (second === undefined || third === undefined || fourth === undefined || fifth === undefined) throw new Error();
    expect((await ledger().verify()).broken).toBeUndefined();

    await db.update(revealEvents).set({ count: 1 }).where(eq(revealEvents.seq, third.seq));
    expect((await ledger().verify()).broken).toEqual({
      seq: third.seq,
      problem: 'its contents do not match its hash (edited)',
    });
    expect(await audit('verify')).toEqual({
      code: 1,
      lines: [`reveal record broken at seq ${third.seq}: its contents do not match its hash (edited)`],
    });
    await db.update(revealEvents).set({ count: third.count }).where(eq(revealEvents.seq, third.seq));
    expect((await ledger().verify()).broken).toBeUndefined();

    await db.delete(revealEvents).where(eq(revealEvents.seq, third.seq));
    expect((await ledger().verify()).broken?.seq).toBe(fourth.seq);
    await db.insert(revealEvents).values(third);

    const { seq: _2, ...secondFields } = second;
    const { seq: _3, ...thirdFields } = third;
    await db.update(revealEvents).set(thirdFields).where(eq(revealEvents.seq, second.seq));
    await db.update(revealEvents).set(secondFields).where(eq(revealEvents.seq, third.seq));
    expect((await ledger().verify()).broken?.seq).toBe(second.seq);
    await db.update(revealEvents).set(secondFields).where(eq(revealEvents.seq, second.seq));
    await db.update(revealEvents).set(thirdFields).where(eq(revealEvents.seq, third.seq));
    expect((await ledger().verify()).broken).toBeUndefined();

    // Someone with write access to the database only: a record hashed onto the chain, sealed with a guess.
    const forged = {
      ...fifth,
      seq: fifth.seq + 100,
      subject: 'nobody',
      prevHash: fifth.hash,
      seal: 'vault:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    };
    forged.hash = chainHash(forged);
    await db.insert(revealEvents).values(forged);
    expect((await ledger().verify()).broken).toEqual({
      seq: forged.seq,
      problem: 'its seal is not a transit HMAC of its hash (forged)',
    });
    await db.update(revealEvents).set({ seal: null }).where(eq(revealEvents.seq, forged.seq));
    expect((await ledger().verify()).broken).toEqual({
      seq: forged.seq,
      problem: 'the chain ends on an unsealed record',
    });
    await db.delete(revealEvents).where(eq(revealEvents.seq, forged.seq));
    expect((await ledger().verify()).broken).toBeUndefined();
  });
});
