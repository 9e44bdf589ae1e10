import { getTableName, type SQL, sql } from 'drizzle-orm';
import { check, index, integer, type PgColumn, text } from 'drizzle-orm/pg-core';

/** What a column declared with `transitBlindIndex` holds. */
export interface BlindIndexDeclaration {
  /** Transit key whose HMAC the index is (an HMAC-only key, never an encryption key). */
  key: string;
  /** Property (on the same table) of the ciphertext column the index is computed from. */
  source: string;
  /** Database name of the index column. */
  column: string;
  /** Database name of the generated key-version column. */
  versionColumn: string;
}

const declarations = new WeakMap<SQL, BlindIndexDeclaration>();

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/**
 * The keyed blind index of a `transitCiphertext` column, declared once: `...transitBlindIndex('pan',
 * { key: 'card-pan-index' })` gives the text column `pan_index` (the transit HMAC `vault:v<N>:...` of
 * the value; null until computed, e.g. for rows stored before the index existed: `npm run transit --
 * reindex <key>` fills them) and the generated `pan_index_key_version`. `transitCiphertextConstraints`
 * adds the `vault:v<N>:` CHECK, the version index and the lookup index.
 */
export function transitBlindIndex<const TName extends string>(source: TName, options: { key: string }) {
  const column = `${snakeCase(source)}_index`;
  const versionColumn = `${column}_key_version`;
  const version = sql`(substring(${sql.identifier(column)} from '^vault:v([0-9]+):'))::integer`;
  declarations.set(version, { key: options.key, source, column, versionColumn });
  return {
    [`${source}Index`]: text(column),
    [`${source}IndexKeyVersion`]: integer(versionColumn).generatedAlwaysAs(version),
  } as { [K in `${TName}Index`]: ReturnType<typeof indexColumn> } & {
    [K in `${TName}IndexKeyVersion`]: ReturnType<typeof versionColumnOf>;
  };
}

// Typing aids only: the builders transitBlindIndex returns.
function indexColumn() {
  return text('');
}
function versionColumnOf() {
  return integer('').generatedAlwaysAs(sql``);
}

/** The declaration behind a built column, when it is the version column of a blind index. */
export function blindIndexDeclarationOf(column: PgColumn): BlindIndexDeclaration | undefined {
  const generated = column.generated?.as;
  return generated !== undefined && typeof generated === 'object' ? declarations.get(generated as SQL) : undefined;
}

/** The names `transitCiphertextConstraints` gives a blind index's CHECK, version index and lookup index. */
export function blindIndexConstraintNames(tableName: string, declaration: BlindIndexDeclaration) {
  const versionIndex = `${tableName}_${declaration.versionColumn}_idx`;
  const lookupIndex = `${tableName}_${declaration.column}_idx`;
  return {
    check: `${tableName}_${declaration.column}_is_hmac`,
    versionIndex,
    lookupIndex,
    indexes: [versionIndex, lookupIndex],
  };
}

/** The CHECK and indexes of a blind-index version column (none for other columns). */
export function blindIndexConstraints(column: PgColumn) {
  const declaration = blindIndexDeclarationOf(column);
  if (declaration === undefined) return [];
  const indexed = sql.identifier(declaration.column);
  const names = blindIndexConstraintNames(getTableName(column.table), declaration);
  return [
    check(names.check, sql`${indexed} is null or ${indexed} ~ '^vault:v[0-9]+:'`),
    index(names.versionIndex).on(column),
    index(names.lookupIndex).using('btree', sql`${indexed}`),
  ];
}
