import type { VaultSession } from './vault-session.ts';

export const API_ROLE = 'transitql-api';
export const KEY_ADMIN_ROLE = 'transitql-key-admin';

export interface AppRoleCredentials {
  role: string;
  policy: string;
  roleId: string;
  secretId: string;
}

export interface LeastPrivilegeOptions {
  transitMount: string;
  /** The KV v2 secret the API checkpoints the reveal record's head in. */
  anchor: RecordAnchorPath;
  approleMount: string;
  keys: Iterable<string>;
  /** Blind-index keys: HMAC only. */
  indexKeys?: Iterable<string>;
  /** The key that seals the reveal record, where the key admin's commands are recorded too. */
  sealKey: string;
  tokenTtl: string;
  tokenMaxTtl: string;
}

export interface RecordAnchorPath {
  mount: string;
  path: string;
}

type Capability = 'read' | 'update' | 'read, create and update';

function capabilities(capability: Capability): string {
  return capability === 'read, create and update' ? '"read", "create", "update"' : `"${capability}"`;
}

function policy(rules: Array<[path: string, capability: Capability]>): string {
  return rules
    .map(([path, capability]) => `path "${path}" {\n  capabilities = [${capabilities(capability)}]\n}\n`)
    .join('\n');
}

/**
 * The API may only use the schema's keys: encrypt, decrypt, rewrap, hmac, and read their versions;
 * a blind-index key only to HMAC (and read its versions), never to encrypt or decrypt. It reads and
 * writes the reveal record's checkpoint (KV v2 data only: no metadata, delete or destroy, so the
 * secret's earlier versions stay as history).
 */
export function apiPolicy(
  mount: string,
  keys: Iterable<string>,
  indexKeys: Iterable<string>,
  anchor: RecordAnchorPath,
): string {
  return policy([
    ...[...keys].flatMap(
      (key): Array<[string, Capability]> => [
        [`${mount}/encrypt/${key}`, 'update'],
        [`${mount}/decrypt/${key}`, 'update'],
        [`${mount}/rewrap/${key}`, 'update'],
        [`${mount}/hmac/${key}`, 'update'],
        [`${mount}/keys/${key}`, 'read'],
      ],
    ),
    ...[...indexKeys].flatMap(
      (key): Array<[string, Capability]> => [
        [`${mount}/hmac/${key}`, 'update'],
        [`${mount}/keys/${key}`, 'read'],
      ],
    ),
    [`${anchor.mount}/data/${anchor.path}`, 'read, create and update'],
  ]);
}

/** Where the key admin's commands leave their entries: the reveal record, sealed and checkpointed. */
export interface AdminRecordPaths {
  sealKey: string;
  anchor: RecordAnchorPath;
}

/**
 * Key administration: rotate, configure (retire) and rewrap the schema's keys; no encrypt or decrypt.
 * A blind-index key is rotated and retired, never rewrapped (its values are recomputed by reindex).
 * Each command is recorded on the reveal record: an HMAC under the seal key seals the entry (an HMAC
 * reveals nothing) and the record's checkpoint moves past it (KV v2 data only, like the API).
 */
export function keyAdminPolicy(
  mount: string,
  keys: Iterable<string>,
  indexKeys: Iterable<string>,
  record: AdminRecordPaths,
): string {
  return policy([
    ...[...keys].flatMap(
      (key): Array<[string, Capability]> => [
        [`${mount}/keys/${key}`, 'read'],
        [`${mount}/keys/${key}/rotate`, 'update'],
        [`${mount}/keys/${key}/config`, 'update'],
        [`${mount}/rewrap/${key}`, 'update'],
      ],
    ),
    ...[...indexKeys].flatMap(
      (key): Array<[string, Capability]> => [
        [`${mount}/keys/${key}`, 'read'],
        [`${mount}/keys/${key}/rotate`, 'update'],
        [`${mount}/keys/${key}/config`, 'update'],
      ],
    ),
    [`${mount}/hmac/${record.sealKey}`, 'update'],
    [`${record.anchor.mount}/data/${record.anchor.path}`, 'read, create and update'],
  ]);
}

/**
 * Writes the two policies, enables AppRole if missing, creates one role per policy and answers a
 * fresh role-id/secret-id pair for each. Needs an admin token; idempotent apart from the new secret-ids.
 */
export async function writeLeastPrivilege(
  session: VaultSession,
  options: LeastPrivilegeOptions,
): Promise<AppRoleCredentials[]> {
  const keys = [...options.keys];
  const indexKeys = [...(options.indexKeys ?? [])];
  const roles = [
    { role: API_ROLE, text: apiPolicy(options.transitMount, keys, indexKeys, options.anchor) },
    {
      role: KEY_ADMIN_ROLE,
      text: keyAdminPolicy(options.transitMount, keys, indexKeys, { sealKey: options.sealKey, anchor: options.anchor }),
    },
  ];
  await enableAppRole(session, options.approleMount);
  const credentials: AppRoleCredentials[] = [];
  for (const { role, text } of roles) {
    await session.request('POST', `/sys/policies/acl/${role}`, { policy: text }, `write policy ${role}`);
    const rolePath = `/auth/${options.approleMount}/role/${role}`;
    await session.request(
      'POST',
      rolePath,
      { token_policies: [role], token_ttl: options.tokenTtl, token_max_ttl: options.tokenMaxTtl },
      `write AppRole role ${role}`,
    );
    const roleId = await session.request<{ data: { role_id: string } }>(
      'GET',
      `${rolePath}/role-id`,
      undefined,
      `read role-id of ${role}`,
    );
    const secretId = await session.request<{ data: { secret_id: string } }>(
      'POST',
      `${rolePath}/secret-id`,
      {},
      `create secret-id for ${role}`,
    );
    credentials.push({ role, policy: role, roleId: roleId.data.role_id, secretId: secretId.data.secret_id });
  }
  return credentials;
}

async function enableAppRole(session: VaultSession, mount: string): Promise<void> {
  const methods = await session.request<{ data?: Record<string, unknown> } & Record<string, unknown>>(
    'GET',
    '/sys/auth',
    undefined,
    'list auth methods',
  );
  if (`${mount}/` in (methods.data ?? methods)) return;
  await session.request('POST', `/sys/auth/${mount}`, { type: 'approle' }, 'enable AppRole');
}
