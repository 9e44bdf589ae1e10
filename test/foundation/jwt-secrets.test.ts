import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTokenVerifier, TokenRejectedError } from '../../src/auth/token-verifier.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { publishedSecretCandidates } from './support/repository-secrets.ts';

const DEVELOPMENT_DEFAULT = 'transitql-development-secret-change-me-0123456789';
/** What docker-compose.yml used to fill in when AUTH_JWT_SECRET was unset. */
const OLD_COMPOSE_DEFAULT = 'compose-demo-secret-change-me-0123456789abcdef';

function refusal(secret: string): string {
  try {
    loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: secret });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message, 'the secret itself is never printed').not.toContain(secret);
    return message;
  }
  throw new Error('the secret was accepted');
}

describe('AUTH_JWT_SECRET in production', () => {
  it('refuses the development default and names the rule', () => {
    expect(refusal(DEVELOPMENT_DEFAULT)).toMatch(/^AUTH_JWT_SECRET is the built-in development secret/);
  });

  it('refuses a strong-looking secret that appears in the repository, and names the rule', () => {
    const [published] = publishedSecretCandidates().filter((candidate) => candidate.strong);
    expect(published, 'the repository holds at least one strong-looking published string to try').toBeDefined();
    expect(refusal(published?.text ?? '')).toMatch(/^AUTH_JWT_SECRET appears in transitql's repository/);
  });

  it('refuses the old compose default, and the example in .env.example, as published', () => {
    expect(refusal(OLD_COMPOSE_DEFAULT)).toMatch(/^AUTH_JWT_SECRET appears in transitql's repository/);
    const example = publishedSecretCandidates().find(
      (candidate) => candidate.file === '.env.example' && candidate.strong,
    );
    expect(refusal(example?.text ?? '')).toMatch(/^AUTH_JWT_SECRET appears in transitql's repository/);
  });

  it.each([
    ['32 identical characters', 'a'.repeat(32)],
    ['200 identical characters', 'x'.repeat(200)],
    ['a dictionary phrase', 'correct-horse-battery-staple-correct-horse-battery-staple'],
    ['a l33t password repeated', 'Tr0ub4dor&3Tr0ub4dor&3Tr0ub4dor&3Tr0ub4dor&3'],
    ['a keyboard sequence', 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/'],
    ['32 random bytes as hex (about 240 bits by its spread of characters)', randomBytes(32).toString('hex')],
  ])('refuses %s as weak, with its estimated entropy', (_name, secret) => {
    expect(refusal(secret)).toMatch(/^AUTH_JWT_SECRET is too weak: about \d+ bits of estimated entropy, 256 needed/);
  });

  const DICKENS =
    'It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of foolishness';

  it.each([
    ['a famous quotation', DICKENS, /is not random bytes encoded as base64 or hex/],
    [
      'a longer famous quotation',
      `${DICKENS}, it was the epoch of belief, it was the epoch of incredulity`,
      /is not random bytes/,
    ],
    [
      'a longer sentence with its spaces taken out',
      `${DICKENS}, it was the epoch of belief, it was the epoch of incredulity, it was the season of Light`.replace(
        /[^A-Za-z]/g,
        '',
      ),
      /is not spread like random bytes \(\d+% lowercase letters where random bytes give 41%\)/,
    ],
    [
      'a quotation joined with hyphens',
      'To-be-or-not-to-be-that-is-the-question-Whether-tis-nobler-in-the-mind-to-suffer-The-slings-and-arrows-of-outrageous-fortune',
      /is not spread like random bytes/,
    ],
    ['a sentence, base64-encoded', Buffer.from(DICKENS).toString('base64'), /decodes to text, not random bytes/],
    ['a sentence, hex-encoded', Buffer.from(DICKENS).toString('hex'), /decodes to text, not random bytes/],
  ])('refuses %s, saying it must be random bytes', (_name, secret, reason) => {
    const message = refusal(secret);
    expect(message).toMatch(/^AUTH_JWT_SECRET /);
    expect(message).toMatch(reason);
    expect(message).toContain('openssl rand -base64 48');
  });

  it('accepts `openssl rand -base64 48` and 48 random bytes as hex', () => {
    for (const secret of [
      randomBytes(48).toString('base64'),
      randomBytes(48).toString('base64url'),
      randomBytes(48).toString('hex'),
    ]) {
      expect(loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: secret }).auth).toMatchObject({ kind: 'secret' });
    }
  });

  it('keeps accepting any 32-character secret outside production', () => {
    expect(loadConfig({ AUTH_JWT_SECRET: 'a'.repeat(32) }).auth).toMatchObject({ kind: 'secret' });
  });

  it('makes a processor token forged with the old compose default worthless against a production API', async () => {
    const config = loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: randomBytes(48).toString('base64') });
    const forged = await new SignJWT({ roles: ['processor'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('card-processor')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(OLD_COMPOSE_DEFAULT));
    await expect(createTokenVerifier(config.auth)(forged)).rejects.toThrow(TokenRejectedError);
    expect(refusal(OLD_COMPOSE_DEFAULT)).toMatch(/^AUTH_JWT_SECRET /);
  });
});

describe("the repository's published strings", () => {
  it('are all refused: every strong-looking string of 32+ characters in the tracked files is on the published list', () => {
    const candidates = publishedSecretCandidates();
    expect(candidates.length, 'the scan reads the repository').toBeGreaterThan(50);
    const missing = candidates.filter((candidate) => candidate.strong && !candidate.listed);
    expect(
      missing.map((candidate) => `${candidate.file}: add ${candidate.digest} to src/auth/published-secrets.ts`),
    ).toEqual([]);
  });
});
