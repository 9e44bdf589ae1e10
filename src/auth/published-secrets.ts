import { createHash } from 'node:crypto';

/**
 * SHA-256 digests of strings published in transitql's repository (README, docker-compose.yml,
 * .env.example, tests, ...) that would otherwise pass as strong secrets, plus the development and
 * old compose defaults. The production image ships without those files, so the list travels with
 * the code; test/foundation/jwt-secrets.test.ts scans the repository and fails, naming the digest
 * to add, when a new one appears.
 */
export const PUBLISHED_SECRET_DIGESTS: ReadonlySet<string> = new Set([
  // the development default (src/config.ts)
  '014799a08797fa24273a0f33c7955f74c085d6c96b537a0bb2a034fc04cf9433',
  // the default docker-compose.yml filled in until it required AUTH_JWT_SECRET
  '2e3be306a4461996ddc8f6a95fff1d17898a11157e3dad4cd48a4b81df78bde9',
  // the example in .env.example
  '4a322bf2535dcac17d66bc31596464fad47f63ee5c2f5abc713d044da9b9e100',
]);

export function isPublishedSecret(secret: string): boolean {
  return PUBLISHED_SECRET_DIGESTS.has(createHash('sha256').update(secret).digest('hex'));
}
