import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { authenticate } from './auth/authenticate.ts';
import type { Authentication } from './auth/principal.ts';
import type { TokenVerifier } from './auth/token-verifier.ts';
import type { CardRepository } from './cards/card-repository.ts';
import type { Config } from './config.ts';
import type { AuthorizationContext } from './directives/require-role.ts';
import {
  type BudgetedGrant,
  type BudgetedOperation,
  ExistenceAnswers,
  GrantBudgets,
  type KeyAdmin,
  RequestBudget,
  type RevealAllowance,
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
  /** This request's draws on the grants' rolling-window budgets. */
  grantBudgets: GrantBudgets;
  /** What this request revealed, for the reveal record. */
  reveals: RevealCollector;
  /** Answers that depend on whether a number is on file: budgeted and recorded as reveals. */
  existence: ExistenceAnswers;
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
  revealAllowance: RevealAllowance;
  onRateLimited?: (grant: BudgetedGrant, values: number) => void;
  onAllowanceUnavailable?: (error: unknown) => void;
  logger: Logger;
}

/** Builds the per-request context from the Authorization header. */
export async function createContext(
  services: Services,
  authorization: string | undefined,
  clientAddress?: string,
): Promise<Context> {
  const authentication = await authenticate(authorization, services.verifyToken);
  const requestId = randomUUID();
  const budget = new RequestBudget(
    { decrypts: services.limits.maxDecryptsPerRequest, encrypts: services.limits.maxEncryptsPerRequest },
    services.onBudgetRefused,
  );
  const grantBudgets = new GrantBudgets(
    services.revealAllowance,
    requestId,
    subjectOf(authentication),
    services.onRateLimited,
    services.onAllowanceUnavailable,
  );
  const reveals = new RevealCollector();
  return {
    authentication,
    roles: authentication.status === 'authenticated' ? authentication.principal.roles : new Set(),
    transit: services.transit,
    cards: services.cards,
    keyAdmin: services.keyAdmin,
    limits: services.limits,
    budget,
    revealLedger: services.revealLedger,
    grantBudgets,
    reveals,
    existence: new ExistenceAnswers(grantBudgets, reveals, budget),
    requestId,
    clientAddress,
    logger: services.logger,
  };
}

/** Who the reveal record and the rolling-window budgets name for this caller. */
export function subjectOf(authentication: Authentication): string {
  return authentication.status === 'authenticated' ? authentication.principal.subject : 'anonymous';
}
