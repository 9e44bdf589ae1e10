import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { startTestApi, type TestApi } from './api.ts';
import { type Backends, createDatabase, dropDatabase, openConfiguredBackends, testConfig } from './backends.ts';
import type { OpenBaoCluster } from './openbao-cluster.ts';

/**
 * The API as the deployment runs it against a server-mode cluster: every node's address, the
 * cluster's CA, the AppRole credentials self-initialization installed; no token of any other kind.
 * The database is a fresh one on the harness's Postgres.
 */
export async function startApiOnCluster(
  cluster: OpenBaoCluster,
  env: Record<string, string> = {},
): Promise<{ api: TestApi; backends: Backends; env: Record<string, string> }> {
  const real = inject('realBackends');
  if (real === null) throw new Error('the server-mode suites need DATABASE_URL (Postgres)');
  const databaseUrl = await createDatabase(real.databaseUrl, `transitql_test_${randomBytes(6).toString('hex')}`);
  return startApiOnDatabase(cluster, databaseUrl, () => dropDatabase(real.databaseUrl, databaseUrl), env);
}

/** The API on the cluster and an existing database (a restored one); `release` runs when its backends close. */
export async function startApiOnDatabase(
  cluster: OpenBaoCluster,
  databaseUrl: string,
  release: () => Promise<void>,
  env: Record<string, string> = {},
): Promise<{ api: TestApi; backends: Backends; env: Record<string, string> }> {
  const apiEnv = { ...clusterApiEnv(cluster, databaseUrl), ...env };
  const backends = await openConfiguredBackends(testConfig(apiEnv), release);
  try {
    const api = await startTestApi(backends);
    return { api, backends, env: apiEnv };
  } catch (error) {
    await backends.close();
    throw error;
  }
}

/** What the API's (or an operator command's) environment holds on this cluster: addresses, CA, the API's AppRole. */
export function clusterApiEnv(cluster: OpenBaoCluster, databaseUrl: string): Record<string, string> {
  const { roleId, secretId } = cluster.credentials('transitql-api');
  return {
    DATABASE_URL: databaseUrl,
    VAULT_ADDR: cluster.addresses.join(','),
    VAULT_CACERT: cluster.caFile,
    VAULT_ROLE_ID: roleId,
    VAULT_SECRET_ID: secretId,
    VAULT_TIMEOUT_MS: '2000',
    VAULT_RETRIES: '2',
  };
}
