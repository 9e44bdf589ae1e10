import { readFileSync } from 'node:fs';
import { satisfies } from 'semver';
import { describe, expect, it } from 'vitest';

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
}

// npm warns EBADENGINE on install for every locked package whose `engines.node` excludes the running Node.
describe('package-lock.json on the Node version the README names', () => {
  it('holds no package whose engines exclude this Node, so a fresh install prints no EBADENGINE', () => {
    const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
      packages: Record<string, LockedPackage>;
    };
    const excluded = Object.entries(lock.packages)
      .filter(([, entry]) => !Array.isArray(entry.engines) && entry.engines?.node !== undefined)
      .filter(([, entry]) => !satisfies(process.version, (entry.engines as { node: string }).node))
      .map(([path, entry]) => `${path}@${entry.version} wants node ${(entry.engines as { node: string }).node}`);
    expect(excluded).toEqual([]);
  });
});
