import { describe, it } from 'vitest';
import { type BackendSet, backendSets } from './backends.ts';

/**
 * A suite that only means something on Postgres + OpenBao (policies, TLS, a 10,000-card drill).
 * Without them it is reported as skipped, under the same name.
 */
export function describeOnRealBackends(title: string, body: (set: BackendSet) => void): void {
  const set = backendSets().find((candidate) => candidate.name === 'postgres+openbao');
  if (set === undefined) {
    describe.skip(`${title} [postgres+openbao]`, () => {
      it('needs DATABASE_URL and OpenBao', () => {});
    });
    return;
  }
  describe(`${title} [${set.name}]`, () => body(set));
}
