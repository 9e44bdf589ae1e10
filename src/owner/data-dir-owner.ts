import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { socketAddress } from './socket-address.ts';

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

function unusable(dataDir: string, error: unknown): DataDirUnusableError {
  return new DataDirUnusableError(`data directory ${dataDir} is not usable: ${(error as Error).message}`);
}

export function describeOwner(owner: OwnerInfo): string {
  const port = owner.url === undefined ? '' : `, port ${new URL(owner.url).port}`;
  return `the ${owner.role} (PID ${owner.pid}${port})`;
}

export interface DataDirOwnership {
  readonly dataDir: string;
  readonly info: OwnerInfo;
  /** Adds to what the owner says about itself (its URL, its control socket). */
  publish(more: Partial<Omit<OwnerInfo, 'pid'>>): void;
  release(): Promise<void>;
}

/** What the owner says about itself, written by the owner only, after it took the lock. */
export const OWNER_FILE = 'owner.json';

/** How long a start waits for an owner whose process is gone (its lock holder still exiting) or not yet described. */
const SETTLE_MS = 2_000;

/**
 * Makes this process the only owner of a data directory, for as long as it runs.
 *
 * The lock is an exclusive flock(2) on the data directory itself, not on a file in it, so deleting
 * any of its files (all of them, even) lets no second owner in. Held by the kernel on the directory's
 * inode, it holds whatever path (symlink, bind mount) or network namespace (a second container on the
 * same volume) a second process comes by, and dies with its holder, SIGKILL included, so a crashed
 * owner leaves nothing stale behind and a live one cannot be displaced. Node has no flock, so
 * util-linux's `flock` holds it, in a child whose standard input is a pipe from this process: when
 * this process ends, however it ends, the pipe closes, the child exits and the lock is free. The
 * owner describes itself in `DATA_DIR/owner.json` for the refusal line and the CLI. Where there is no
 * `flock` program (not Linux), a socket file in the directory plays the lock's part, and deleting it
 * does let a second owner in.
 */
export async function takeOwnership(dataDir: string, info: Omit<OwnerInfo, 'pid'>): Promise<DataDirOwnership> {
  const resolved = path.resolve(dataDir);
  try {
    fs.mkdirSync(resolved, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw unusable(resolved, error);
  }
  const owner: OwnerInfo = { pid: process.pid, ...info };
  const deadline = Date.now() + SETTLE_MS;
  let lock: HeldLock | undefined;
  for (;;) {
    lock = await lockDirectory(resolved);
    if (lock !== undefined) break;
    const current = await readOwner(resolved);
    // A live owner: refuse at once. Otherwise the holder is on its way out, or has not described itself yet.
    if (current !== undefined || Date.now() > deadline) {
      throw new DataDirOwnedError(resolved, current ?? readOwnerFile(resolved));
    }
    await sleep(100);
  }
  const held = lock;
  const infoFile = path.join(resolved, OWNER_FILE);
  const publish = () => {
    const temporary = `${infoFile}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify(owner)}\n`, { mode: 0o600 });
    fs.renameSync(temporary, infoFile);
  };
  const unpublish = () => {
    if (readOwnerFile(resolved)?.pid === process.pid) fs.rmSync(infoFile, { force: true });
  };
  publish();
  // A stopped API leaves no description behind (a killed one does; its PID is then gone).
  process.once('exit', unpublish);
  held.onLost(() => {
    console.error(`transitql: lost the lock on data directory ${resolved} (its holder exited); stopping`);
    process.exit(1);
  });
  return {
    dataDir: resolved,
    info: owner,
    publish: (more) => {
      Object.assign(owner, more);
      publish();
    },
    release: async () => {
      process.off('exit', unpublish);
      unpublish();
      await held.release();
    },
  };
}

/** The current owner of a data directory, or undefined when none holds it (or it is not yet described). */
export async function readOwner(dataDir: string): Promise<OwnerInfo | undefined> {
  const owner = readOwnerFile(path.resolve(dataDir));
  return owner !== undefined && alive(owner.pid) ? owner : undefined;
}

function readOwnerFile(dataDir: string): OwnerInfo | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(path.join(dataDir, OWNER_FILE), 'utf8')) as OwnerInfo;
    return typeof owner.pid === 'number' ? owner : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface HeldLock {
  /** Called once if the lock goes while this process still counts on it. */
  onLost(handler: () => void): void;
  release(): Promise<void>;
}

/** Takes the directory's lock without waiting: the lock, or undefined when another process holds it. */
async function lockDirectory(dataDir: string): Promise<HeldLock | undefined> {
  const flocked = await flockHolder(dataDir);
  if (flocked !== 'no flock program') return flocked;
  return socketFileLock(dataDir);
}

/**
 * `flock -n -x DATA_DIR sh -c 'echo locked; exec cat'`: prints "locked" once it holds the lock and
 * then waits on its standard input, a pipe from this process. Exit status 1 with nothing said is
 * "held by another"; a directory is opened read-only (util-linux and BusyBox alike).
 */
function flockHolder(dataDir: string): Promise<HeldLock | undefined | 'no flock program'> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      // Its own process group: a Ctrl-C meant for the API must not free the lock while the API shuts down.
      child = spawn('flock', ['-n', '-x', dataDir, 'sh', '-c', 'echo locked; exec cat'], {
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') resolve('no flock program');
      else reject(error);
      return;
    }
    let stdout = '';
    let stderr = '';
    let locked = false;
    let releasing = false;
    let lost: (() => void) | undefined;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') resolve('no flock program');
      else reject(error);
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      if (locked || !stdout.includes('locked')) return;
      locked = true;
      // Held for as long as this process runs, without keeping it running.
      child.stdout?.destroy();
      (child.stdin as net.Socket | null)?.unref();
      (child.stderr as net.Socket | null)?.unref();
      child.unref();
      resolve({
        onLost: (handler) => {
          lost = handler;
        },
        release: async () => {
          releasing = true;
          // Waited for: the next owner may take the lock as soon as this resolves.
          child.ref();
          child.stdin?.end();
          await exited;
        },
      });
    });
    child.once('exit', (code, signal) => {
      if (locked) {
        if (!releasing) lost?.();
        return;
      }
      if (code === 1 && stderr.trim() === '') resolve(undefined);
      else
        reject(
          new DataDirUnusableError(
            `cannot lock ${dataDir}: flock ${signal ?? `exited ${code}`}${stderr.trim() === '' ? '' : `: ${stderr.trim()}`}`,
          ),
        );
    });
  });
}

/**
 * Where no `flock` program exists: a socket file in the directory. Binding it is the lock; one that
 * nobody answers on is a dead owner's, removed and bound afresh.
 */
async function socketFileLock(dataDir: string): Promise<HeldLock | undefined> {
  const name = path.join(dataDir, 'owner.lock.sock');
  const server = net.createServer((socket) => socket.end());
  let address: ReturnType<typeof socketAddress>;
  try {
    address = socketAddress(name);
  } catch (error) {
    throw unusable(dataDir, error);
  }
  try {
    try {
      await listen(server, address.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      if (await answers(address.path)) return undefined;
      fs.rmSync(name, { force: true });
      try {
        await listen(server, address.path);
      } catch {
        return undefined;
      }
    }
  } finally {
    address.done();
  }
  server.unref();
  return {
    onLost: () => {},
    release: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function answers(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(address, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
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
