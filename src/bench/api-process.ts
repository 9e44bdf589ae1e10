import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { PROJECT_ROOT } from '../project-root.ts';

const STARTUP_TIMEOUT_MS = 120_000;

/** The API's entry as `npm start` runs it. */
export const SERVER_ENTRY = 'src/server.ts';
/** The same API without its reveal record: the bench's baseline for what the record costs. */
export const UNAUDITED_ENTRY = 'src/bench/api-without-reveal-record.ts';

/** The API running as `src/server.ts` (or `entry`) in its own process, so that its memory is measured alone. */
export interface ApiProcess {
  url: string;
  pid: number;
  /** The backends as the server describes them at start-up. */
  description: { database: string; transit: string };
  /** Starts a new peak-RSS measurement (Linux: resets VmHWM through /proc/<pid>/clear_refs). */
  resetPeakRss(): void;
  /** Highest resident set size since the last reset, in bytes; null where /proc is unavailable. */
  peakRssBytes(): number | null;
  /** User + system CPU time of the API so far, in milliseconds (Linux /proc); NaN elsewhere. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** `entry`: the server to run; `nodeArgs`: options for node itself that NODE_OPTIONS may not carry (e.g. --cpu-prof). */
export async function startApiProcess(
  env: NodeJS.ProcessEnv,
  options: { entry?: string; nodeArgs?: readonly string[] } = {},
): Promise<ApiProcess> {
  // Node itself loads tsx (no tsx wrapper process), so the pid is the server's.
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), '--import', 'tsx', options.entry ?? SERVER_ENTRY],
    {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output = await waitForStartup(child);
  const url = /listening on (\S+)/.exec(output)?.[1];
  if (url === undefined || child.pid === undefined) throw new Error(`the API did not start:\n${output}`);
  const pid = child.pid;
  return {
    url,
    pid,
    description: {
      database: /database: (.+)/.exec(output)?.[1]?.trim() ?? 'unknown',
      transit: /transit: {2}(.+)/.exec(output)?.[1]?.trim() ?? 'unknown',
    },
    resetPeakRss: () => {
      try {
        fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        // Without /proc the peak stays the one since start-up.
      }
    },
    peakRssBytes: () => {
      try {
        const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
        const kilobytes = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
        return kilobytes === undefined ? null : Number(kilobytes) * 1024;
      } catch {
        return null;
      }
    },
    cpuMs: () => cpuMsOf(pid),
    stop: () => stopProcess(child),
  };
}

function cpuMsOf(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name, in clock ticks of 10 ms.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

function waitForStartup(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the API did not start within ${STARTUP_TIMEOUT_MS / 1000} s:\n${output}`));
    }, STARTUP_TIMEOUT_MS);
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (/transit: {2}.+\n/.test(output)) {
        clearTimeout(timer);
        resolve(output);
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the API exited with code ${code} during start-up:\n${output}`));
    });
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
