import { fieldEncryptionError } from '../errors.ts';

export type BudgetedOperation = 'decrypt' | 'encrypt';

/** How many values one request may decrypt and encrypt. */
export interface RequestBudgetLimits {
  decrypts: number;
  encrypts: number;
}

/**
 * The values one request may still decrypt and encrypt, counted as its resolvers run, so that
 * aliases, fragments and variables all draw on the same allowance. One per request.
 */
export class RequestBudget {
  private readonly used: Record<BudgetedOperation, number> = { decrypt: 0, encrypt: 0 };

  constructor(
    private readonly limits: RequestBudgetLimits,
    private readonly onRefused?: (operation: BudgetedOperation) => void,
  ) {}

  /** How many more values this request may decrypt or encrypt. */
  remaining(operation: BudgetedOperation): number {
    const limit = operation === 'decrypt' ? this.limits.decrypts : this.limits.encrypts;
    return Math.max(0, limit - this.used[operation]);
  }

  /**
   * Takes `count` values for one field, all or none: a field that does not fit fails whole
   * (REQUEST_BUDGET_EXCEEDED) before any of its values reaches transit.
   */
  take(operation: BudgetedOperation, count: number, where: string): void {
    const limit = operation === 'decrypt' ? this.limits.decrypts : this.limits.encrypts;
    if (this.used[operation] + count > limit) {
      this.onRefused?.(operation);
      throw fieldEncryptionError(
        'REQUEST_BUDGET_EXCEEDED',
        `${where}: this request may ${operation} at most ${limit} values; ${this.used[operation]} already taken, ${count} more refused`,
        { operation, limit },
      );
    }
    this.used[operation] += count;
  }
}
