import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { authenticate } from './auth/authenticate.ts';
import type { Authentication } from './auth/principal.ts';
import type { TokenVerifier } from './auth/token-verifier.ts';
import type { CardRepository } from './cards/card-repository.ts';
import type { Config } from './config.ts';
import type { AuthorizationContext } from './directives/require-role.ts';
import {
  type BudgetedOperation,
  type KeyAdmin,
  RequestBudget,
  RevealCollector,
  type RevealLedger,
  type TransitBatcher,
} from './field-encryption/index.ts';

/** What every resolver receives: who is calling, and the services it may use. */
export interface Context extends AuthorizationContext {
  authentication: Authentication;
  roles: ReadonlySet<string>;
  transit: TransitBatcher;
  cards: CardRepository;
  keyAdmin: KeyAdmin;
  limits: Config['limits'];
  /** What this request may still decrypt and encrypt. */
  budget: RequestBudget;
  revealLedger: RevealLedger;
  /** What this request revealed, for the reveal record. */
  reveals: RevealCollector;
  requestId: string;
  clientAddress: string | undefined;
  logger: Logger;
}

export interface Services {
  verifyToken: TokenVerifier;
  transit: TransitBatcher;
  cards: CardRepository;
  keyAdmin: KeyAdmin;
  limits: Config['limits'];
  onBudgetRefused?: (operation: BudgetedOperation) => void;
  revealLedger: RevealLedger;
  logger: Logger;
}

/** Builds the per-request context from the Authorization header. */
export async function createContext(
  services: Services,
  authorization: string | undefined,
  clientAddress?: string,
): Promise<Context> {
  const authentication = await authenticate(authorization, services.verifyToken);
  return {
    authentication,
    roles: authentication.status === 'authenticated' ? authentication.principal.roles : new Set(),
    transit: services.transit,
    cards: services.cards,
    keyAdmin: services.keyAdmin,
    limits: services.limits,
    budget: new RequestBudget(
      { decrypts: services.limits.maxDecryptsPerRequest, encrypts: services.limits.maxEncryptsPerRequest },
      services.onBudgetRefused,
    ),
    revealLedger: services.revealLedger,
    reveals: new RevealCollector(),
    requestId: randomUUID(),
    clientAddress,
    logger: services.logger,
  };
}
