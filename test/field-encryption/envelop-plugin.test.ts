// envelop's plugin factories are named like React hooks; they are not hooks.
import { useEngine as enginePlugin, envelop, useSchema as schemaPlugin } from '@envelop/core';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { eq, sql } from 'drizzle-orm';
import { pgTable, uuid } from 'drizzle-orm/pg-core';
import { execute, type GraphQLSchema, parse, subscribe, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFieldEncryption,
  type EncryptionContext,
  type RunningFieldEncryption,
  revealEvents,
  transitCiphertext,
  transitCiphertextConstraints,
} from '../../src/field-encryption/index.ts';
import { type Backends, backendSets } from '../support/backends.ts';

// The same core on an envelop server (graphql-yoga's engine): no Apollo in this file.
const patients = pgTable(
  'envelop_patients',
  {
    id: uuid('id').primaryKey(),
    ...transitCiphertext('ssn', { key: 'envelop-ssn', bindTo: 'id' }),
  },
  (table) => [...transitCiphertextConstraints(table)],
);

const typeDefs = `
type Patient {
  id: ID!
  ssn: String @encrypted(key: "envelop-ssn", bindTo: "id") @decryptFor(role: "nurse") @decryptFor(role: "clerk", mask: LAST4)
}
type Query { patient(id: ID!): Patient }
`;

describe.each(backendSets())('the reveal record on an envelop server [$name]', (set) => {
  let backends: Backends;
  let running: RunningFieldEncryption<EncryptionContext>;
  let schema: GraphQLSchema;
  const id = '6f0e9a53-5d2c-4e55-9e8c-1c2c0b1f7a10';

  /** One request as graphql-yoga runs it: envelop's parse, validate, context and execute. */
  const ask = async (roles: string[], subject: string) => {
    const getEnveloped = envelop({
      plugins: [enginePlugin({ parse, validate, execute, subscribe }), schemaPlugin(schema), running.envelopPlugin()],
    });
    const enveloped = getEnveloped({});
    const document = enveloped.parse('query Read($id: ID!) { patient(id: $id) { ssn } }');
    expect(enveloped.validate(enveloped.schema, document)).toEqual([]);
    const contextValue = await enveloped.contextFactory(running.context({ roles, subject }));
    return (await enveloped.execute({
      schema: enveloped.schema,
      document,
      contextValue,
      variableValues: { id },
      operationName: 'Read',
    })) as { data?: { patient: { ssn: string | null } | null } | null; errors?: Array<{ extensions?: unknown }> };
  };
  const recordedFor = (subject: string) =>
    backends.database.db.select().from(revealEvents).where(eq(revealEvents.subject, subject));

  beforeAll(async () => {
    backends = await set.open();
    const db = backends.database.db;
    for (const statement of await generateMigration(generateDrizzleJson({}), generateDrizzleJson({ patients }))) {
      await db.execute(sql.raw(statement));
    }
    const encryption = createFieldEncryption({ transit: backends.transit, db, tables: { patients }, createKeys: true });
    schema = encryption.transformSchema(
      makeExecutableSchema({
        typeDefs: [encryption.typeDefs, typeDefs],
        resolvers: {
          Query: {
            patient: async (_: unknown, args: { id: string }) =>
              (await db.select().from(patients).where(eq(patients.id, args.id)))[0] ?? null,
          },
        },
      }),
    );
    running = await encryption.start(schema);
    const [ciphertext] = await backends.transit.encrypt('envelop-ssn', [
      { plaintext: Buffer.from('123-45-6789'), context: Buffer.from(id) },
    ]);
    if (ciphertext?.ok !== true) throw new Error('setup: encryption failed');
    await db.insert(patients).values({ id, ssn: ciphertext.value });
  });
  afterAll(async () => {
    await running?.close();
    await backends?.close();
  });

  it('reveals per role and records each reveal before the result leaves', async () => {
    expect((await ask(['nurse'], 'nurse-1')).data?.patient?.ssn).toBe('123-45-6789');
    expect((await ask(['clerk'], 'clerk-1')).data?.patient?.ssn).toBe('*******6789');
    expect((await ask([], 'nobody')).data?.patient?.ssn).toMatch(/^vault:v1:/);
    const [nurse] = await recordedFor('nurse-1');
    expect(nurse).toMatchObject({ role: 'nurse', mask: 'NONE', field: 'Patient.ssn', operation: 'Read' });
    expect(nurse?.recordIds).toEqual([id]);
    expect(await recordedFor('clerk-1')).toMatchObject([{ role: 'clerk', mask: 'LAST4' }]);
    expect(await recordedFor('nobody')).toEqual([]);
  });

  it('fails closed: with the record unwritable, the plaintext is withheld', async () => {
    const db = backends.database.db;
    await db.execute(sql`alter table reveal_events rename to reveal_events_away`);
    try {
      const answer = await ask(['nurse'], 'nurse-2');
      expect(answer.data).toBeUndefined();
      expect(JSON.stringify(answer)).not.toContain('6789');
      expect(answer.errors?.map((error) => error.extensions)).toEqual([
        { code: 'DECRYPTION_FAILED', reason: 'AUDIT_UNAVAILABLE' },
      ]);
    } finally {
      await db.execute(sql`alter table reveal_events_away rename to reveal_events`);
    }
  });
});
