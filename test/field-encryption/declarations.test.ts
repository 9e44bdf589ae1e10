import { makeExecutableSchema } from '@graphql-tools/schema';
import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import * as databaseSchema from '../../src/db/schema.ts';
import { transitKeysOf } from '../../src/encryption-declarations.ts';
import {
  DeclarationMismatchError,
  encryptionKeysOf,
  ensureKeys,
  fieldEncryptionDirectivesSdl,
  storedColumnsOf,
  transitBlindIndex,
  transitCiphertext,
  transitCiphertextConstraints,
} from '../../src/field-encryption/index.ts';
import { buildSchema } from '../../src/graphql/build-schema.ts';
import { backendSets } from '../support/backends.ts';
import { undeclaredPatients as patients } from '../support/undeclared-patients.ts';

const patientsIndexed = pgTable(
  'patients',
  {
    id: uuid('id').primaryKey(),
    ...transitCiphertext('iban', { key: 'patient-iban' }),
    ...transitBlindIndex('iban', { key: 'patient-iban-index' }),
  },
  (table) => [...transitCiphertextConstraints(table)],
);

/** credit_cards as before the blind index: the ciphertext column only. */
const cardsWithoutIndex = pgTable(
  'credit_cards',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    ...transitCiphertext('pan', { key: 'card-pan', bindTo: 'id' }),
  },
  (table) => [...transitCiphertextConstraints(table)],
);

/** credit_cards with its columns declared, but the table's extras forgot transitCiphertextConstraints. */
const cardsWithoutConstraints = pgTable(
  'credit_cards',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    ...transitCiphertext('pan', { key: 'card-pan', bindTo: 'id' }),
    ...transitBlindIndex('pan', { key: 'card-pan-index' }),
  },
  (table) => [index('credit_cards_name_idx').on(table.name)],
);

/** Only the CHECK kept by hand: the version index is still missing. */
const patientsCheckOnly = pgTable(
  'patients',
  {
    id: uuid('id').primaryKey(),
    ...transitCiphertext('iban', { key: 'patient-iban' }),
  },
  (table) => [check('patients_iban_is_ciphertext', sql`${table.iban} ~ '^vault:v[0-9]+:'`)],
);

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

describe('a transitCiphertext column whose table lacks its CHECK [embedded]', () => {
  it('is refused by the stored-column registry, naming the column and what to add', () => {
    const error = (() => {
      try {
        storedColumnsOf({ creditCards: cardsWithoutConstraints });
        return undefined;
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(DeclarationMismatchError);
    const message = (error as Error).message;
    expect(message).toContain(
      "credit_cards.pan is declared with transitCiphertext, but its table lacks CHECK credit_cards_pan_is_ciphertext, index credit_cards_pan_key_version_idx: add (table) => [...transitCiphertextConstraints(table)] to the table's extras",
    );
    expect(message).toContain(
      'credit_cards.pan_index is declared with transitBlindIndex, but its table lacks CHECK credit_cards_pan_index_is_hmac, index credit_cards_pan_index_key_version_idx, index credit_cards_pan_index_idx',
    );
  });

  it('names what is still missing when only part was written by hand', () => {
    expect(() => storedColumnsOf({ patientsCheckOnly })).toThrow(
      /patients\.iban is declared with transitCiphertext, but its table lacks index patients_iban_key_version_idx:/,
    );
  });

  it('accepts the tables that call transitCiphertextConstraints, the app schema included', () => {
    expect(storedColumnsOf({ patients, patientsIndexed }).columns.map((column) => column.label)).toEqual([
      'patients.iban',
      'patients.iban',
      'patients.iban_index',
    ]);
    // The app's declarations, whatever fields it has: every @encrypted key has its stored column.
    const encrypted = new Set(encryptionKeysOf(buildSchema(loadConfig({}).limits)).keys());
    expect(encrypted.size).toBeGreaterThan(0);
    expect(storedColumnsOf(databaseSchema).keys()).toEqual(encrypted);
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

  it('a transitCiphertext column whose table lacks its CHECK', async () => {
    const error = await startWith({ ...databaseSchema, creditCards: cardsWithoutConstraints });
    expect(error).toBeInstanceOf(DeclarationMismatchError);
    expect((error as Error).message).toContain(
      'credit_cards.pan is declared with transitCiphertext, but its table lacks CHECK credit_cards_pan_is_ciphertext',
    );
  });

  it('starts when they agree', async () => {
    expect(await startWith(databaseSchema)).toBeUndefined();
  });
});
