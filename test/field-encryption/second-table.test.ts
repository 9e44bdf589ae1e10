import { makeExecutableSchema } from '@graphql-tools/schema';
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { asc, eq, sql } from 'drizzle-orm';
import { pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { execute, type GraphQLSchema, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkDeclarations,
  decryptForDirective,
  encryptedDirective,
  encryptedObjectFieldsOf,
  encryptionKeysOf,
  ensureKeys,
  KeyAdmin,
  RetireRefusedError,
  retireVersionsBelow,
  storedColumnsOf,
  TransitBatcher,
  transitCiphertext,
  transitCiphertextConstraints,
  withBoundIdentity,
} from '../../src/field-encryption/index.ts';
import { type Backends, backendSets } from '../support/backends.ts';

// A second user of the module, unrelated to cards: its whole declaration lives in this file.
const patients = pgTable(
  'patients',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    ...transitCiphertext('iban', { key: 'patient-iban', bindTo: 'id' }),
  },
  (table) => [...transitCiphertextConstraints(table)],
);

const typeDefs = `
type Patient {
  id: ID!
  name: String!
  iban: String @encrypted(key: "patient-iban", bindTo: "id") @decryptFor(role: "billing") @decryptFor(role: "front-desk", mask: LAST4)
}
input PatientInput {
  name: String!
  iban: String! @encrypted(key: "patient-iban", bindTo: "id")
}
type Query { patients: [Patient!]! }
type Mutation { admitPatients(inputs: [PatientInput!]!): [Patient!]! }
`;

const IBANS = ['DE89370400440532013000', 'GB82WEST12345698765432', 'FR1420041010050500013M02606', 'NL91ABNA0417164300'];

interface Context {
  cipher: TransitBatcher;
  roles: ReadonlySet<string>;
}

describe.each(backendSets())('a second encrypted field on a second table, zero lines in src/ [$name]', (set) => {
  let backends: Backends;
  let schema: GraphQLSchema;
  let batcher: TransitBatcher;
  let keyAdmin: KeyAdmin;
  const received: string[] = [];

  const run = async (source: string, roles: string[] = []) =>
    execute({ schema, document: parse(source), contextValue: { cipher: batcher, roles: new Set(roles) } });
  const list = async (roles: string[]) => {
    const result = await run('{ patients { id name iban } }', roles);
    return result as {
      data?: { patients: Array<{ id: string; name: string; iban: string | null }> };
      errors?: unknown[];
    };
  };
  const admit = (names: string[]) =>
    run(
      `mutation { admitPatients(inputs: [${names.map((name, index) => `{ name: "${name}", iban: "${IBANS[index % IBANS.length]}" }`).join(', ')}]) { id name } }`,
      ['front-desk'],
    );

  beforeAll(async () => {
    backends = await set.open();
    const statements = await generateMigration(generateDrizzleJson({}), generateDrizzleJson({ patients }));
    for (const statement of statements) await backends.database.db.execute(sql.raw(statement));

    const encrypted = encryptedDirective<Context>({ cipher: (context) => context.cipher });
    const decryptFor = decryptForDirective<Context>({
      cipher: (context) => context.cipher,
      roles: (context) => context.roles,
    });
    const db = backends.database.db;
    const executable = makeExecutableSchema({
      typeDefs: [encrypted.typeDefs, decryptFor.typeDefs, typeDefs],
      resolvers: {
        Query: { patients: () => db.select().from(patients).orderBy(asc(patients.name)) },
        Mutation: {
          admitPatients: (_: unknown, { inputs }: { inputs: Array<{ name: string; iban: string }> }) => {
            received.push(...inputs.map((input) => input.iban));
            return db
              .insert(patients)
              .values(inputs.map((input) => withBoundIdentity(input)))
              .returning();
          },
        },
      },
    });
    schema = decryptFor.transformer(encrypted.transformer(executable));
    const registry = storedColumnsOf({ patients });
    checkDeclarations(encryptedObjectFieldsOf(schema), registry);
    await ensureKeys(backends.transit, encryptionKeysOf(schema), { create: true });
    batcher = new TransitBatcher(backends.transit, { enabled: true, windowMs: 0, batchSize: 250 });
    keyAdmin = new KeyAdmin(backends.transit, new Set(['patient-iban']), registry, db);
  });
  afterAll(() => backends?.close());

  it('declares the CHECK and the generated key-version column in the table', async () => {
    expect((await backends.transit.readKey('patient-iban')).derived).toBe(true);
    await expect(
      backends.database.db.execute(
        sql`insert into patients (id, name, iban) values (gen_random_uuid(), 'plain', 'DE89370400440532013000')`,
      ),
    ).rejects.toThrow();
  });

  it('refuses to retire a key that has no stored column', async () => {
    await backends.transit.createKey('nowhere-stored');
    await backends.transit.rotateKey('nowhere-stored');
    const refused = retireVersionsBelow(backends.transit, [], 'nowhere-stored', 2);
    await expect(refused).rejects.toBeInstanceOf(RetireRefusedError);
    await expect(refused).rejects.toThrow(/no stored column is declared for it/);
    expect((await backends.transit.readKey('nowhere-stored')).minDecryptionVersion).toBe(1);
  });

  it('creates, reads per role with masks, rotates, rewraps, retires and counts key versions', async () => {
    const created = await admit(['Ada', 'Blaise', 'Carl']);
    expect(created.errors).toBeUndefined();
    expect(received).toHaveLength(3);
    for (const value of received) expect(value).toMatch(/^vault:v1:/);

    const billing = await list(['billing']);
    expect(billing.data?.patients.map((patient) => patient.iban)).toEqual(IBANS.slice(0, 3));
    const frontDesk = await list(['front-desk']);
    expect(frontDesk.data?.patients.map((patient) => patient.iban)).toEqual(
      IBANS.slice(0, 3).map((iban) => `${'*'.repeat(iban.length - 4)}${iban.slice(-4)}`),
    );
    const other = await list(['clerk']);
    for (const patient of other.data?.patients ?? []) expect(patient.iban).toMatch(/^vault:v1:/);

    await keyAdmin.rotate('patient-iban');
    expect((await admit(['Dora'])).errors).toBeUndefined();
    expect(await keyAdmin.versions('patient-iban')).toEqual([
      { version: 1, count: 3 },
      { version: 2, count: 1 },
    ]);
    await expect(keyAdmin.retire('patient-iban', 2)).rejects.toThrow(/3 stored values are older than v2/);
    expect(await keyAdmin.rewrap('patient-iban')).toMatchObject({ total: 3, rewrapped: 3, failed: 0 });
    expect(await keyAdmin.versions('patient-iban')).toEqual([
      { version: 1, count: 0 },
      { version: 2, count: 4 },
    ]);
    expect((await keyAdmin.retire('patient-iban', 2)).minDecryptionVersion).toBe(2);
    const after = await list(['billing']);
    expect(after.errors).toBeUndefined();
    expect(after.data?.patients.map((patient) => patient.iban)).toEqual([...IBANS.slice(0, 3), IBANS[0]]);
  });

  it('binds each value to its row: IBANs swapped in SQL fail to decrypt, the rest of the response stands', async () => {
    const db = backends.database.db;
    const [ada, blaise] = await db.select().from(patients).orderBy(asc(patients.name)).limit(2);
    if (ada === undefined || blaise === undefined) throw new Error('setup failed');
    await db.update(patients).set({ iban: blaise.iban }).where(eq(patients.id, ada.id));
    await db.update(patients).set({ iban: ada.iban }).where(eq(patients.id, blaise.id));

    const answer = await list(['billing']);
    expect(answer.data?.patients.map((patient) => patient.name)).toEqual(['Ada', 'Blaise', 'Carl', 'Dora']);
    expect(answer.data?.patients.map((patient) => patient.iban)).toEqual([null, null, IBANS[2], IBANS[0]]);
    const errors = (answer.errors ?? []) as Array<{ path: unknown[]; extensions: Record<string, unknown> }>;
    expect(errors.map((error) => [error.path, error.extensions.code, error.extensions.reason])).toEqual([
      [['patients', 0, 'iban'], 'DECRYPTION_FAILED', 'INVALID_CIPHERTEXT'],
      [['patients', 1, 'iban'], 'DECRYPTION_FAILED', 'INVALID_CIPHERTEXT'],
    ]);
    for (const iban of IBANS) expect(JSON.stringify(errors)).not.toContain(iban);
  });
});
