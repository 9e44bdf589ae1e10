import { GraphQLError } from 'graphql';
import type { RevealCollector } from '../audit/reveal-collector.ts';
import { fieldEncryptionError } from '../errors.ts';
import type { BlindIndex } from '../transit/blind-index-of.ts';
import type { GrantBudgets } from './grant-budgets.ts';
import type { RequestBudget } from './request-budget.ts';
import { describeRollingBudget } from './rolling-budget.ts';

/** How an existence answer is named in the reveal record and its budgets: no role grants it, anyone who may ask does. */
export const EXISTENCE_ROLE = '*';
export const EXISTENCE_MASK = 'EXISTS';

/** Reports which stored records matched the values asked about (none for a miss). */
export type FoundRecords = (recordIds: readonly string[]) => void;

/**
 * Existence is a reveal. A resolver whose answer depends on whether values are on file (a lookup by
 * blind index, a duplicate check) asks through here: the values count against the request's decrypt
 * budget and the field's rolling `existenceBudget`, before anything is looked up, so that past the
 * budget the answer is RATE_LIMITED whether the values are on file or not; what the lookup found is
 * noted for the reveal record (how many values were asked, which records matched). One per request.
 */
export class ExistenceAnswers {
  constructor(
    private readonly grantBudgets: GrantBudgets,
    private readonly reveals: RevealCollector,
    private readonly requestBudget?: RequestBudget,
  ) {}

  /**
   * Runs `lookup` once the values behind `indexes` (computed by `@blindIndex` on one field) are
   * allowed. `lookup` calls `found` with the matching records as soon as it knows them; an answer
   * is noted even without it (a miss), a failure only with it (a duplicate report).
   */
  async ask<T>(indexes: readonly BlindIndex[], lookup: (found: FoundRecords) => Promise<T>): Promise<T> {
    const [first] = indexes;
    if (first === undefined) return lookup(() => {});
    const declared = first.declaredAt;
    if (declared === undefined || indexes.some((index) => index.declaredAt?.field !== declared.field)) {
      throw new Error('existence can only be asked with blind indexes that @blindIndex computed for one field');
    }
    const { field, key, existenceBudget: budget } = declared;
    const count = indexes.length;
    this.requestBudget?.take('decrypt', count, field);
    try {
      await this.grantBudgets.take({ field, role: EXISTENCE_ROLE, mask: EXISTENCE_MASK, budget }, count, field);
    } catch (error) {
      if (!(error instanceof GraphQLError) || error.extensions.code !== 'RATE_LIMITED') throw error;
      throw fieldEncryptionError(
        'RATE_LIMITED',
        `${field}: a caller may ask whether ${describeRollingBudget(budget)} are on file (budget "${budget.text}"); this caller has used it up, so nothing was looked up`,
        { budget: budget.text },
      );
    }
    let matched: readonly string[] | undefined;
    const note = () =>
      this.reveals.noteMany({ field, key, role: EXISTENCE_ROLE, mask: EXISTENCE_MASK }, count, matched ?? []);
    try {
      const answer = await lookup((recordIds) => {
        matched ??= recordIds;
      });
      note();
      return answer;
    } catch (error) {
      // A failure that carries what was found (a duplicate report) is an answer too.
      if (matched !== undefined) note();
      throw error;
    }
  }
}
