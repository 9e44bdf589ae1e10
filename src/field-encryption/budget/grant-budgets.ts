import type { GraphQLError } from 'graphql';
import { fieldEncryptionError } from '../errors.ts';
import type { GrantUse, RevealAllowance } from './reveal-allowance.ts';
import { describeRollingBudget, type RollingBudget } from './rolling-budget.ts';

/** A grant that carries a rolling-window budget, as `@decryptFor` hands it over. */
export interface BudgetedGrant {
  field: string;
  role: string;
  mask: string;
  budget: RollingBudget;
}

interface Take {
  count: number;
  where: string;
  resolve: () => void;
  reject: (error: GraphQLError) => void;
}

/**
 * One request's draws on grants' rolling-window budgets. The fields resolved in the same tick
 * (a page's nodes) are reserved together, one reservation per grant, so a page costs one round trip.
 */
export class GrantBudgets {
  private readonly pending = new Map<string, { grant: BudgetedGrant; takes: Take[] }>();
  private reservedAny = false;

  constructor(
    private readonly allowance: RevealAllowance,
    private readonly requestId: string,
    private readonly subject: string,
    private readonly onRefused?: (grant: BudgetedGrant, values: number) => void,
    private readonly onUnavailable?: (error: unknown) => void,
  ) {}

  /** True once anything was reserved; the request must then settle (record or release) its reservations. */
  get reserved(): boolean {
    return this.reservedAny;
  }

  /** Resolves when `count` values of `grant` are reserved for this request; RATE_LIMITED when they do not fit. */
  take(grant: BudgetedGrant, count: number, where: string): Promise<void> {
    if (count === 0) return Promise.resolve();
    const id = JSON.stringify([grant.field, grant.role, grant.mask, grant.budget.text]);
    return new Promise<void>((resolve, reject) => {
      let batch = this.pending.get(id);
      if (batch === undefined) {
        batch = { grant, takes: [] };
        this.pending.set(id, batch);
        setImmediate(() => void this.flush(id));
      }
      batch.takes.push({ count, where, resolve, reject });
    });
  }

  private async flush(id: string): Promise<void> {
    const batch = this.pending.get(id);
    this.pending.delete(id);
    if (batch === undefined) return;
    const { grant, takes } = batch;
    const use: GrantUse = { subject: this.subject, field: grant.field, role: grant.role, mask: grant.mask };
    this.reservedAny = true;
    let granted: boolean[];
    try {
      granted = await this.allowance.reserve(
        this.requestId,
        use,
        grant.budget,
        takes.map((take) => take.count),
      );
    } catch (error) {
      this.onUnavailable?.(error);
      for (const take of takes) {
        take.reject(
          fieldEncryptionError(
            'DECRYPTION_FAILED',
            `${take.where} could not be decrypted: the reveal budget could not be checked`,
            { reason: 'AUDIT_UNAVAILABLE' },
            error,
          ),
        );
      }
      return;
    }
    for (const [index, take] of takes.entries()) {
      if (granted[index]) {
        take.resolve();
        continue;
      }
      this.onRefused?.(grant, take.count);
      take.reject(
        fieldEncryptionError(
          'RATE_LIMITED',
          `${take.where}: role "${grant.role}" may reveal ${describeRollingBudget(grant.budget)} (budget "${grant.budget.text}"); this caller has used it up, so ${take.count} more ${take.count === 1 ? 'was' : 'were'} refused`,
          { budget: grant.budget.text, role: grant.role },
        ),
      );
    }
  }
}
