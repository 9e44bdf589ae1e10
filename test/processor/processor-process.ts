import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ENTRY = path.join(ROOT, 'src/processor/main.ts');

export interface ProcessorRun {
  child: ChildProcess;
  /** Everything written to stdout so far, and so on. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal that ended it) once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Resolves when stdout has a line matching `pattern`. */
  waitForLine(pattern: RegExp): Promise<void>;
}

/** Starts the processor (`npm run processor`'s entry, from its source with tsx) as a separate process, with only the processor's variables. */
export function startProcessor(args: string[], env: Record<string, string>): ProcessorRun {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const waiter of waiters.filter((candidate) => candidate.pattern.test(stdout))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    },
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForLine: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stdout)) return resolve();
        waiters.push({ pattern, resolve });
        exited.then(() => reject(new Error(`processor exited before printing ${pattern}\n${stderr}`)), reject);
      }),
  };
}

/** Runs the processor to completion. */
export function runProcessorOnce(args: string[], env: Record<string, string>) {
  return startProcessor(['--once', ...args], env).exited;
}

/** The "Processing ..." lines of an output, in order. */
export function processingLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith('Processing '));
}
