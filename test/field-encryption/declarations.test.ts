import { makeExecutableSchema } from '@graphql-tools/schema';
import { pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.ts';
import * as databaseSchema from '../../src/db/schema.ts';
import { transitKeysOf } from '../../src/encryption-declarations.ts';
import {
  DeclarationMismatchError,
  ensureKeys,
  fieldEncryptionDirectivesSdl,
  transitBlindIndex,
  transitCiphertext,
} from '../../src/field-encryption/index.ts';
import { buildSchema } from '../../src/graphql/build-schema.ts';
import { backendSets } from '../support/backends.ts';

const patients = pgTable('patients', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  ...transitCiphertext('iban', { key: 'patient-iban' }),
});

const patientsIndexed = pgTable('patients', {
  id: uuid('id').primaryKey(),
  ...transitCiphertext('iban', { key: 'patient-iban' }),
  ...transitBlindIndex('iban', { key: 'patient-iban-index' }),
});

/** credit_cards as before the blind index: the ciphertext column only. */
const cardsWithoutIndex = pgTable('credit_cards', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  ...transitCiphertext('pan', { key: 'card-pan', bindTo: 'id' }),
});

describe('blind-index keys [embedded]', () => {
  it('refuses a key used both to encrypt and as a blind index', () => {
    const schema = makeExecutableSchema({
      typeDefs: `${fieldEncryptionDirectivesSdl()}
        input In { a: String @encrypted(key: "shared") @blindIndex(key: "shared") }
        type Query { f(in: In): String }`,
    });
    expect(() => transitKeysOf(schema)).toThrow(/key "shared" is used both to encrypt and as a @blindIndex key/);
  });
});

describe.each(backendSets())('start-up refuses when encrypted fields and stored columns disagree [$name]', (set) => {
  const startWith = async (drizzleSchema: Record<string, unknown>) => {
    const backends = await set.open();
    await ensureKeys(backends.transit, transitKeysOf(buildSchema(backends.config.limits)), { create: true });
    try {
      const app = await startApp(backends.config, {
        database: backends.database,
        transit: backends.transit,
        drizzleSchema,
      });
      await app.close();
      return undefined;
    } catch (error) {
      return error;
    } finally {
      await backends.close();
    }
  };

  it('an @encrypted key with no stored column', async () => {
    const { creditCards: _, ...withoutCards } = databaseSchema;
    const error = await startWith(withoutCards);
    expect(error).toBeInstanceOf(DeclarationMismatchError);
    expect((error as Error).message).toContain(
      'CreditCard.pan is @encrypted(key: "card-pan"), but no stored column is declared with that key',
    );
  });

  it('a stored column whose key no @encrypted object field names', async () => {
    const error = await startWith({ ...databaseSchema, patients });
    expect(error).toBeInstanceOf(DeclarationMismatchError);
    expect((error as Error).message).toContain(
      'patients.iban stores key "patient-iban", but no @encrypted object field in the schema names it',
    );
  });

  it('a @blindIndex key with no transitBlindIndex column', async () => {
    const error = await startWith({ ...databaseSchema, creditCards: cardsWithoutIndex });
    expect(error).toBeInstanceOf(DeclarationMismatchError);
    expect((error as Error).message).toContain(
      '@blindIndex(key: "card-pan-index") is declared, but no transitBlindIndex column is declared with that key',
    );
  });

  it('a transitBlindIndex column whose key no @blindIndex names', async () => {
    const error = await startWith({ ...databaseSchema, patientsIndexed });
    expect((error as Error).message).toContain(
      'patients.iban_index is a blind index under key "patient-iban-index", but no @blindIndex in the schema names it',
    );
  });

  it('starts when they agree', async () => {
    expect(await startWith(databaseSchema)).toBeUndefined();
  });
});
