import type { EncryptedObjectField } from '../directives/encrypted.ts';
import type { StoredColumnRegistry } from './stored-columns.ts';

/** The schema's encrypted object fields and the drizzle schema's stored columns disagree. */
export class DeclarationMismatchError extends Error {
  override name = 'DeclarationMismatchError';
}

/**
 * At start-up: every key an `@encrypted` object field names must have a stored column, every stored
 * column's key must be named by such a field, and both must agree on binding. Otherwise lifecycle
 * operations would count, rewrap and retire without seeing values that exist.
 */
export function checkDeclarations(
  fields: readonly EncryptedObjectField[],
  registry: StoredColumnRegistry,
  blindIndexKeys: ReadonlySet<string> = new Set(),
): void {
  const problems: string[] = [];
  const indexColumnKeys = registry.blindIndexKeys();
  for (const key of blindIndexKeys) {
    if (!indexColumnKeys.has(key)) {
      problems.push(
        `@blindIndex(key: "${key}") is declared, but no transitBlindIndex column is declared with that key`,
      );
    }
  }
  for (const key of indexColumnKeys) {
    if (!blindIndexKeys.has(key)) {
      const labels = registry
        .forKey(key)
        .map((column) => column.label)
        .join(', ');
      problems.push(`${labels} is a blind index under key "${key}", but no @blindIndex in the schema names it`);
    }
  }
  const columnKeys = registry.keys();
  const fieldKeys = new Set(fields.map((field) => field.key));
  for (const field of fields) {
    const where = `${field.type}.${field.field}`;
    const columns = registry.forKey(field.key);
    if (columns.length === 0) {
      problems.push(`${where} is @encrypted(key: "${field.key}"), but no stored column is declared with that key`);
      continue;
    }
    for (const column of columns) {
      if (column.indexOf !== undefined) continue;
      if (column.bindTo !== field.bindTo) {
        problems.push(
          `${where} binds to ${field.bindTo ?? 'nothing'} but ${column.label} (key "${field.key}") binds to ${column.bindTo ?? 'nothing'}`,
        );
      }
    }
  }
  for (const key of columnKeys) {
    if (fieldKeys.has(key)) continue;
    const labels = registry
      .forKey(key)
      .map((column) => column.label)
      .join(', ');
    problems.push(`${labels} stores key "${key}", but no @encrypted object field in the schema names it`);
  }
  if (problems.length > 0) {
    throw new DeclarationMismatchError(`encrypted fields and stored columns disagree:\n  - ${problems.join('\n  - ')}`);
  }
}
