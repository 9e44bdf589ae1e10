import { badUserInput } from './errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks that ids are ones this API could have issued, before they reach SQL. */
export function requireIds(ids: readonly string[], argument = 'ids'): string[] {
  const bad = ids.filter((id) => !UUID.test(id)).length;
  if (bad > 0) throw badUserInput(`${argument}: ${bad} value(s) are not valid ids`);
  return [...ids];
}

export function requireId(id: string, argument = 'id'): string {
  if (!UUID.test(id)) throw badUserInput(`${argument} is not a valid id`);
  return id;
}
