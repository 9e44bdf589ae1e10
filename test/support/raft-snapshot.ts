import fs from 'node:fs';
import https from 'node:https';
import type { AppRoleName, OpenBaoCluster } from './openbao-cluster.ts';

/**
 * Raft snapshots over OpenBao's HTTP API, as an operator's backup job takes them: log in with an
 * AppRole (a token that serves one request), then one request to the active node.
 *   GET  /v1/sys/storage/raft/snapshot        → the snapshot (gzipped tar), with transitql-backup
 *   POST /v1/sys/storage/raft/snapshot-force  ← a snapshot, installed over the cluster's state, with transitql-restore
 */
export async function takeSnapshot(cluster: OpenBaoCluster, role: AppRoleName = 'transitql-backup'): Promise<Buffer> {
  const token = await cluster.login(role);
  const { status, body } = await raw(cluster, 'GET', 'sys/storage/raft/snapshot', token);
  if (status !== 200) throw new Error(`snapshot refused (${status}): ${body.toString('utf8')}`);
  return body;
}

/** Installs `snapshot` on the cluster; answers the HTTP status and body (204 when installed). */
export async function restoreSnapshot(
  cluster: OpenBaoCluster,
  snapshot: Buffer,
  role: AppRoleName = 'transitql-restore',
): Promise<{ status: number; body: string }> {
  const token = await cluster.login(role);
  const { status, body } = await raw(cluster, 'POST', 'sys/storage/raft/snapshot-force', token, snapshot);
  return { status, body: body.toString('utf8') };
}

/** One request with a binary body and answer, to the active node. */
export async function raw(
  cluster: OpenBaoCluster,
  method: string,
  apiPath: string,
  token: string,
  payload?: Buffer,
): Promise<{ status: number; body: Buffer }> {
  const active = await cluster.activeIndex();
  if (active === undefined) throw new Error('no active OpenBao node');
  const url = new URL(`/v1/${apiPath}`, cluster.addresses[active]);
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      {
        method,
        ca: fs.readFileSync(cluster.caFile),
        timeout: 30_000,
        headers: {
          'X-Vault-Token': token,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/octet-stream', 'content-length': payload.length }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
    request.end(payload);
  });
}
