import { and, eq, gt, lt, sql } from 'drizzle-orm';
import { revealEvents } from '../audit/reveal-events-table.ts';
import type { AnyPgDatabase } from '../storage/stored-values.ts';
import { revealReservations } from './reveal-reservations-table.ts';
import type { RollingBudget } from './rolling-budget.ts';

/** One subject's use of one grant: what the window is counted over. */
export interface GrantUse {
  subject: string;
  field: string;
  role: string;
  mask: string;
}

/** Advisory-lock space of the budgets (the two-key form, apart from the reveal chain's lock). */
const BUDGET_LOCK_SPACE = 0x6275_6467; // "budg"
/** A reservation outlives any request; it only matters when the process died before settling it. */
const RESERVATION_TTL_SECONDS = 600;

/**
 * Rolling-window budgets with the reveal record as the ledger. A reservation is taken under an
 * advisory lock per (subject, grant): what the record holds in the window plus what other requests
 * have reserved and not yet recorded is read in one statement, and the request's share inserted
 * before the lock is released. So requests racing on any number of API replicas are counted
 * against each other, and nothing is decrypted before it is reserved.
 */
export class RevealAllowance {
  constructor(private readonly db: AnyPgDatabase) {}

  /**
   * Reserves `counts` (one per field, all or none each, in order) for `requestId`; returns which
   * were granted. Fields that do not fit are refused; later, smaller ones may still fit.
   */
  async reserve(
    requestId: string,
    use: GrantUse,
    budget: RollingBudget,
    counts: readonly number[],
  ): Promise<boolean[]> {
    return this.db.transaction(async (tx) => {
      const lockKey = JSON.stringify([use.subject, use.field, use.role, use.mask]);
      await tx.execute(sql`select pg_advisory_xact_lock(${BUDGET_LOCK_SPACE}, hashtext(${lockKey}))`);
      const sameGrant = <T extends typeof revealEvents | typeof revealReservations>(table: T) =>
        and(
          eq(table.subject, use.subject),
          eq(table.field, use.field),
          eq(table.role, use.role),
          eq(table.mask, use.mask),
        );
      await tx
        .delete(revealReservations)
        .where(and(sameGrant(revealReservations), lt(revealReservations.expiresAt, sql`now()`)));
      const [usage] = await tx
        .select({
          revealed: sql<string>`coalesce(sum(${revealEvents.count}), 0)`,
          reserved: sql<string>`(select coalesce(sum(${revealReservations.count}), 0) from ${revealReservations} where ${sameGrant(revealReservations)})`,
        })
        .from(revealEvents)
        .where(
          and(
            sameGrant(revealEvents),
            gt(revealEvents.at, sql`now() - make_interval(secs => ${budget.windowSeconds})`),
          ),
        );
      let left = budget.limit - Number(usage?.revealed ?? 0) - Number(usage?.reserved ?? 0);
      const granted = counts.map((count) => {
        if (count > left) return false;
        left -= count;
        return true;
      });
      const total = counts.reduce((sum, count, index) => (granted[index] ? sum + count : sum), 0);
      if (total > 0) {
        await tx.insert(revealReservations).values({
          requestId,
          ...use,
          count: total,
          expiresAt: sql`now() + make_interval(secs => ${RESERVATION_TTL_SECONDS})`,
        });
      }
      return granted;
    });
  }

  /** Drops a request's reservations (it ended without recording them, or its record failed). */
  async release(requestId: string): Promise<void> {
    await this.db.delete(revealReservations).where(eq(revealReservations.requestId, requestId));
  }
}
