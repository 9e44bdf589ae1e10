import { randomUUID } from 'node:crypto';
import { RevealCollector } from '../audit/reveal-collector.ts';
import type { RevealLedger } from '../audit/reveal-ledger.ts';
import { ExistenceAnswers } from '../budget/existence-answers.ts';
import { type BudgetedGrant, GrantBudgets } from '../budget/grant-budgets.ts';
import { type BudgetedOperation, RequestBudget, type RequestBudgetLimits } from '../budget/request-budget.ts';
import type { RevealAllowance } from '../budget/reveal-allowance.ts';
import type { KeyAdmin } from '../lifecycle/key-admin.ts';
import type { TransitBatcher } from '../transit/batcher.ts';

/** Who is calling: what the server's own authentication established. */
export interface Caller {
  roles: Iterable<string>;
  /** Who the reveal record and the rolling-window budgets name; 'anonymous' unless given. */
  subject?: string;
  requestId?: string;
  clientAddress?: string | undefined;
}

/** What the directives, the lookups by blind index and the reveal record read from each request's context. */
export interface EncryptionContext {
  roles: ReadonlySet<string>;
  subject: string;
  requestId: string;
  clientAddress: string | undefined;
  transit: TransitBatcher;
  keyAdmin: KeyAdmin;
  revealLedger: RevealLedger;
  /** What this request may still decrypt and encrypt. */
  budget: RequestBudget;
  /** This request's draws on the grants' rolling-window budgets. */
  grantBudgets: GrantBudgets;
  /** What this request revealed, for the reveal record. */
  reveals: RevealCollector;
  /** Answers that depend on whether a value is on file: budgeted and recorded as reveals. */
  existence: ExistenceAnswers;
}

/** The long-lived parts every request's context shares. */
export interface EncryptionServices {
  transit: TransitBatcher;
  keyAdmin: KeyAdmin;
  revealLedger: RevealLedger;
  revealAllowance: RevealAllowance;
  limits: RequestBudgetLimits;
  onBudgetRefused?: ((operation: BudgetedOperation) => void) | undefined;
  onRateLimited?: ((grant: BudgetedGrant, values: number) => void) | undefined;
  onAllowanceUnavailable?: ((error: unknown) => void) | undefined;
}

/** A fresh per-request context: its own budgets, reveal collector and existence answers. */
export function createEncryptionContext(services: EncryptionServices, caller: Caller): EncryptionContext {
  const requestId = caller.requestId ?? randomUUID();
  const subject = caller.subject ?? 'anonymous';
  const budget = new RequestBudget(services.limits, services.onBudgetRefused);
  const grantBudgets = new GrantBudgets(
    services.revealAllowance,
    requestId,
    subject,
    services.onRateLimited,
    services.onAllowanceUnavailable,
  );
  const reveals = new RevealCollector();
  return {
    roles: new Set(caller.roles),
    subject,
    requestId,
    clientAddress: caller.clientAddress,
    transit: services.transit,
    keyAdmin: services.keyAdmin,
    revealLedger: services.revealLedger,
    budget,
    grantBudgets,
    reveals,
    existence: new ExistenceAnswers(grantBudgets, reveals, budget),
  };
}
