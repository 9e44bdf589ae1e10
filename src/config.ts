import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { isPublishedSecret } from './auth/published-secrets.ts';
import { notRandomBytes } from './auth/secret-encoding.ts';
import { estimatedSecretBits, MIN_SECRET_BITS } from './auth/secret-strength.ts';
import type { TransitBatchingConfig, TransitConfig, VaultTransitConfig } from './field-encryption/index.ts';
import type { AllowedHosts } from './http/host-allow-list.ts';
import { hostnameOf, isLoopbackHost, isWildcardAddress } from './http/hosts.ts';

/** Raised when the environment cannot describe a runnable service; its message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

const postgresUrl = z
  .string()
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
      } catch {
        return false;
      }
    },
    { message: 'must be a URL like postgres://user:password@host:5432/database' },
  )
  .optional();

const httpUrl = z
  .string()
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'http:' || url.protocol === 'https:';
      } catch {
        return false;
      }
    },
    { message: 'must be an http:// or https:// URL' },
  )
  .optional();

/** One address, or several comma-separated (the nodes of one cluster). */
const httpUrlList = z
  .string()
  .transform((value) => value.split(',').map((address) => address.trim().replace(/\/+$/, '')))
  .refine((addresses) => addresses.every((address) => httpUrl.safeParse(address).success && address !== ''), {
    message: 'must be http:// or https:// URLs, comma-separated',
  })
  .optional();

const base64Key = z
  .string()
  .refine((value) => Buffer.from(value, 'base64').length === 32, {
    message: 'must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)',
  })
  .optional();

/** Characters a string argument may hold unless the schema says otherwise: far above a key name, id or cursor; scanned in well under a millisecond. */
export const DEFAULT_MAX_STRING_LENGTH = 1000;

const DURATION_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** A duration like 12h, 30m, 7d. */
const duration = z.string().regex(/^\d+[smhd]$/, 'must be a duration like 12h');

function durationSeconds(value: string): number {
  return Number(value.slice(0, -1)) * DURATION_SECONDS[value.at(-1) as keyof typeof DURATION_SECONDS];
}

const port = z
  .string()
  .default('4000')
  .refine((value) => /^\d+$/.test(value.trim()) && Number(value) <= 65535, {
    message: 'must be a port number from 0 to 65535',
  })
  .transform(Number);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  ALLOWED_HOSTS: optionalText,
  PORT: port,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['pretty', 'json']).optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  GRAPHIQL: flag.optional(),

  DATABASE_URL: z.preprocess((value) => (value === '' ? undefined : value), postgresUrl),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  DATABASE_CACERT: optionalText,

  VAULT_ADDR: z.preprocess((value) => (value === '' ? undefined : value), httpUrlList),
  VAULT_ADDRS: z.preprocess((value) => (value === '' ? undefined : value), httpUrlList),
  VAULT_TOKEN: optionalText,
  VAULT_ROLE_ID: optionalText,
  VAULT_SECRET_ID: optionalText,
  VAULT_APPROLE_MOUNT: z.string().min(1).default('approle'),
  VAULT_TRANSIT_MOUNT: z
    .string()
    .regex(/^[\w-]+(\/[\w-]+)*$/, 'must be a mount path like transit')
    .default('transit'),
  // The reveal record's checkpoint: a KV v2 mount (default: the transit mount's name + "-anchor") and a secret path in it.
  VAULT_ANCHOR_MOUNT: z
    .string()
    .regex(/^[\w-]+(\/[\w-]+)*$/, 'must be a mount path like transit-anchor')
    .optional(),
  VAULT_ANCHOR_PATH: z
    .string()
    .regex(/^[\w-]+(\/[\w-]+)*$/, 'must be a secret path like reveal-record')
    .default('reveal-record'),
  VAULT_NAMESPACE: optionalText,
  VAULT_CACERT: optionalText,
  VAULT_CLIENT_CERT: optionalText,
  VAULT_CLIENT_KEY: optionalText,
  VAULT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  VAULT_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  // The server listener's max_request_json_strings: batches are cut to fit it.
  VAULT_MAX_REQUEST_JSON_STRINGS: z.coerce.number().int().min(16).max(10_000_000).default(1000),
  ALLOW_ROOT_TOKEN: flag.default(false),

  TRANSIT_MASTER_KEY: base64Key,
  TRANSIT_MASTER_KEY_FILE: optionalText,
  TRANSIT_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(250),
  TRANSIT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  // `sequential`: one call per value, one after another (the bench's second naive comparison).
  TRANSIT_BATCHING: z.union([z.literal('sequential'), flag]).default(true),
  TRANSIT_BATCH_WINDOW_MS: z.coerce.number().int().min(0).max(100).default(80),

  AUTH_JWT_SECRET: optionalText,
  AUTH_JWKS_URL: z.preprocess((value) => (value === '' ? undefined : value), httpUrl),
  AUTH_ISSUER: optionalText,
  AUTH_AUDIENCE: optionalText,
  AUTH_ROLES_CLAIM: z.string().min(1).default('roles'),
  AUTH_TOKEN_TTL: duration.default('12h'),
  MAX_TOKEN_TTL: duration.default('24h'),

  MAX_PAGE_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
  MAX_BULK_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
  MAX_STRING_LENGTH: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_MAX_STRING_LENGTH),
  MAX_DECRYPTS_PER_REQUEST: z.coerce.number().int().min(0).max(1_000_000).optional(),
  MAX_ENCRYPTS_PER_REQUEST: z.coerce.number().int().min(0).max(1_000_000).optional(),
  MAX_QUERY_DEPTH: z.coerce.number().int().min(1).max(100).default(8),
  MAX_QUERY_ALIASES: z.coerce.number().int().min(0).max(1000).default(15),
  MAX_QUERY_TOKENS: z.coerce.number().int().min(10).max(100_000).default(1000),
  MAX_QUERY_COST: z.coerce.number().int().min(1).max(10_000_000).default(50_000),
  MAX_QUERY_DIRECTIVES: z.coerce.number().int().min(0).max(1000).default(50),
});

export type Env = z.infer<typeof envSchema>;

/** The development secret: good only for local runs, refused in production. */
const DEVELOPMENT_JWT_SECRET = 'transitql-development-secret-change-me-0123456789';

export interface Config {
  env: Env['NODE_ENV'];
  http: {
    host: string;
    port: number;
    /** The Host headers the API answers (every route); see ALLOWED_HOSTS. */
    allowedHosts: AllowedHosts;
    /** Listening on loopback only: the one case where GraphiQL may carry development tokens. */
    listensOnLoopback: boolean;
  };
  /** Serve GraphiQL at /graphql to browsers (on by default outside production). */
  graphiql: boolean;
  logLevel: Env['LOG_LEVEL'];
  logFormat: 'pretty' | 'json';
  dataDir: string;
  database: PostgresConfig | { kind: 'pglite'; dataDir: string | undefined };
  transit: TransitConfig;
  auth: AuthConfig;
  limits: Limits;
  queryLimits: QueryLimits;
}

export interface Limits {
  maxPageSize: number;
  maxBulkSize: number;
  /** Characters a string argument or input field may hold where the schema declares no @maxLength. */
  maxStringLength: number;
  /** Values one request may decrypt, counted as it runs (aliases included). */
  maxDecryptsPerRequest: number;
  /** Values one request may encrypt, counted as it runs (aliases included). */
  maxEncryptsPerRequest: number;
}

export interface PostgresConfig {
  kind: 'postgres';
  url: string;
  poolSize: number;
  /** CA the server certificate must chain to (sslmode=verify-full or verify-ca in the URL). */
  caCertFile?: string | undefined;
}

/** Bounds on the shape of one GraphQL document, enforced before it runs. */
export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxCost: number;
  maxDirectives: number;
}

export type AuthConfig = {
  rolesClaim: string;
  issuer: string | undefined;
  audience: string | undefined;
  tokenTtl: string;
  /** Tokens whose lifetime (exp - iat, or exp - now) exceeds this are refused. */
  maxTokenTtlSeconds: number;
} & ({ kind: 'secret'; secret: string; origin: SecretOrigin } | { kind: 'jwks'; jwksUrl: string });

/**
 * Where the HS256 secret comes from: AUTH_JWT_SECRET; the published development secret (unset, on a
 * loopback HOST only); or, unset on any other HOST, random bytes this process alone holds, so no one
 * on the network can mint a token for it.
 */
export type SecretOrigin = 'configured' | 'development' | 'generated';

function fail(variable: string, problem: string): never {
  throw new ConfigError(`${variable} ${problem}`);
}

/** Zod's wording for a number that is not one ("expected number, received NaN") is not for people. */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.expected === 'number') return 'must be a number';
  return issue.message;
}

function parseEnv(source: NodeJS.ProcessEnv): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    fail(variable, issue === undefined ? 'is invalid' : `is invalid: ${describeIssue(issue)}`);
  }
  return parsed.data;
}

function transitConfig(env: Env): TransitConfig {
  const batching: TransitBatchingConfig = {
    batchSize: env.TRANSIT_BATCH_SIZE,
    concurrency: env.TRANSIT_CONCURRENCY,
    enabled: env.TRANSIT_BATCHING === true,
    sequential: env.TRANSIT_BATCHING === 'sequential',
    windowMs: env.TRANSIT_BATCH_WINDOW_MS,
  };
  const addresses = env.VAULT_ADDRS ?? env.VAULT_ADDR;
  if (addresses === undefined) {
    return {
      kind: 'embedded',
      keyDir: path.resolve(env.DATA_DIR, 'transit'),
      masterKey: env.TRANSIT_MASTER_KEY === undefined ? undefined : Buffer.from(env.TRANSIT_MASTER_KEY, 'base64'),
      masterKeyFile: env.TRANSIT_MASTER_KEY_FILE ?? path.resolve(env.DATA_DIR, 'master.key'),
      batching,
    };
  }
  let auth: VaultTransitConfig['auth'];
  if (env.VAULT_ROLE_ID !== undefined || env.VAULT_SECRET_ID !== undefined) {
    if (env.VAULT_ROLE_ID === undefined) fail('VAULT_ROLE_ID', 'is required when VAULT_SECRET_ID is set');
    if (env.VAULT_SECRET_ID === undefined) fail('VAULT_SECRET_ID', 'is required when VAULT_ROLE_ID is set');
    auth = {
      method: 'approle',
      roleId: env.VAULT_ROLE_ID,
      secretId: env.VAULT_SECRET_ID,
    };
  } else if (env.VAULT_TOKEN !== undefined) {
    auth = { method: 'token', token: env.VAULT_TOKEN };
  } else {
    fail('VAULT_TOKEN', 'is required when VAULT_ADDR is set (or set VAULT_ROLE_ID and VAULT_SECRET_ID for AppRole)');
  }
  if ((env.VAULT_CLIENT_CERT === undefined) !== (env.VAULT_CLIENT_KEY === undefined)) {
    fail(
      env.VAULT_CLIENT_CERT === undefined ? 'VAULT_CLIENT_CERT' : 'VAULT_CLIENT_KEY',
      'must be set together with its pair',
    );
  }
  return {
    kind: 'vault',
    address: addresses[0] as string,
    addresses,
    mount: env.VAULT_TRANSIT_MOUNT,
    anchor: { mount: env.VAULT_ANCHOR_MOUNT ?? `${env.VAULT_TRANSIT_MOUNT}-anchor`, path: env.VAULT_ANCHOR_PATH },
    namespace: env.VAULT_NAMESPACE,
    auth,
    approleMount: env.VAULT_APPROLE_MOUNT,
    tls: { caCertFile: env.VAULT_CACERT, clientCertFile: env.VAULT_CLIENT_CERT, clientKeyFile: env.VAULT_CLIENT_KEY },
    timeoutMs: env.VAULT_TIMEOUT_MS,
    retries: env.VAULT_RETRIES,
    maxRequestJsonStrings: env.VAULT_MAX_REQUEST_JSON_STRINGS,
    allowRootToken: env.ALLOW_ROOT_TOKEN,
    batching,
  };
}

const VERIFYING_SSL_MODES = new Set(['verify-full', 'verify-ca']);

function postgresConfig(url: string, env: Env): PostgresConfig {
  const sslmode = new URL(url).searchParams.get('sslmode');
  if (env.DATABASE_CACERT !== undefined && (sslmode === null || !VERIFYING_SSL_MODES.has(sslmode))) {
    fail('DATABASE_CACERT', 'needs sslmode=verify-full (or verify-ca) in DATABASE_URL');
  }
  return { kind: 'postgres', url, poolSize: env.DATABASE_POOL_SIZE, caCertFile: env.DATABASE_CACERT };
}

function authConfig(env: Env): AuthConfig {
  const maxTokenTtlSeconds = durationSeconds(env.MAX_TOKEN_TTL);
  if (durationSeconds(env.AUTH_TOKEN_TTL) > maxTokenTtlSeconds) {
    fail('AUTH_TOKEN_TTL', `must not exceed MAX_TOKEN_TTL (${env.MAX_TOKEN_TTL}): the API would refuse the tokens`);
  }
  const common = {
    rolesClaim: env.AUTH_ROLES_CLAIM,
    issuer: env.AUTH_ISSUER,
    audience: env.AUTH_AUDIENCE,
    tokenTtl: env.AUTH_TOKEN_TTL,
    maxTokenTtlSeconds,
  };
  if (env.AUTH_JWKS_URL !== undefined) {
    if (env.AUTH_ISSUER === undefined) fail('AUTH_ISSUER', 'is required with AUTH_JWKS_URL');
    if (env.AUTH_AUDIENCE === undefined) fail('AUTH_AUDIENCE', 'is required with AUTH_JWKS_URL');
    return { ...common, kind: 'jwks', jwksUrl: env.AUTH_JWKS_URL };
  }
  if (env.AUTH_JWT_SECRET !== undefined) {
    if (env.AUTH_JWT_SECRET.length < 32) fail('AUTH_JWT_SECRET', 'must be at least 32 characters');
    if (env.NODE_ENV === 'production') refuseKnownOrWeakSecret(env.AUTH_JWT_SECRET);
    return { ...common, kind: 'secret', secret: env.AUTH_JWT_SECRET, origin: 'configured' };
  }
  if (env.NODE_ENV === 'production') {
    fail('AUTH_JWT_SECRET', 'or AUTH_JWKS_URL is required in production');
  }
  if (!isLoopbackHost(env.HOST)) {
    return { ...common, kind: 'secret', secret: randomBytes(48).toString('base64'), origin: 'generated' };
  }
  return { ...common, kind: 'secret', secret: DEVELOPMENT_JWT_SECRET, origin: 'development' };
}

/**
 * Anyone who can read a secret can mint tokens for any role, the processor's included: production
 * refuses secrets that are published or guessable. The message names the rule, never the secret.
 */
function refuseKnownOrWeakSecret(secret: string): void {
  const generate = 'generate one with `openssl rand -base64 48`';
  if (secret === DEVELOPMENT_JWT_SECRET) {
    fail('AUTH_JWT_SECRET', `is the built-in development secret, which anyone can read: ${generate}`);
  }
  if (isPublishedSecret(secret)) {
    fail(
      'AUTH_JWT_SECRET',
      `appears in transitql's repository (README, compose file, .env.example or tests), so anyone can read it: ${generate}`,
    );
  }
  const bits = estimatedSecretBits(secret);
  if (bits < MIN_SECRET_BITS) {
    fail(
      'AUTH_JWT_SECRET',
      `is too weak: about ${Math.floor(bits)} bits of estimated entropy, ${MIN_SECRET_BITS} needed (repeated characters, words, sequences and keyboard patterns count for little): ${generate}`,
    );
  }
  const shape = notRandomBytes(secret);
  if (shape !== undefined) fail('AUTH_JWT_SECRET', `${shape}: ${generate}`);
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

/**
 * ALLOWED_HOSTS (comma-separated host names, `*` for any), plus the loopback names, always: a
 * rebinding page sends its own name, and health checks on the machine use 127.0.0.1. Unset: the
 * loopback names and HOST when it is one address or name; any Host when the API listens on every
 * interface (0.0.0.0, ::).
 */
function allowedHosts(env: Env): AllowedHosts {
  if (env.ALLOWED_HOSTS === undefined) {
    if (isWildcardAddress(env.HOST)) return { kind: 'any' };
    return { kind: 'list', hostnames: new Set([...LOOPBACK_NAMES, hostnameOf(env.HOST)]) };
  }
  const names = env.ALLOWED_HOSTS.split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.includes('*')) return { kind: 'any' };
  if (names.length === 0) fail('ALLOWED_HOSTS', 'must list host names (comma-separated) or be *');
  return { kind: 'list', hostnames: new Set([...LOOPBACK_NAMES, ...names.map(hostnameOf)]) };
}

/** Reads and validates the whole configuration; the only place that looks at the environment. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const env = parseEnv(source);
  const dataDir = path.resolve(env.DATA_DIR);
  return {
    env: env.NODE_ENV,
    http: {
      host: env.HOST,
      port: env.PORT,
      allowedHosts: allowedHosts(env),
      listensOnLoopback: isLoopbackHost(env.HOST),
    },
    graphiql: env.GRAPHIQL ?? env.NODE_ENV !== 'production',
    logLevel: env.LOG_LEVEL,
    // Readable for a developer at a terminal; JSON for production and for anything reading a pipe.
    logFormat: env.LOG_FORMAT ?? (env.NODE_ENV === 'development' && process.stdout.isTTY === true ? 'pretty' : 'json'),
    dataDir,
    database:
      env.DATABASE_URL === undefined
        ? { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') }
        : postgresConfig(env.DATABASE_URL, env),
    transit: transitConfig(env),
    auth: authConfig(env),
    limits: {
      maxPageSize: env.MAX_PAGE_SIZE,
      maxBulkSize: env.MAX_BULK_SIZE,
      maxStringLength: env.MAX_STRING_LENGTH,
      maxDecryptsPerRequest: env.MAX_DECRYPTS_PER_REQUEST ?? env.MAX_PAGE_SIZE,
      maxEncryptsPerRequest: env.MAX_ENCRYPTS_PER_REQUEST ?? env.MAX_BULK_SIZE,
    },
    queryLimits: {
      maxDepth: env.MAX_QUERY_DEPTH,
      maxAliases: env.MAX_QUERY_ALIASES,
      maxTokens: env.MAX_QUERY_TOKENS,
      maxCost: env.MAX_QUERY_COST,
      maxDirectives: env.MAX_QUERY_DIRECTIVES,
    },
  };
}

const processorEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PROCESSOR_API_URL: z.preprocess((value) => (value === '' ? undefined : value), httpUrl),
  PORT: port,
  PROCESSOR_TOKEN: optionalText,
  PROCESSOR_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(3_600_000).default(5_000),
  PROCESSOR_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(50),
  PROCESSOR_LEASE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  PROCESSOR_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(5),
  PROCESSOR_RETRY_AFTER_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
});

export interface ProcessorConfig {
  apiUrl: string;
  /** A configured bearer token, or (outside production) the auth settings to issue one. */
  token: { kind: 'configured'; token: string } | { kind: 'issued'; auth: AuthConfig };
  pollIntervalMs: number;
  batchSize: number;
  leaseSeconds: number;
  maxAttempts: number;
  retryAfterSeconds: number;
}

/** The card processor's configuration: the API it calls and how it claims and retries cards. */
export function loadProcessorConfig(source: NodeJS.ProcessEnv = process.env): ProcessorConfig {
  const parsed = processorEnvSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(
      String(issue?.path[0] ?? 'environment'),
      `is invalid: ${issue === undefined ? 'unknown problem' : describeIssue(issue)}`,
    );
  }
  const env = parsed.data;
  let token: ProcessorConfig['token'];
  if (env.PROCESSOR_TOKEN !== undefined) {
    token = { kind: 'configured', token: env.PROCESSOR_TOKEN };
  } else if (env.NODE_ENV === 'production') {
    fail('PROCESSOR_TOKEN', 'is required in production (a bearer token with the processor role)');
  } else {
    token = { kind: 'issued', auth: authConfig(parseEnv(source)) };
  }
  return {
    apiUrl: env.PROCESSOR_API_URL ?? `http://127.0.0.1:${env.PORT}/graphql`,
    token,
    pollIntervalMs: env.PROCESSOR_POLL_INTERVAL_MS,
    batchSize: env.PROCESSOR_BATCH_SIZE,
    leaseSeconds: env.PROCESSOR_LEASE_SECONDS,
    maxAttempts: env.PROCESSOR_MAX_ATTEMPTS,
    retryAfterSeconds: env.PROCESSOR_RETRY_AFTER_SECONDS,
  };
}
