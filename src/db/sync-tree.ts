import fs from 'node:fs';
import path from 'node:path';

/**
 * fsyncs every file and directory under `root`, children before their parent, then the directory that
 * names `root`. initdb (PGlite runs it with fsync off) and a restore write a whole data directory that
 * later commits build on: until it is on stable storage, a power loss could take the database with
 * every acknowledged write in it.
 */
export function syncTree(root: string): void {
  syncContents(root);
  syncPath(path.dirname(root));
}

function syncContents(directory: string): void {
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) syncContents(full);
    else if (entry.isFile()) syncPath(full);
  }
  syncPath(directory);
}

function syncPath(target: string): void {
  const fd = fs.openSync(target, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
