import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root, for files the server and the commands read at run time (schema/, migrations/,
 * page scripts): the nearest directory above this module that holds package.json. This module runs from
 * src/ under tsx and from wherever esbuild puts it in dist/ (an entry or a shared chunk, `npm run build`),
 * so the root is found rather than counted in levels.
 */
export const PROJECT_ROOT = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}
