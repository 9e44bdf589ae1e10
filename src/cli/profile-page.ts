import path from 'node:path';
import { parseCommandArgs } from './args.ts';

/** `npm run bench:profile`: where the API's time goes while it serves decrypted pages. */
async function main(): Promise<void> {
  const { values } = parseCommandArgs({
    command: 'npm run bench:profile --',
    usage: "[--pages N] [--page-size N] [--top N] [--out dir] [--node-args '--trace-gc ...']",
    help: 'Profiles the API (node --cpu-prof) serving pages as clerk then processor on the configured backends; prints the top frames by self time.',
    options: {
      pages: { type: 'string', default: '30' },
      'page-size': { type: 'string', default: '1000' },
      top: { type: 'string', default: '25' },
      out: { type: 'string', default: 'bench-results/profile' },
      'node-args': { type: 'string', default: '' },
    },
  });
  // Loaded once the arguments are known to be good: --help and usage errors answer without it.
  const { profilePage } = await import('../bench/profile-page.ts');
  await profilePage({
    env: process.env,
    pages: Number(values.pages),
    pageSize: Number(values['page-size']),
    top: Number(values.top),
    outDir: path.resolve(values.out),
    nodeArgs: values['node-args'].split(' ').filter(Boolean),
    log: (line) => console.log(line),
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
