import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** What a process holding a data directory says about itself. */
export interface OwnerInfo {
  pid: number;
  /** What the owner is: "API" or the CLI command it runs. */
  role: string;
  /** The API's GraphQL URL once it listens. */
  url?: string;
  /** Set when the owner runs operator commands sent over its control socket. */
  controlSocket?: string;
}

export class DataDirOwnedError extends Error {
  override name = 'DataDirOwnedError';
  constructor(
    readonly dataDir: string,
    readonly owner: OwnerInfo | undefined,
  ) {
    super(
      `data directory ${dataDir} is in use by ${owner === undefined ? 'another process' : describeOwner(owner)}; stop it first or set DATA_DIR`,
    );
  }
}

export class DataDirUnusableError extends Error {
  override name = 'DataDirUnusableError';
}

export function describeOwner(owner: OwnerInfo): string {
  const port = owner.url === undefined ? '' : `, port ${new URL(owner.url).port}`;
  return `the ${owner.role} (PID ${owner.pid}${port})`;
}

export interface DataDirOwnership {
  readonly dataDir: string;
  readonly info: OwnerInfo;
  release(): Promise<void>;
}

/**
 * Makes this process the only owner of a data directory, for as long as it runs.
 *
 * The lock is a Linux abstract-namespace socket named after the directory: the kernel binds a name
 * once, and frees it the moment its process dies (SIGKILL included), so a crashed owner leaves nothing
 * stale behind and a live one cannot be displaced. Whoever connects to it reads the owner's info.
 */
export async function takeOwnership(dataDir: string, info: Omit<OwnerInfo, 'pid'>): Promise<DataDirOwnership> {
  const resolved = path.resolve(dataDir);
  try {
    fs.mkdirSync(resolved, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new DataDirUnusableError(`data directory ${resolved} is not usable: ${(error as Error).message}`);
  }
  const name = lockName(resolved);
  const owner: OwnerInfo = { pid: process.pid, ...info };
  const server = net.createServer((socket) => socket.end(`${JSON.stringify(owner)}\n`));
  try {
    await listen(server, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    const current = await readOwner(resolved);
    if (current !== undefined || name.startsWith('\0')) throw new DataDirOwnedError(resolved, current);
    fs.rmSync(name, { force: true });
    await listen(server, name).catch(() => {
      throw new DataDirOwnedError(resolved, undefined);
    });
  }
  // The lock must not keep an otherwise finished process alive.
  server.unref();
  return {
    dataDir: resolved,
    info: owner,
    release: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The current owner of a data directory, or undefined when none holds it. */
export async function readOwner(dataDir: string): Promise<OwnerInfo | undefined> {
  const name = lockName(path.resolve(dataDir));
  return new Promise((resolve) => {
    let text = '';
    const socket = net.connect(name);
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      text += chunk;
    });
    socket.on('error', () => resolve(undefined));
    socket.on('end', () => {
      try {
        resolve(JSON.parse(text) as OwnerInfo);
      } catch {
        resolve(undefined);
      }
    });
  });
}

function listen(server: net.Server, name: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(name, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function lockName(dataDir: string): string {
  let canonical = dataDir;
  try {
    canonical = fs.realpathSync(dataDir);
  } catch {
    // Not created: nobody can hold it under another spelling either.
  }
  if (process.platform !== 'linux') return path.join(canonical, 'owner.lock.sock');
  return `\0transitql-data-dir:${createHash('sha256').update(canonical).digest('hex')}`;
}
