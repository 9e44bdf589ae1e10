import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Runs a TypeScript entry point of this project from its source with tsx (the npm scripts run the same entry
 * built, through scripts/run.mjs; test/foundation/cli-start.test.ts covers that path); an undefined variable is unset.
 */
export function spawnTs(
  entry: string,
  args: string[] = [],
  env: Record<string, string | undefined> = {},
): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(root, entry), ...args], {
    cwd: root,
    env: withoutUnset({ ...withoutProjectVariables(process.env), ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a child's output until it exits. */
export function finished(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Waits until a server child prints `listening on`, exits, or `seconds` pass; answers all it printed, stdout and stderr together. */
export async function untilListening(child: ChildProcess, seconds = 180): Promise<string> {
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk;
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  for (let wait = 0; wait < seconds * 10 && !output.includes('listening on') && child.exitCode === null; wait++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return output;
}

/** The harness's own DATABASE_URL / VAULT_* must not leak into a child that is meant to run on other settings. */
function withoutProjectVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || /^(DATABASE_|VAULT_|TRANSIT_|AUTH_|PROCESSOR_|PORT$|HOST$|DATA_DIR$)/.test(name))
      continue;
    kept[name] = value;
  }
  return kept;
}

function withoutUnset(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
