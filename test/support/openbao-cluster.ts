import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './global-setup.ts';

const DEPLOY = path.resolve(import.meta.dirname, '../../deploy/openbao');
const NODE_NAMES = ['openbao-1', 'openbao-2', 'openbao-3'] as const;

export type AppRoleName =
  | 'transitql-api'
  | 'transitql-key-admin'
  | 'transitql-operator'
  | 'transitql-backup'
  | 'transitql-restore';

export interface BaoAnswer {
  status: number;
  body: Record<string, unknown> & { data?: Record<string, unknown>; auth?: { client_token: string } };
}

interface Node {
  name: string;
  dir: string;
  apiPort: number;
  clusterPort: number;
  address: string;
  process: ChildProcess | undefined;
}

/**
 * The committed deploy/openbao configuration run as real server-mode OpenBao processes: the setup
 * script makes the CA, certificates, seal key and AppRole secrets; each node gets openbao.hcl (and
 * the bootstrap node initialize.hcl) with only paths and ports substituted. Nobody unseals or
 * initializes anything by hand.
 */
export class OpenBaoCluster {
  private constructor(
    readonly dir: string,
    readonly secrets: string,
    private readonly binary: string,
    private readonly nodes: Node[],
  ) {}

  /**
   * `secretsFrom`: a copy of another deployment's secrets directory (the seal key, CA, certificates,
   * AppRole files) to start from, as fresh nodes restored from a backup are; setup-secrets.sh keeps it.
   */
  static async start(binary: string, size: 1 | 3, options: { secretsFrom?: string } = {}): Promise<OpenBaoCluster> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-openbao-'));
    const secrets = path.join(dir, 'secrets');
    if (options.secretsFrom !== undefined) fs.cpSync(options.secretsFrom, secrets, { recursive: true });
    execFileSync('sh', [path.join(DEPLOY, 'setup-secrets.sh'), secrets], { stdio: 'ignore' });
    const ports = await Promise.all(NODE_NAMES.map(async () => [await freePort(), await freePort()] as const));
    const nodes = NODE_NAMES.slice(0, size).map((name, index): Node => {
      const [apiPort, clusterPort] = ports[index] as readonly [number, number];
      return {
        name,
        dir: path.join(dir, name),
        apiPort,
        clusterPort,
        address: `https://127.0.0.1:${apiPort}`,
        process: undefined,
      };
    });
    const cluster = new OpenBaoCluster(dir, secrets, binary, nodes);
    for (const node of nodes)
      cluster.writeConfig(
        node,
        ports.map(([apiPort]) => apiPort),
      );
    for (let index = 0; index < size; index++) cluster.startNode(index);
    await cluster.waitServing(60_000);
    if (size === 3) await cluster.waitVoters(3, 60_000);
    return cluster;
  }

  get addresses(): string[] {
    return this.nodes.map((node) => node.address);
  }

  get caFile(): string {
    return path.join(this.secrets, 'ca', 'ca.pem');
  }

  get pids(): number[] {
    return this.nodes.flatMap((node) => (node.process?.pid === undefined ? [] : [node.process.pid]));
  }

  credentials(role: AppRoleName): { roleId: string; secretId: string } {
    const read = (part: string) => fs.readFileSync(path.join(this.secrets, 'approle', `${role}.${part}`), 'utf8');
    return { roleId: read('role-id'), secretId: read('secret-id') };
  }

  /** One request to one node, over TLS verified against the cluster's CA. */
  request(index: number, method: string, apiPath: string, token?: string, body?: unknown): Promise<BaoAnswer> {
    const node = this.nodes[index] as Node;
    const payload = body === undefined || method === 'GET' ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const request = https.request(
        {
          host: '127.0.0.1',
          port: node.apiPort,
          path: `/v1/${apiPath}`,
          method,
          ca: fs.readFileSync(this.caFile),
          timeout: 5_000,
          headers: {
            ...(token === undefined ? {} : { 'X-Vault-Token': token }),
            ...(payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (response) => {
          let text = '';
          response.on('data', (chunk) => {
            text += chunk;
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: parseBody(text) }));
        },
      );
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', reject);
      request.end(payload);
    });
  }

  /** Logs in with a role's AppRole credentials (as the API does) and answers the token. */
  async login(role: AppRoleName): Promise<string> {
    const { roleId, secretId } = this.credentials(role);
    for (let index = 0; index < this.nodes.length; index++) {
      const answer = await this.request(index, 'POST', 'auth/approle/login', undefined, {
        role_id: roleId,
        secret_id: secretId,
      }).catch(() => undefined);
      if (answer?.status === 200 && answer.body.auth !== undefined) return answer.body.auth.client_token;
    }
    throw new Error(`no node accepted the ${role} login`);
  }

  /** sys/health of one node: 200 active, 429 standby, 503 sealed; undefined when it does not answer. */
  async health(index: number): Promise<BaoAnswer | undefined> {
    return this.request(index, 'GET', 'sys/health').catch(() => undefined);
  }

  async activeIndex(): Promise<number | undefined> {
    for (let index = 0; index < this.nodes.length; index++) {
      if ((await this.health(index))?.status === 200) return index;
    }
    return undefined;
  }

  startNode(index: number): void {
    const node = this.nodes[index] as Node;
    if (node.process !== undefined) throw new Error(`${node.name} is already running`);
    const log = fs.openSync(path.join(node.dir, 'server.log'), 'a');
    node.process = spawn(this.binary, ['server', `-config=${path.join(node.dir, 'config')}`], {
      cwd: node.dir,
      // Nothing of the test run's environment (tokens included) reaches the server.
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: node.dir,
        BAO_RAFT_NODE_ID: node.name,
        BAO_API_ADDR: node.address,
        BAO_CLUSTER_ADDR: `https://127.0.0.1:${node.clusterPort}`,
      },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
  }

  /** Stops one node (SIGTERM: graceful; SIGKILL: kill -9) and waits until its process is gone. */
  async stopNode(index: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const node = this.nodes[index] as Node;
    const child = node.process;
    if (child === undefined) return;
    node.process = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  isRunning(index: number): boolean {
    return this.nodes[index]?.process !== undefined;
  }

  /** Waits until every running node answers unsealed and one of them is active. */
  async waitServing(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answers = await Promise.all(
        this.nodes.map((node, index) => (node.process === undefined ? undefined : this.health(index))),
      );
      const running = answers.filter((_, index) => this.isRunning(index));
      const unsealed = running.every((answer) => answer !== undefined && answer.body.sealed === false);
      if (unsealed && running.some((answer) => answer?.status === 200)) return;
      if (Date.now() > deadline) {
        throw new Error(`OpenBao did not serve within ${timeoutMs} ms: ${JSON.stringify(running)}\n${this.logs()}`);
      }
      await sleep(200);
    }
  }

  /** Waits until autopilot counts `count` healthy voters (joined nodes start as non-voters). */
  async waitVoters(count: number, timeoutMs: number): Promise<void> {
    const token = await this.login('transitql-operator');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const active = await this.activeIndex();
      if (active !== undefined) {
        const state = await this.request(active, 'GET', 'sys/storage/raft/autopilot/state', token).catch(
          () => undefined,
        );
        const data = state?.body.data as { healthy?: boolean; voters?: string[] } | undefined;
        if (data?.healthy === true && (data.voters?.length ?? 0) >= count) return;
      }
      if (Date.now() > deadline) throw new Error(`the raft cluster did not reach ${count} healthy voters`);
      await sleep(500);
    }
  }

  /** Every server log, concatenated. */
  logs(): string {
    return this.nodes
      .map((node) => {
        const file = path.join(node.dir, 'server.log');
        return fs.existsSync(file) ? `== ${node.name}\n${fs.readFileSync(file, 'utf8')}` : '';
      })
      .join('\n');
  }

  /** The audit log of every node, or of one (the file audit device from openbao.hcl). */
  auditLog(index?: number): string {
    return (index === undefined ? this.nodes : [this.nodes[index] as Node])
      .map((node) => path.join(node.dir, 'logs', 'audit.log'))
      .filter((file) => fs.existsSync(file))
      .map((file) => fs.readFileSync(file, 'utf8'))
      .join('');
  }

  /** Every regular file of the deployment: configs, secrets, logs, audit logs (raft data excluded). */
  files(): string[] {
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory() && entry.name !== 'file') walk(full);
        else if (entry.isFile()) found.push(full);
      }
    };
    walk(this.dir);
    return found;
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((_, index) => this.stopNode(index)));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private writeConfig(node: Node, apiPorts: number[]): void {
    const configDir = path.join(node.dir, 'config');
    fs.mkdirSync(configDir, { recursive: true });
    fs.mkdirSync(path.join(node.dir, 'file'));
    fs.mkdirSync(path.join(node.dir, 'logs'));
    const files = node.name === 'openbao-1' ? ['openbao.hcl', 'initialize.hcl'] : ['openbao.hcl'];
    for (const file of files) {
      const text = substitute(fs.readFileSync(path.join(DEPLOY, file), 'utf8'), node, this.secrets, apiPorts);
      fs.writeFileSync(path.join(configDir, file), text);
    }
  }
}

/** Container paths and ports → this machine's; anything left unsubstituted is an error. */
function substitute(text: string, node: Node, secrets: string, apiPorts: number[]): string {
  const result = text
    // The audit device's options must be identical on every node: a path relative to each node's directory.
    .replaceAll('/openbao/logs/audit.log', 'logs/audit.log')
    .replaceAll('/openbao/file', path.join(node.dir, 'file'))
    .replaceAll('/openbao/tls/', `${secrets}/openbao-tls/`)
    .replaceAll('/openbao/ca/', `${secrets}/ca/`)
    .replaceAll('/openbao/unseal/', `${secrets}/unseal/`)
    .replaceAll('/openbao/approle/', `${secrets}/approle/`)
    .replace(/https:\/\/openbao-(\d):8200/g, (_, n: string) => `https://127.0.0.1:${apiPorts[Number(n) - 1]}`)
    .replaceAll('0.0.0.0:8200', `127.0.0.1:${node.apiPort}`)
    .replaceAll('0.0.0.0:8201', `127.0.0.1:${node.clusterPort}`);
  const left = result.match(/"\/openbao\/[^"]*"|openbao-\d:|0\.0\.0\.0/);
  if (left !== null) throw new Error(`the harness does not know how to place ${left[0]} from deploy/openbao`);
  return result;
}

function parseBody(text: string): BaoAnswer['body'] {
  try {
    return text === '' ? {} : JSON.parse(text);
  } catch {
    return { text };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
