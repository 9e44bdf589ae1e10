import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { issueToken } from '../auth/token-issuer.ts';
import { loadConfig } from '../config.ts';
import { startApiProcess } from './api-process.ts';
import { randomCards } from './cards.ts';
import { busySamples, type CpuProfile, monotonicUs, summariseCpuProfile, type Window } from './cpu-profile.ts';
import { graphql } from './graphql-client.ts';
import { Measurement } from './load.ts';
import { CREATE_MANY, LIST_PAGE, type Page } from './scenarios.ts';

/**
 * Profiles the API's decrypted page: starts it with --cpu-prof, seeds `cards` if the database holds
 * fewer, lists pages of `pageSize` as processor, and prints the top frames by self time.
 */
export async function profilePage(options: {
  env: NodeJS.ProcessEnv;
  pages: number;
  pageSize: number;
  outDir: string;
  top: number;
  /** More options for the API's node (e.g. --trace-gc). */
  nodeArgs?: readonly string[];
  log: (line: string) => void;
}): Promise<void> {
  const { env, pages, pageSize, outDir, log } = options;
  const config = loadConfig(env);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-profile-'));
  fs.mkdirSync(outDir, { recursive: true });
  const api = await startApiProcess(
    { ...env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', DATA_DIR: dataDir },
    { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${outDir}`, ...(options.nodeArgs ?? [])] },
  );
  const clerk = await issueToken(config.auth, ['clerk'], 'profile-clerk');
  const processor = await issueToken(config.auth, ['processor'], 'profile-processor');
  const windows = new Map<string, Window>();
  try {
    const first = await graphql<Page>(api.url, clerk, LIST_PAGE, { first: pageSize, after: null });
    const missing = pageSize - first.creditCards.nodes.length;
    if (missing > 0) {
      log(`seeding ${missing} cards`);
      await graphql(api.url, clerk, CREATE_MANY, { inputs: randomCards(missing) });
    }
    for (const [name, token] of [
      ['clerk (ciphertext)', clerk],
      ['processor (decrypted)', processor],
    ] as const) {
      const send = async () => {
        await graphql<Page>(api.url, token, LIST_PAGE, { first: pageSize, after: null });
      };
      await new Measurement().drive(3, 1, send); // warm-up
      const measurement = new Measurement();
      const cpuBefore = api.cpuMs();
      const fromUs = monotonicUs();
      await measurement.drive(pages, 1, send);
      windows.set(name, { fromUs, toUs: monotonicUs() });
      // CPU time, unlike wall time and the profile's samples, does not grow when other processes take the cores.
      const cpu = api.cpuMs() - cpuBefore;
      log(
        `${pages} pages of ${pageSize} as ${name}: p50 ${measurement.percentile(50).toFixed(1)} ms, ` +
          `API CPU ${(cpu / pages).toFixed(1)} ms per page (load average ${(os.loadavg()[0] ?? 0).toFixed(1)})`,
      );
    }
  } finally {
    await api.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  // One profile per thread (tsx's loader runs in a worker): the one busy while pages were served is the API's.
  const decrypted = windows.get('processor (decrypted)') as Window;
  const profiles = fs
    .readdirSync(outDir)
    .filter((file) => file.endsWith('.cpuprofile') && file.includes(`.${api.pid}.`))
    .map((file) => ({
      file: path.join(outDir, file),
      profile: JSON.parse(fs.readFileSync(path.join(outDir, file), 'utf8')) as CpuProfile,
    }))
    .sort((a, b) => busySamples(b.profile, decrypted) - busySamples(a.profile, decrypted));
  const main = profiles[0];
  if (main === undefined) throw new Error(`no .cpuprofile of process ${api.pid} in ${outDir}`);
  for (const [name, window] of windows) {
    log(`\n${name}, ${pages} pages, profile ${main.file} (window ${window.fromUs}-${window.toUs} µs):`);
    log(summariseCpuProfile(main.profile, options.top, window));
  }
}
