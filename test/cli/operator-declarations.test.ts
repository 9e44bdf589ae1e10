import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkOperatorDeclarations } from '../../src/cli/operator/declarations.ts';
import { operatorPrograms } from '../../src/cli/operator/programs.ts';
import { runOperatorCli } from '../../src/cli/operator/run-cli.ts';
import { loadConfig } from '../../src/config.ts';
import * as databaseSchema from '../../src/db/schema.ts';
import {
  DeclarationMismatchError,
  encryptionKeysOf,
  transitBlindIndex,
  transitCiphertext,
} from '../../src/field-encryption/index.ts';
import { buildSchema } from '../../src/graphql/build-schema.ts';
import { undeclaredPatients as patients } from '../support/undeclared-patients.ts';

/** credit_cards whose extras forgot transitCiphertextConstraints. */
const cardsWithoutConstraints = pgTable('credit_cards', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  ...transitCiphertext('pan', { key: 'card-pan', bindTo: 'id' }),
  ...transitBlindIndex('pan', { key: 'card-pan-index' }),
});

const UNNAMED_COLUMN = 'patients.iban stores key "patient-iban", but no @encrypted object field in the schema names it';

function thrown(run: () => unknown): unknown {
  try {
    run();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('operator CLIs run the declaration check [embedded]', () => {
  const config = { limits: loadConfig({}).limits };

  it('the check refuses a mismatching drizzle schema, naming the mismatch, and accepts the app schema', () => {
    const extra = thrown(() => checkOperatorDeclarations(config, { ...databaseSchema, patients }));
    expect(extra).toBeInstanceOf(DeclarationMismatchError);
    expect((extra as Error).message).toContain(UNNAMED_COLUMN);

    const { creditCards: _, ...withoutCards } = databaseSchema;
    expect(() => checkOperatorDeclarations(config, withoutCards)).toThrow(
      'CreditCard.pan is @encrypted(key: "card-pan"), but no stored column is declared with that key',
    );
    expect(() =>
      checkOperatorDeclarations(config, { ...databaseSchema, creditCards: cardsWithoutConstraints }),
    ).toThrow(
      'credit_cards.pan is declared with transitCiphertext, but its table lacks CHECK credit_cards_pan_is_ciphertext',
    );
    // The app's declarations, whatever fields it has: every @encrypted key has its stored column.
    const encrypted = new Set(encryptionKeysOf(buildSchema(config.limits)).keys());
    expect(encrypted.size).toBeGreaterThan(0);
    expect(checkOperatorDeclarations(config).keys()).toEqual(encrypted);
  });

  describe('each operator program refuses before its command runs', () => {
    let dataDir: string;
    beforeEach(() => {
      // The embedded default in a directory of its own: were the check skipped, the command would run here.
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-operator-declarations-'));
      vi.stubEnv('DATA_DIR', dataDir);
      vi.stubEnv('DATABASE_URL', undefined);
      vi.stubEnv('VAULT_ADDR', undefined);
      vi.stubEnv('VAULT_ADDRS', undefined);
      vi.stubEnv('VAULT_TOKEN', undefined);
      vi.stubEnv('TRANSIT_MASTER_KEY', Buffer.alloc(32, 7).toString('base64'));
    });
    afterEach(() => {
      vi.unstubAllEnvs();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    /** A command of each program that opens the database or a key once past the check. */
    const commands: Record<string, (dir: string) => string[]> = {
      transit: () => ['info', 'card-pan'],
      db: (dir) => ['backup', path.join(dir, 'backup.tar.gz')],
      audit: () => ['verify'],
    };

    it('covers every operator program', () => {
      expect(Object.keys(operatorPrograms).sort()).toEqual(Object.keys(commands).sort());
    });

    it.each(Object.keys(commands))('npm run %s', async (name) => {
      const argv = commands[name]?.(dataDir) ?? [];
      const error = await runOperatorCli(name, argv, { ...databaseSchema, patients }).then(
        (code) => `exited ${code}`,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(DeclarationMismatchError);
      expect((error as Error).message).toContain(UNNAMED_COLUMN);
      // Nothing was opened: no database, keyring or backup in the data directory.
      expect(fs.readdirSync(dataDir)).toEqual([]);
      // The npm script's entry point is this shared path.
      const entry = fs.readFileSync(path.resolve(import.meta.dirname, `../../src/cli/${name}.ts`), 'utf8');
      expect(entry).toContain(`runOperatorCli('${name}', process.argv.slice(2))`);
    });
  });
});
