import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { issueToken } from '../../src/auth/token-issuer.ts';
import { type Backends, realBackendsEnv, testConfig } from '../support/backends.ts';
import { finished, spawnTs } from '../support/spawn.ts';

/** `npm start` as a real process. */
export interface ApiProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  port: string;
  output(): string;
  /** Sends the signal and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function freshDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-owner-'));
}

/** The child's environment for a backend set: the embedded default, or the suite's Postgres database and OpenBao mount. */
export function backendEnv(backends: Backends | undefined, dataDir: string): Record<string, string> {
  const env: Record<string, string> = { DATA_DIR: dataDir, NODE_ENV: 'development', LOG_LEVEL: 'silent' };
  if (backends === undefined || backends.name === 'embedded') return env;
  const real = realBackendsEnv(backends);
  if (real === undefined) throw new Error('expected Postgres + OpenBao with a token');
  return { ...env, ...real };
}

/** Starts the API and waits until it listens; rejects with its output when it exits first. */
export async function startApi(env: Record<string, string>, wrapper: string[] = []): Promise<ApiProcess> {
  const child =
    wrapper.length === 0
      ? spawnTs('src/server.ts', [], { PORT: '0', ...env })
      : spawnWrapped(wrapper, { PORT: '0', ...env });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /listening on (\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearInterval(timer);
        resolve(match[1]);
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`the API exited (${code}) before listening:\n${output}`));
    });
  });
  return {
    child,
    pid: child.pid as number,
    url,
    port: new URL(url).port,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** The API, under another program (strace, unshare) when `wrapper` names one: its own environment, minus the harness's backend variables. */
function spawnWrapped(wrapper: string[], env: Record<string, string>): ChildProcess {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(DATABASE_|VAULT_|TRANSIT_|AUTH_|PROCESSOR_|PORT$|HOST$|DATA_DIR$)/.test(name),
    ),
  );
  const [command = process.execPath, ...args] = [...wrapper, process.execPath, '--import', 'tsx', 'src/server.ts'];
  return spawn(command, args, {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Runs `npm start`'s entry (under `wrapper`, e.g. `unshare -n`) expecting a refusal: resolves when it
 * exits, or kills it as soon as it listens and says so (`listened`), so a start that should have been
 * refused fails the test instead of hanging it.
 */
export async function startExpectingRefusal(
  env: Record<string, string>,
  wrapper: string[] = [],
): Promise<{ code: number | null; output: string; listened: boolean }> {
  const child = spawnWrapped(wrapper, { PORT: '0', ...env });
  let output = '';
  let listened = false;
  const collect = (chunk: Buffer) => {
    output += chunk;
    if (!listened && /listening on/.test(output)) {
      listened = true;
      child.kill('SIGKILL');
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const code = await new Promise<number | null>((resolve) => child.once('close', (exit) => resolve(exit)));
  return { code, output, listened };
}

/** Every entry below `dir` with its size and mtime: what a process that "writes nothing" leaves as it was. */
export function fileTree(dir: string): string[] {
  const entries: string[] = [];
  const walk = (entry: string) => {
    const stat = fs.lstatSync(entry);
    entries.push(`${path.relative(dir, entry) || '.'} ${stat.isDirectory() ? 'dir' : stat.size} ${stat.mtimeMs}`);
    if (stat.isDirectory()) for (const name of fs.readdirSync(entry).sort()) walk(path.join(entry, name));
  };
  walk(dir);
  return entries;
}

export async function runTs(entry: string, args: string[], env: Record<string, string>) {
  return finished(spawnTs(entry, args, env));
}

export async function gql<T>(
  url: string,
  role: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> }> {
  const token = await issueToken(testConfig().auth, [role], `owner-test-${role}`);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
}

export const CREATE = 'mutation Create($input: CreditCardInput!) { createCreditCard(input: $input) { id } }';
const PAGE = `query Page($after: String) {
  creditCards(first: 500, after: $after) { nodes { id pan } pageInfo { endCursor hasNextPage } }
}`;

interface Page {
  creditCards: {
    nodes: Array<{ id: string; pan: string | null }>;
    pageInfo: { endCursor: string | null; hasNextPage: boolean };
  };
}

/** Every card as the processor reads it: id → PAN (plaintext when decryptable), plus per-card errors. */
export async function processorReadsAll(url: string): Promise<{ pans: Map<string, string | null>; errors: string[] }> {
  const pans = new Map<string, string | null>();
  const errors: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Awaited<ReturnType<typeof gql<Page>>> = await gql<Page>(url, 'processor', PAGE, { after });
    for (const error of page.errors ?? []) errors.push(`${error.extensions?.code ?? ''} ${error.message}`);
    for (const card of page.data?.creditCards.nodes ?? []) pans.set(card.id, card.pan);
    if (page.data?.creditCards.pageInfo.hasNextPage !== true) return { pans, errors };
    after = page.data.creditCards.pageInfo.endCursor;
  }
}

/** Creates cards one after another until stopped; records every acknowledged id with its PAN. */
export function writeContinuously(url: string, pans: (n: number) => string, label: string) {
  const acknowledged = new Map<string, string>();
  const failures: string[] = [];
  let running = true;
  const done = (async () => {
    for (let n = 0; running; n += 1) {
      const pan = pans(n);
      try {
        const answer = await gql<{ createCreditCard: { id: string } }>(url, 'clerk', CREATE, {
          input: { name: `${label} ${n}`, pan },
        });
        const id = answer.data?.createCreditCard.id;
        if (id !== undefined) acknowledged.set(id, pan);
        else failures.push(JSON.stringify(answer.errors));
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  })();
  return {
    acknowledged,
    failures,
    stop: async () => {
      running = false;
      await done;
    },
  };
}
