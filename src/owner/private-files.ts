import fs from 'node:fs';
import path from 'node:path';

/**
 * Keeps everything this process creates private to its user (umask 077, PGlite's files included, since
 * its file system layer creates them through this process), and tightens what an earlier run or a
 * looser umask left behind: directories 0700, files 0600.
 */
export function keepPrivate(dataDir: string): void {
  process.umask(0o077);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  tighten(dataDir);
}

/** Directories 0700, files at most 0600, below `entry` (PGlite copies its initial files with their modes). */
export function tighten(entry: string): void {
  const stat = fs.lstatSync(entry);
  if (stat.isSymbolicLink() || stat.isSocket()) return;
  if (stat.isDirectory()) {
    if ((stat.mode & 0o777) !== 0o700) fs.chmodSync(entry, 0o700);
    for (const name of fs.readdirSync(entry)) tighten(path.join(entry, name));
  } else if ((stat.mode & 0o077) !== 0) {
    fs.chmodSync(entry, stat.mode & 0o700);
  }
}
