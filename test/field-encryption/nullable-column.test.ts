import { makeExecutableSchema } from '@graphql-tools/schema';
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { asc, sql } from 'drizzle-orm';
import { integer, pgTable, uuid } from 'drizzle-orm/pg-core';
import { execute, type GraphQLSchema, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFieldEncryption,
  type EncryptionContext,
  type RunningFieldEncryption,
  transitCiphertext,
  transitCiphertextConstraints,
  withBoundIdentity,
} from '../../src/field-encryption/index.ts';
import { type Backends, backendSets } from '../support/backends.ts';

// A nullable encrypted column: a visit may have no note; a note, when there is one, is ciphertext only.
const visits = pgTable(
  'visits',
  {
    id: uuid('id').primaryKey(),
    seq: integer('seq').notNull(),
    ...transitCiphertext('note', { key: 'visit-note', bindTo: 'id', nullable: true }),
  },
  (table) => [...transitCiphertextConstraints(table)],
);

const typeDefs = `
type Visit {
  id: ID!
  seq: Int!
  note: String @encrypted(key: "visit-note", bindTo: "id") @decryptFor(role: "doctor")
}
input VisitInput {
  seq: Int!
  note: String @encrypted(key: "visit-note", bindTo: "id")
}
type Query { visits: [Visit!]! }
type Mutation { recordVisits(inputs: [VisitInput!]!): [Visit!]! }
`;

describe.each(backendSets())('a nullable encrypted column, through the facade [$name]', (set) => {
  let backends: Backends;
  let schema: GraphQLSchema;
  let running: RunningFieldEncryption<EncryptionContext>;
  let migration: string[];

  const run = (source: string, roles: string[]) =>
    execute({ schema, document: parse(source), contextValue: running.context({ roles }) });
  const notes = async (roles: string[]) => {
    const result = (await run('{ visits { seq note } }', roles)) as {
      data?: { visits: Array<{ seq: number; note: string | null }> };
      errors?: unknown[];
    };
    expect(result.errors).toBeUndefined();
    return result.data?.visits.map((visit) => visit.note);
  };

  beforeAll(async () => {
    backends = await set.open();
    const db = backends.database.db;
    migration = await generateMigration(generateDrizzleJson({}), generateDrizzleJson({ visits }));
    for (const statement of migration) await db.execute(sql.raw(statement));
    const encryption = createFieldEncryption({ transit: backends.transit, db, tables: { visits }, createKeys: true });
    schema = encryption.transformSchema(
      makeExecutableSchema({
        typeDefs: [encryption.typeDefs, typeDefs],
        resolvers: {
          Query: { visits: () => db.select().from(visits).orderBy(asc(visits.seq)) },
          Mutation: {
            recordVisits: (_: unknown, { inputs }: { inputs: Array<{ seq: number; note?: string | null }> }) =>
              db
                .insert(visits)
                .values(inputs.map((input) => ({ ...withBoundIdentity(input), note: input.note ?? null })))
                .returning(),
          },
        },
      }),
    );
    running = await encryption.start(schema);
  });
  afterAll(async () => {
    await running?.close();
    await backends?.close();
  });

  it('drizzle-kit declares the column nullable, with a CHECK that allows null or ciphertext only', async () => {
    const create = migration.find((statement) => statement.startsWith('CREATE TABLE "visits"')) ?? '';
    expect(create).toContain('"note" text,');
    expect(create).toContain(`CHECK ("note" is null or "note" ~ '^vault:v[0-9]+:')`);
    const db = backends.database.db;
    await db.execute(sql`insert into visits (id, seq, note) values (gen_random_uuid(), 0, null)`);
    await expect(
      db.execute(sql`insert into visits (id, seq, note) values (gen_random_uuid(), -1, 'a plaintext note')`),
    ).rejects.toThrow();
    await db.execute(sql`delete from visits`);
  });

  it('stores null for a missing note, reads it back as null, and the key lifecycle passes over it', async () => {
    const recorded = await run(
      'mutation { recordVisits(inputs: [{ seq: 1, note: "sprained ankle" }, { seq: 2, note: null }, { seq: 3 }]) { seq } }',
      ['doctor'],
    );
    expect(recorded.errors).toBeUndefined();
    const stored = await backends.database.db.select().from(visits).orderBy(asc(visits.seq));
    expect(stored.map((row) => row.note === null)).toEqual([false, true, true]);
    expect(stored[0]?.note).toMatch(/^vault:v1:/);
    expect(await notes(['doctor'])).toEqual(['sprained ankle', null, null]);
    expect(await notes([])).toEqual([stored[0]?.note, null, null]);

    const keys = running.keyAdmin;
    await keys.rotate('visit-note');
    expect(await keys.versions('visit-note')).toEqual([
      { version: 1, count: 1 },
      { version: 2, count: 0 },
    ]);
    expect(await keys.rewrap('visit-note')).toMatchObject({ total: 1, rewrapped: 1, failed: 0 });
    expect((await keys.retire('visit-note', 2)).minDecryptionVersion).toBe(2);
    expect(await notes(['doctor'])).toEqual(['sprained ankle', null, null]);
  });
});
