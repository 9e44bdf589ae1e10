import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PUBLISHED_SECRET_DIGESTS } from '../../../src/auth/published-secrets.ts';
import { notRandomBytes } from '../../../src/auth/secret-encoding.ts';
import { estimatedSecretBits, MIN_SECRET_BITS } from '../../../src/auth/secret-strength.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const MIN_SECRET_LENGTH = 32;
/** Written by npm: package integrity hashes and registry URLs, not anything a person would pick as a secret. */
const SKIPPED = new Set(['package-lock.json']);

export interface Candidate {
  file: string;
  text: string;
  digest: string;
  /** Random bytes by production's rules (encoding, entropy), so only the published list stops it. */
  strong: boolean;
  listed: boolean;
}

/** The repository's files as git tracks them (and those about to be committed). */
function repositoryFiles(): string[] {
  const output = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return output.split('\n').filter((file) => file !== '' && !SKIPPED.has(path.basename(file)));
}

/**
 * Strings someone could copy into AUTH_JWT_SECRET: words between whitespace, quotes and brackets,
 * and the value after `=`, `:-` or `:?` (env files, compose defaults).
 */
function candidatesIn(text: string): string[] {
  const found = new Set<string>();
  for (const word of text.split(/[\s"'`,;()[\]{}<>]+/)) {
    const assigned = /^[\w$.-]*?(?:=|:-|:\?)(.*)$/.exec(word);
    const candidate = (assigned?.[1] ?? word).replace(/[.:]+$/, '');
    if (candidate.length >= MIN_SECRET_LENGTH) found.add(candidate);
  }
  return [...found];
}

let cached: Candidate[] | undefined;

export function publishedSecretCandidates(): Candidate[] {
  if (cached !== undefined) return cached;
  const candidates: Candidate[] = [];
  for (const file of repositoryFiles()) {
    let text: string;
    try {
      text = readFileSync(path.join(ROOT, file), 'utf8');
    } catch {
      continue;
    }
    if (text.includes('\u0000')) continue;
    for (const candidate of candidatesIn(text)) {
      const digest = createHash('sha256').update(candidate).digest('hex');
      candidates.push({
        file,
        text: candidate,
        digest,
        strong: notRandomBytes(candidate) === undefined && estimatedSecretBits(candidate) >= MIN_SECRET_BITS,
        listed: PUBLISHED_SECRET_DIGESTS.has(digest),
      });
    }
  }
  cached = candidates;
  return candidates;
}
