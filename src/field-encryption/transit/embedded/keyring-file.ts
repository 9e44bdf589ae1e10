import { z } from 'zod';

export const KEYRING_FORMAT = 'transitql-keyring/1';

const storedVersion = z.object({
  material: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64'),
  createdAt: z.iso.datetime(),
});

const storedKeyring = z.object({
  derived: z.boolean().optional(),
  latestVersion: z.number().int().min(0),
  minDecryptionVersion: z.number().int().min(0),
  minEncryptionVersion: z.number().int().min(0),
  versions: z.record(z.string(), storedVersion),
});

const storedFile = z.object({
  format: z.literal(KEYRING_FORMAT),
  keys: z.record(z.string(), storedKeyring),
});

export type StoredFile = z.infer<typeof storedFile>;
export type StoredKeyring = z.infer<typeof storedKeyring>;
export type StoredVersion = z.infer<typeof storedVersion>;

/** Raised for a keyring file that is not one this engine wrote; the message says what is wrong, never the material. */
export class KeyringFileError extends Error {}

const TYPE_NAMES: Record<string, string> = { record: 'an object', object: 'an object', array: 'a list' };

function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let value = json;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describeIssue(json: unknown, issue: z.core.$ZodIssue): string {
  const at = issue.path.map(String).join('.');
  if (at === '') return 'must be an object holding "format" and "keys"';
  if (valueAt(json, issue.path) === undefined) return `has no "${at}"`;
  if (issue.code === 'invalid_type') return `"${at}" must be ${TYPE_NAMES[issue.expected] ?? `a ${issue.expected}`}`;
  if (issue.code === 'invalid_value' && at === 'format') return `"format" must be "${KEYRING_FORMAT}"`;
  return `"${at}" is invalid: ${issue.message}`;
}

/** Parses the keyring file's text, refusing anything but the shape the engine writes. */
export function parseKeyringFile(text: string): StoredFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new KeyringFileError(`is not valid JSON (${(error as Error).message})`);
  }
  const parsed = storedFile.safeParse(json);
  if (!parsed.success) throw new KeyringFileError(describeIssue(json, parsed.error.issues[0] as z.core.$ZodIssue));
  for (const [name, keyring] of Object.entries(parsed.data.keys)) {
    for (const version of Object.keys(keyring.versions)) {
      if (!/^[1-9]\d*$/.test(version)) {
        throw new KeyringFileError(
          `"keys.${name}.versions" has a version "${version}"; versions are whole numbers from 1`,
        );
      }
    }
  }
  return parsed.data;
}
