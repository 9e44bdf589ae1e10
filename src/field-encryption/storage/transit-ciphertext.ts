import { getTableName, type SQL, sql } from 'drizzle-orm';
import { check, index, integer, type PgColumn, text } from 'drizzle-orm/pg-core';
import { blindIndexConstraints } from './transit-blind-index.ts';

/** What a column declared with `transitCiphertext` holds. */
export interface CiphertextDeclaration {
  /** Transit key the values are encrypted under. */
  key: string;
  /** Property (on the same table) of the record's identity, the derived key's context. */
  bindTo?: string;
  /** Database name of the ciphertext column. */
  column: string;
  /** Database name of the generated key-version column. */
  versionColumn: string;
  /** The column may hold null (no value); its CHECK then allows null. */
  nullable?: boolean;
}

/** Declarations by the generated expression of their version column (how a built table is recognised). */
const declarations = new WeakMap<SQL, CiphertextDeclaration>();

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/**
 * A column holding transit ciphertext, declared once: `...transitCiphertext('pan', { key: 'card-pan',
 * bindTo: 'id' })` in a drizzle table gives the text column `pan` and the generated column
 * `pan_key_version` (the version read out of the ciphertext by Postgres). Add
 * `...transitCiphertextConstraints(table)` to the table's extras for the `vault:v<N>:` CHECK and the
 * version index (a drizzle column cannot carry a CHECK itself): the stored-column registry finds the
 * column from this declaration, and refuses it, naming it, when its table lacks them.
 */
type CiphertextColumns<TName extends string> = { [K in TName]: ReturnType<typeof ciphertextColumn> } & {
  [K in `${TName}KeyVersion`]: ReturnType<typeof versionColumnOf>;
};
type NullableCiphertextColumns<TName extends string> = { [K in TName]: ReturnType<typeof nullableCiphertextColumn> } & {
  [K in `${TName}KeyVersion`]: ReturnType<typeof nullableVersionColumnOf>;
};

interface CiphertextOptions {
  key: string;
  bindTo?: string;
  /** Allow null (a record without the value); the value, when present, is still ciphertext only. */
  nullable?: boolean;
}

export function transitCiphertext<const TName extends string>(
  name: TName,
  options: CiphertextOptions & { nullable: true },
): NullableCiphertextColumns<TName>;
export function transitCiphertext<const TName extends string>(
  name: TName,
  options: CiphertextOptions & { nullable?: false },
): CiphertextColumns<TName>;
export function transitCiphertext<const TName extends string>(name: TName, options: CiphertextOptions) {
  const column = snakeCase(name);
  const versionColumn = `${column}_key_version`;
  const version = sql`(substring(${sql.identifier(column)} from '^vault:v([0-9]+):'))::integer`;
  const nullable = options.nullable === true;
  declarations.set(version, {
    key: options.key,
    column,
    versionColumn,
    ...(options.bindTo === undefined ? {} : { bindTo: options.bindTo }),
    ...(nullable ? { nullable } : {}),
  });
  if (nullable) {
    return { [name]: text(column), [`${name}KeyVersion`]: integer(versionColumn).generatedAlwaysAs(version) };
  }
  return {
    [name]: text(column).notNull(),
    [`${name}KeyVersion`]: integer(versionColumn).notNull().generatedAlwaysAs(version),
  };
}

// Typing aids only: the builders transitCiphertext returns.
function ciphertextColumn() {
  return text('').notNull();
}
function versionColumnOf() {
  return integer('').notNull().generatedAlwaysAs(sql``);
}
function nullableCiphertextColumn() {
  return text('');
}
function nullableVersionColumnOf() {
  return integer('').generatedAlwaysAs(sql``);
}

/** The declaration behind a built column, when it is the version column of a transit ciphertext. */
export function ciphertextDeclarationOf(column: PgColumn): CiphertextDeclaration | undefined {
  const generated = column.generated?.as;
  return generated !== undefined && typeof generated === 'object' ? declarations.get(generated as SQL) : undefined;
}

/** The names `transitCiphertextConstraints` gives a ciphertext column's CHECK and version index. */
export function ciphertextConstraintNames(tableName: string, declaration: CiphertextDeclaration) {
  return {
    check: `${tableName}_${declaration.column}_is_ciphertext`,
    indexes: [`${tableName}_${declaration.versionColumn}_idx`],
  };
}

/**
 * CHECK `vault:v<N>:` on every transit ciphertext column of the table, and an index on its version
 * column; the same for every blind index (`transitBlindIndex`), plus an index on the index column.
 */
export function transitCiphertextConstraints(table: Record<string, PgColumn>) {
  return Object.values(table).flatMap((column) => {
    const declaration = ciphertextDeclarationOf(column);
    if (declaration === undefined) return blindIndexConstraints(column);
    const tableName = getTableName(column.table);
    const ciphertext = sql.identifier(declaration.column);
    const names = ciphertextConstraintNames(tableName, declaration);
    return [
      check(
        names.check,
        declaration.nullable === true
          ? sql`${ciphertext} is null or ${ciphertext} ~ '^vault:v[0-9]+:'`
          : sql`${ciphertext} ~ '^vault:v[0-9]+:'`,
      ),
      ...names.indexes.map((name) => index(name).on(column)),
    ];
  });
}
