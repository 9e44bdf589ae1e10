import type { Logger } from 'pino';
import { authenticate } from './auth/authenticate.ts';
import type { Authentication } from './auth/principal.ts';
import type { TokenVerifier } from './auth/token-verifier.ts';
import type { CardRepository } from './cards/card-repository.ts';
import type { Config } from './config.ts';
import type { AuthorizationContext } from './directives/require-role.ts';
import type { EncryptionContext, RevealLedger, RunningFieldEncryption } from './field-encryption/index.ts';

/** What every resolver receives: who is calling, field encryption's per-request part, and the services it may use. */
export interface Context extends AuthorizationContext, EncryptionContext {
  authentication: Authentication;
  cards: CardRepository;
  limits: Config['limits'];
  logger: Logger;
}

export interface Services {
  verifyToken: TokenVerifier;
  encryption: RunningFieldEncryption<Context>;
  revealLedger: RevealLedger;
  cards: CardRepository;
  limits: Config['limits'];
  logger: Logger;
}

/** Builds the per-request context from the Authorization header. */
export async function createContext(
  services: Services,
  authorization: string | undefined,
  clientAddress?: string,
): Promise<Context> {
  const authentication = await authenticate(authorization, services.verifyToken);
  const encryption = services.encryption.context({
    roles: authentication.status === 'authenticated' ? authentication.principal.roles : [],
    subject: subjectOf(authentication),
    clientAddress,
  });
  return { ...encryption, authentication, cards: services.cards, limits: services.limits, logger: services.logger };
}

/** Who the reveal record and the rolling-window budgets name for this caller. */
export function subjectOf(authentication: Authentication): string {
  return authentication.status === 'authenticated' ? authentication.principal.subject : 'anonymous';
}
