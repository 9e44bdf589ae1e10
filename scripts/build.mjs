// The server and every command bundled by esbuild into dist/ in one build: several entry points with
// code splitting, so the code they share is compiled once into dist/chunk-*.js. Dependencies stay in
// node_modules (--packages=external), so graphql is the one instance node resolves there.
//
//   node scripts/build.mjs              build (npm run build)
//   node scripts/build.mjs --if-stale   build only if a file the last build read has changed since
//
// Plain JavaScript, so that it runs on node alone; esbuild is loaded only when a build is needed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');

/** The entry points, relative to src/; each is built to the same path under dist/ with .js. */
export const ENTRIES = [
  'server.ts',
  'cli/transit.ts',
  'cli/token.ts',
  'cli/db.ts',
  'cli/audit.ts',
  'cli/demo.ts',
  'cli/bench.ts',
  'cli/bench-transit.ts',
  'cli/profile-page.ts',
  'cli/directives-sdl.ts',
  'cli/evidence.ts',
  'processor/main.ts',
];

/** What the last build read and wrote: every input's content hash, and the files it wrote. */
const STAMP = path.join(DIST, 'build-inputs.json');
/** Besides the sources esbuild reports, the build's own settings. */
const SETTINGS = ['scripts/build.mjs', 'package.json', 'tsconfig.json'];

const hash = (file) =>
  crypto
    .createHash('sha1')
    .update(fs.readFileSync(path.join(ROOT, file)))
    .digest('hex');

/** True when dist/ holds a build of the current sources: every input it read hashes the same, every output exists. */
export function isFresh() {
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(STAMP, 'utf8'));
  } catch {
    return false;
  }
  try {
    return (
      Object.entries(stamp.inputs).every(([file, digest]) => hash(file) === digest) &&
      stamp.outputs.every((file) => fs.existsSync(path.join(ROOT, file)))
    );
  } catch {
    return false; // an input was removed
  }
}

export async function build() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ENTRIES.map((entry) => `src/${entry}`),
    outbase: 'src',
    outdir: 'dist',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
    metafile: true,
    write: false,
  });
  const outputs = result.outputFiles.map((file) => path.relative(ROOT, file.path));
  // Each file is written beside its place and renamed over it, so that a command starting meanwhile reads
  // a whole file; shared chunks first (their names carry a content hash), the entries that import them last.
  const ordered = [...result.outputFiles].sort((a, b) => isEntry(a.path) - isEntry(b.path));
  for (const file of ordered) {
    fs.mkdirSync(path.dirname(file.path), { recursive: true });
    const temporary = `${file.path}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, file.contents);
    fs.renameSync(temporary, file.path);
  }
  removeStale(DIST, new Set(outputs));
  const inputs = Object.fromEntries(
    [...Object.keys(result.metafile.inputs), ...SETTINGS].map((file) => [file, hash(file)]),
  );
  fs.writeFileSync(`${STAMP}.${process.pid}.tmp`, `${JSON.stringify({ inputs, outputs }, null, 1)}\n`);
  fs.renameSync(`${STAMP}.${process.pid}.tmp`, STAMP);
}

function isEntry(file) {
  const relative = path.relative(DIST, file);
  return ENTRIES.some((entry) => relative === entry.replace(/\.ts$/, '.js')) ? 1 : 0;
}

/** Chunks and maps of earlier builds that this one no longer writes. */
function removeStale(dir, keep) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) removeStale(file, keep);
    else if (/\.js(\.map)?$/.test(entry.name) && !keep.has(path.relative(ROOT, file))) fs.rmSync(file, { force: true });
  }
}

/** Builds unless dist/ is current; the commands' launcher (scripts/run.mjs) calls this before loading a command. */
export async function ensureBuilt() {
  if (!isFresh()) await build();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--if-stale')) await ensureBuilt();
  else await build();
}
