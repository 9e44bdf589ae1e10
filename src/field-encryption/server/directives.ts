import { blindIndexDirective } from '../directives/blind-index.ts';
import { decryptForDirective, type RevealPolicy } from '../directives/decrypt-for.ts';
import { encryptedDirective } from '../directives/encrypted.ts';
import type { EncryptionContext } from './request-context.ts';

/** `@encrypted`, `@blindIndex` and `@decryptFor`, reading their collaborators from an `EncryptionContext`. */
export function fieldEncryptionDirectives<TContext extends EncryptionContext>(
  options: { policies?: Readonly<Record<string, RevealPolicy<TContext>>> } = {},
) {
  return {
    encrypted: encryptedDirective<TContext>({
      cipher: (context) => context.transit,
      budget: (context) => context.budget,
    }),
    blindIndex: blindIndexDirective(),
    decryptFor: decryptForDirective<TContext>({
      cipher: (context) => context.transit,
      roles: (context) => context.roles,
      budget: (context) => context.budget,
      reveals: (context) => context.reveals,
      grantBudgets: (context) => context.grantBudgets,
      ...(options.policies === undefined ? {} : { policies: options.policies }),
    }),
  };
}
