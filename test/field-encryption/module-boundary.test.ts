import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const src = path.join(root, 'src');
const moduleDir = path.join(src, 'field-encryption');
const entry = path.join(moduleDir, 'index.ts');
const { dependencies, exports } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  exports: Record<string, string | { default: string }>;
};

/**
 * The package's public entry points (package.json `exports`: lib/<name>.js, built from
 * src/field-encryption/<name>.ts by tsconfig.lib.json): the only files of the module the app may import.
 */
const entries = Object.values(exports)
  .map((target) => (typeof target === 'string' ? target : target.default))
  .filter((target) => target.startsWith('./lib/'))
  .map((target) => path.join(moduleDir, target.replace(/^\.\/lib\//, '').replace(/\.js$/, '.ts')));

interface Source {
  path: string;
  text: string;
}

interface Import {
  /** The importing file, relative to the repository root. */
  file: string;
  specifier: string;
  /** The absolute path a relative specifier points at; undefined for a package. */
  target: string | undefined;
}

function sourceFiles(dir: string): Source[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx|mts|cts)$/.test(entry.name) ? [{ path: full, text: fs.readFileSync(full, 'utf8') }] : [];
  });
}

/** Every import, export-from, dynamic import and require of a file, as TypeScript's pre-processor reads them. */
function importsOf(source: Source): Import[] {
  const { importedFiles } = ts.preProcessFile(source.text, true, true);
  return importedFiles.map(({ fileName: specifier }) => ({
    file: path.relative(root, source.path),
    specifier,
    target: specifier.startsWith('.') ? path.resolve(path.dirname(source.path), specifier) : undefined,
  }));
}

const isInside = (target: string) => target === moduleDir || target.startsWith(`${moduleDir}${path.sep}`);

/** A node built-in or a package the app depends on (not a dev dependency, not a path alias). */
function isPackage(specifier: string): boolean {
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return true;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return name !== undefined && Object.hasOwn(dependencies, name);
}

const describeImport = ({ file, specifier }: Import) => `${file}: '${specifier}'`;

/** The rules, as functions of a set of files, so that the test can also show that they catch a breach. */
function importsIntoModuleInternals(files: readonly Source[]): string[] {
  return files
    .filter((file) => !isInside(file.path))
    .flatMap(importsOf)
    .filter(({ target }) => target !== undefined && isInside(target) && !entries.includes(target))
    .map(describeImport);
}

function importsLeavingModule(files: readonly Source[]): string[] {
  return files
    .filter((file) => isInside(file.path))
    .flatMap(importsOf)
    .filter(({ specifier, target }) => (target === undefined ? !isPackage(specifier) : !isInside(target)))
    .map(describeImport);
}

describe('field-encryption module boundary [embedded]', () => {
  const files = sourceFiles(src);
  const paths = files.map((file) => file.path);

  it('walks the whole of src/, the module included', () => {
    expect(paths.filter(isInside).length).toBeGreaterThan(40);
    expect(paths.filter((file) => !isInside(file)).length).toBeGreaterThan(40);
    expect(paths).toContain(entry);
  });

  it('the package exports the facade, the drizzle helpers and the Apollo plugin, each a file of the module', () => {
    expect(Object.keys(exports)).toEqual(expect.arrayContaining(['.', './drizzle', './apollo']));
    expect(entries.map((file) => path.relative(moduleDir, file)).sort()).toEqual([
      'apollo.ts',
      'drizzle.ts',
      'index.ts',
    ]);
    for (const file of entries) expect(fs.existsSync(file)).toBe(true);
  });

  it("outside src/field-encryption/, code imports only the package's entry points", () => {
    expect(importsIntoModuleInternals(files)).toEqual([]);
    // The app does import the module, through its entries.
    const throughEntries = files
      .filter((file) => !isInside(file.path))
      .flatMap(importsOf)
      .filter(({ target }) => target !== undefined && entries.includes(target));
    expect(throughEntries.length).toBeGreaterThan(10);
    expect(new Set(throughEntries.map(({ target }) => path.relative(moduleDir, target ?? '')))).toEqual(
      new Set(['index.ts', 'drizzle.ts']),
    );
  });

  it('src/field-encryption/ imports nothing from outside itself but node built-ins and npm dependencies', () => {
    expect(importsLeavingModule(files)).toEqual([]);
    // The check anyone can run by hand (grep -r "from '../cards" src/field-encryption), with the same answer.
    const intoCards = files
      .filter((file) => isInside(file.path))
      .flatMap(importsOf)
      .filter(({ specifier }) => specifier.includes('/cards'));
    expect(intoCards).toEqual([]);
  });

  it('the rules catch a breach: a deep import from outside, and imports out of the module', () => {
    const outside: Source = {
      path: path.join(src, 'bench', 'probe.ts'),
      text: [
        "import type { Transit } from '../field-encryption/transit/transit.ts';",
        "import { createTransit } from '../field-encryption/index.ts';",
        "export { tlsOptions } from '../field-encryption/transit/vault/vault-session.ts';",
      ].join('\n'),
    };
    const inside: Source = {
      path: path.join(moduleDir, 'transit', 'probe.ts'),
      text: [
        "import type { TransitConfig } from '../../config.ts';",
        "import { z } from 'zod';",
        "import fs from 'node:fs';",
        "import { expect } from 'vitest';",
        "import { chunks } from './chunks.ts';",
        "export const lazy = () => import('../../cards/card-repository.ts');",
      ].join('\n'),
    };
    const outsideFile = path.relative(root, outside.path);
    const insideFile = path.relative(root, inside.path);
    expect(importsIntoModuleInternals([outside, inside]).sort()).toEqual(
      [
        `${outsideFile}: '../field-encryption/transit/transit.ts'`,
        `${outsideFile}: '../field-encryption/transit/vault/vault-session.ts'`,
      ].sort(),
    );
    // zod is a dependency and node:fs a built-in; vitest is only a dev dependency; config.ts and cards are the app.
    expect(importsLeavingModule([outside, inside]).sort()).toEqual(
      [
        `${insideFile}: '../../config.ts'`,
        `${insideFile}: 'vitest'`,
        `${insideFile}: '../../cards/card-repository.ts'`,
      ].sort(),
    );
  });
});
