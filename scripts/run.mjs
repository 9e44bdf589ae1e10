// `npm run <command>`: runs a command built into dist/ (scripts/build.mjs), rebuilding first if a source
// changed since the last build, in this one node process: the command sees the process as
// `node --enable-source-maps dist/<entry>.js <its arguments>` would give it.
//
//   node scripts/run.mjs cli/token --help
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST, ENTRIES, ensureBuilt } from './build.mjs';

const name = process.argv[2];
if (name === undefined || !ENTRIES.includes(`${name}.ts`)) {
  process.stderr.write(
    `usage: node scripts/run.mjs <${ENTRIES.map((entry) => entry.replace(/\.ts$/, '')).join('|')}> [args]\n`,
  );
  process.exit(2);
}
await ensureBuilt();
process.setSourceMapsEnabled(true);
const entry = path.join(DIST, `${name}.js`);
process.argv.splice(1, 2, entry);
await import(pathToFileURL(entry).href);
