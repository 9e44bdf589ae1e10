import { getTableColumns, getTableName, is } from 'drizzle-orm';
import { getTableConfig, type PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { DeclarationMismatchError } from './check-declarations.ts';
import { blindIndexConstraintNames, blindIndexDeclarationOf } from './transit-blind-index.ts';
import {
  type CiphertextDeclaration,
  ciphertextConstraintNames,
  ciphertextDeclarationOf,
} from './transit-ciphertext.ts';

/** One column holding transit ciphertext, as declared with `transitCiphertext` in the drizzle schema. */
export interface StoredColumn extends Omit<CiphertextDeclaration, 'column' | 'versionColumn'> {
  /** `table.column`, for messages. */
  label: string;
  table: PgTable;
  ciphertext: PgColumn;
  version: PgColumn;
  /** The record's identity: the `bindTo` column, else the primary key. Bound values use it as context. */
  identity: PgColumn;
  /**
   * A blind index (`transitBlindIndex`): `ciphertext` holds HMACs under `key` of the values of this
   * ciphertext column (whose key and identity decrypt them). Absent for a ciphertext column.
   */
  indexOf?: StoredColumn;
}

/** The stored columns of a drizzle schema, by key: read from the declarations, never listed by hand. */
export class StoredColumnRegistry {
  constructor(readonly columns: readonly StoredColumn[]) {}

  forKey(key: string): StoredColumn[] {
    return this.columns.filter((column) => column.key === key);
  }

  /** The keys of ciphertext columns. */
  keys(): Set<string> {
    return new Set(this.columns.filter((column) => column.indexOf === undefined).map((column) => column.key));
  }

  /** The keys of blind-index columns (HMAC keys). */
  blindIndexKeys(): Set<string> {
    return new Set(this.columns.filter((column) => column.indexOf !== undefined).map((column) => column.key));
  }
}

/** Finds every `transitCiphertext` column among the tables a drizzle schema module exports. */
export function storedColumnsOf(schema: Record<string, unknown>): StoredColumnRegistry {
  const found: StoredColumn[] = [];
  for (const table of Object.values(schema)) {
    if (!is(table, PgTable)) continue;
    const columns = getTableColumns(table);
    for (const column of Object.values(columns)) {
      const declaration = ciphertextDeclarationOf(column);
      if (declaration === undefined) continue;
      const label = `${getTableName(table)}.${declaration.column}`;
      const ciphertext = Object.values(columns).find((candidate) => candidate.name === declaration.column);
      if (ciphertext === undefined) throw new Error(`${label}: ciphertext column not found`);
      const identity =
        declaration.bindTo === undefined
          ? Object.values(columns).find((candidate) => candidate.primary)
          : columns[declaration.bindTo];
      if (identity === undefined) {
        throw new Error(
          declaration.bindTo === undefined
            ? `${label}: the table needs a single-column primary key`
            : `${label}: bindTo names ${declaration.bindTo}, which the table does not have`,
        );
      }
      found.push({
        key: declaration.key,
        ...(declaration.bindTo === undefined ? {} : { bindTo: declaration.bindTo }),
        label,
        table,
        ciphertext,
        version: column,
        identity,
      });
    }
  }
  found.push(...blindIndexColumnsOf(schema, found));
  refuseMissingConstraints(found);
  return new StoredColumnRegistry(found);
}

/**
 * A drizzle column cannot carry its own CHECK, so `transitCiphertextConstraints(table)` in the table's
 * extras adds it: refuse every stored column whose table forgot it (no `vault:v<N>:` CHECK, no version
 * index), naming the column, rather than let a table accept plaintext in a ciphertext column.
 */
function refuseMissingConstraints(columns: readonly StoredColumn[]): void {
  const problems: string[] = [];
  const configs = new Map<PgTable, ReturnType<typeof getTableConfig>>();
  for (const column of columns) {
    let config = configs.get(column.table);
    if (config === undefined) {
      config = getTableConfig(column.table);
      configs.set(column.table, config);
    }
    const blindIndex = blindIndexDeclarationOf(column.version);
    const ciphertext = ciphertextDeclarationOf(column.version);
    const names =
      blindIndex !== undefined
        ? blindIndexConstraintNames(config.name, blindIndex)
        : ciphertext !== undefined
          ? ciphertextConstraintNames(config.name, ciphertext)
          : undefined;
    if (names === undefined) continue;
    const checks = new Set(config.checks.map((check) => check.name));
    const indexes = new Set(config.indexes.map((index) => index.config.name));
    const missing = [
      ...(checks.has(names.check) ? [] : [`CHECK ${names.check}`]),
      ...names.indexes.filter((name) => !indexes.has(name)).map((name) => `index ${name}`),
    ];
    if (missing.length > 0) {
      problems.push(
        `${column.label} is declared with ${blindIndex === undefined ? 'transitCiphertext' : 'transitBlindIndex'}, but its table lacks ${missing.join(', ')}: add (table) => [...transitCiphertextConstraints(table)] to the table's extras`,
      );
    }
  }
  if (problems.length > 0) {
    throw new DeclarationMismatchError(`stored columns are declared incompletely:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Every `transitBlindIndex` column, with the ciphertext column it indexes. */
function blindIndexColumnsOf(schema: Record<string, unknown>, ciphertexts: readonly StoredColumn[]): StoredColumn[] {
  const found: StoredColumn[] = [];
  for (const table of Object.values(schema)) {
    if (!is(table, PgTable)) continue;
    const columns = getTableColumns(table);
    for (const column of Object.values(columns)) {
      const declaration = blindIndexDeclarationOf(column);
      if (declaration === undefined) continue;
      const label = `${getTableName(table)}.${declaration.column}`;
      const indexed = Object.values(columns).find((candidate) => candidate.name === declaration.column);
      const source = ciphertexts.find((candidate) => candidate.ciphertext === columns[declaration.source]);
      if (indexed === undefined) throw new Error(`${label}: index column not found`);
      if (source === undefined) {
        throw new Error(`${label}: ${declaration.source} is not a transitCiphertext column of the same table`);
      }
      found.push({
        key: declaration.key,
        ...(source.bindTo === undefined ? {} : { bindTo: source.bindTo }),
        label,
        table,
        ciphertext: indexed,
        version: column,
        identity: source.identity,
        indexOf: source,
      });
    }
  }
  return found;
}
