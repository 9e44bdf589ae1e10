import { randomUUID } from 'node:crypto';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { asc, sql } from 'drizzle-orm';
import { pgTable, uuid } from 'drizzle-orm/pg-core';
import { execute, type GraphQLSchema, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bindStoredValues,
  decryptForDirective,
  encryptedDirective,
  encryptionKeysOf,
  ensureKeys,
  StoredValues,
  storedColumnsOf,
  TransitBatcher,
  transitCiphertext,
  transitCiphertextConstraints,
} from '../../src/field-encryption/index.ts';
import { type Backends, backendSets } from '../support/backends.ts';

const accounts = pgTable(
  'accounts',
  { id: uuid('id').primaryKey(), ...transitCiphertext('iban', { key: 'account-iban', bindTo: 'id' }) },
  (table) => [...transitCiphertextConstraints(table)],
);

const sdl = (unbound: string) => `
type Account { id: ID! iban: String @encrypted(key: "account-iban", bindTo: "id"${unbound}) @decryptFor(role: "billing") }
type Query { accounts: [Account!]! }
`;

interface Context {
  cipher: TransitBatcher;
  roles: ReadonlySet<string>;
}

describe.each(backendSets())('reading values not yet bound while they are moved (unboundKey) [$name]', (set) => {
  let backends: Backends;
  let batcher: TransitBatcher;
  const IBANS = ['DE89370400440532013000', 'GB82WEST12345698765432'];

  const schemaWith = (unbound: string): GraphQLSchema => {
    const encrypted = encryptedDirective<Context>({ cipher: (context) => context.cipher });
    const decryptFor = decryptForDirective<Context>({
      cipher: (context) => context.cipher,
      roles: (context) => context.roles,
    });
    const db = backends.database.db;
    return decryptFor.transformer(
      encrypted.transformer(
        makeExecutableSchema({
          typeDefs: [encrypted.typeDefs, decryptFor.typeDefs, sdl(unbound)],
          resolvers: { Query: { accounts: () => db.select().from(accounts).orderBy(asc(accounts.iban)) } },
        }),
      ),
    );
  };
  const read = async (schema: GraphQLSchema) =>
    (await execute({
      schema,
      document: parse('{ accounts { iban } }'),
      contextValue: { cipher: batcher, roles: new Set(['billing']) },
    })) as { data?: { accounts: Array<{ iban: string | null }> }; errors?: unknown[] };

  beforeAll(async () => {
    backends = await set.open();
    const statements = await generateMigration(generateDrizzleJson({}), generateDrizzleJson({ accounts }));
    for (const statement of statements) await backends.database.db.execute(sql.raw(statement));
    batcher = new TransitBatcher(backends.transit, { enabled: true, windowMs: 0, batchSize: 250 });
    await ensureKeys(backends.transit, encryptionKeysOf(schemaWith(', unboundKey: "account-iban-old"')), {
      create: true,
    });
    const old = await backends.transit.encrypt(
      'account-iban-old',
      IBANS.map((iban) => ({ plaintext: Buffer.from(iban) })),
    );
    await backends.database.db
      .insert(accounts)
      .values(old.map((result) => ({ id: randomUUID(), iban: result.ok ? result.value : '' })));
  });
  afterAll(() => backends?.close());

  it('reads old values through unboundKey during the move, and bound values once moved', async () => {
    const during = schemaWith(', unboundKey: "account-iban-old"');
    const without = schemaWith('');
    expect((await read(without)).errors).toHaveLength(2);
    const before = await read(during);
    expect(before.errors).toBeUndefined();
    expect(before.data?.accounts.map((account) => account.iban).sort()).toEqual([...IBANS].sort());

    const [column] = storedColumnsOf({ accounts }).forKey('account-iban');
    if (column === undefined) throw new Error('no column');
    const summary = await bindStoredValues(backends.transit, new StoredValues(backends.database.db, column), {
      fromKey: 'account-iban-old',
    });
    expect(summary).toMatchObject({ bound: 2, alreadyBound: 0 });

    const after = await read(without);
    expect(after.errors).toBeUndefined();
    expect(after.data?.accounts.map((account) => account.iban).sort()).toEqual([...IBANS].sort());
  });
});
