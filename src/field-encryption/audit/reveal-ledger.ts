import { and, asc, count, eq, gt, gte, inArray, isNotNull, type SQL, sql } from 'drizzle-orm';
import { revealReservations } from '../budget/reveal-reservations-table.ts';
import type { OtherKeyUse } from '../lifecycle/missing-key-material.ts';
import type { AnyPgDatabase, VersionCount } from '../storage/stored-values.ts';
import { type Transit, TransitError, valuesOf } from '../transit/transit.ts';
import { type ChainedFields, chainHash, GENESIS_HASH } from './reveal-chain.ts';
import type { RevealGroup } from './reveal-collector.ts';
import { type RevealEventRow, revealEvents } from './reveal-events-table.ts';

/** Who asked, for the reveal record. */
export interface RevealRequest {
  requestId: string;
  subject: string;
  operation: string | undefined;
  clientAddress: string | undefined;
  /** The request reserved values against rolling-window budgets: its reservations end with this write. */
  reserved?: boolean;
}

export interface RevealQuery {
  limit: number;
  afterSeq?: number | undefined;
  subject?: string | undefined;
  recordId?: string | undefined;
  since?: Date | undefined;
}

/** The first record that does not hold, as `verify` finds it. */
export interface BrokenLink {
  seq: number;
  problem: string;
}

/** Serialises appends across API processes: the chain has one head. */
const CHAIN_LOCK = 0x7265_7665; // "reve"

/** Requests written in one transaction at most (the insert stays far below PostgreSQL's parameter limit). */
const MAX_REQUESTS_PER_WRITE = 100;

interface PendingAppend {
  request: RevealRequest;
  groups: readonly RevealGroup[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Appends reveal records to the hash chain and checks it. Writes are group commits: while one is in
 * flight, the requests that arrive wait and go together in the next. Each write is one transaction:
 * the chain head is read under an advisory lock (which serialises writers across API processes), every
 * waiting request's rows are hashed onto it in order, the new head is sealed by one transit HMAC, and
 * all rows go in one insert. A request's answer leaves only after the write holding its rows committed;
 * if that write fails, every request in it fails (closed).
 */
export class RevealLedger {
  private readonly pending: PendingAppend[] = [];
  private writing = false;

  constructor(
    private readonly db: AnyPgDatabase,
    private readonly transit: Transit,
    private readonly sealKey: string,
  ) {}

  append(request: RevealRequest, groups: readonly RevealGroup[]): Promise<void> {
    if (groups.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ request, groups, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_REQUESTS_PER_WRITE);
        try {
          await this.write(batch);
          for (const each of batch) each.resolve();
        } catch (error) {
          for (const each of batch) each.reject(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private async write(batch: readonly PendingAppend[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`);
      const [head] = await tx
        .select({ hash: revealEvents.hash })
        .from(revealEvents)
        .orderBy(sql`${revealEvents.seq} desc`)
        .limit(1);
      let prevHash = head?.hash ?? GENESIS_HASH;
      const at = new Date();
      const rows = batch.flatMap(({ request, groups }) =>
        groups.map((group) => {
          const fields: ChainedFields = {
            at,
            requestId: request.requestId,
            subject: request.subject,
            role: group.role,
            mask: group.mask,
            field: group.field,
            key: group.key,
            operation: request.operation ?? null,
            clientAddress: request.clientAddress ?? null,
            recordIds: group.recordIds,
            count: group.count,
            prevHash,
          };
          prevHash = chainHash(fields);
          return { ...fields, hash: prevHash, seal: null as string | null };
        }),
      );
      const last = rows[rows.length - 1] as (typeof rows)[number];
      last.seal = await this.seal(last.hash);
      await tx.insert(revealEvents).values(rows);
      // What was reserved against rolling-window budgets is now on the record, which counts it.
      const reserved = batch.filter(({ request }) => request.reserved === true).map(({ request }) => request.requestId);
      if (reserved.length > 0)
        await tx.delete(revealReservations).where(inArray(revealReservations.requestId, reserved));
    });
  }

  /** A page of the record, oldest first, filtered. */
  async list(query: RevealQuery): Promise<RevealEventRow[]> {
    const conditions: SQL[] = [];
    if (query.afterSeq !== undefined) conditions.push(gt(revealEvents.seq, query.afterSeq));
    if (query.subject !== undefined) conditions.push(eq(revealEvents.subject, query.subject));
    if (query.since !== undefined) conditions.push(gte(revealEvents.at, query.since));
    if (query.recordId !== undefined) {
      conditions.push(sql`${revealEvents.recordIds} @> ${JSON.stringify([query.recordId])}::jsonb`);
    }
    return this.db
      .select()
      .from(revealEvents)
      .where(and(...conditions))
      .orderBy(asc(revealEvents.seq))
      .limit(query.limit);
  }

  /** The seals as a use of the seal key, for the start-up check: a seal key lost is a record unverifiable. */
  sealKeyUse(): OtherKeyUse {
    return { key: this.sealKey, what: 'sealed reveal records', countByVersion: () => this.sealsByVersion() };
  }

  /** How many seals name each version of the seal key. */
  async sealsByVersion(): Promise<VersionCount[]> {
    const version = sql<string | null>`substring(${revealEvents.seal} from '^vault:v([0-9]+):')`;
    const rows = await this.db
      .select({ version, count: count() })
      .from(revealEvents)
      .where(isNotNull(revealEvents.seal))
      .groupBy(version);
    return rows
      .filter((row) => row.version !== null)
      .map((row) => ({ version: Number(row.version), count: Number(row.count) }));
  }

  /** Walks the whole chain in order; the first record whose link, hash or seal does not hold. */
  async verify(): Promise<{ records: number; broken: BrokenLink | undefined }> {
    const rows = await this.db.select().from(revealEvents).orderBy(asc(revealEvents.seq));
    const expectedSeals = await this.expectedSeals(rows);
    let prevHash = GENESIS_HASH;
    for (const row of rows) {
      const broken = check(row, prevHash, expectedSeals.get(row.seq));
      if (broken !== undefined) return { records: rows.length, broken: { seq: row.seq, problem: broken } };
      prevHash = row.hash;
    }
    const last = rows[rows.length - 1];
    if (last !== undefined && last.seal === null) {
      return { records: rows.length, broken: { seq: last.seq, problem: 'the chain ends on an unsealed record' } };
    }
    return { records: rows.length, broken: undefined };
  }

  /**
   * What each sealed record's seal must be: the HMAC of its hash under the version the seal names, one
   * transit call per version for the whole record. Undefined where transit refuses that version (one it
   * never had).
   */
  private async expectedSeals(rows: readonly RevealEventRow[]): Promise<Map<number, string | undefined>> {
    const byVersion = new Map<number | undefined, RevealEventRow[]>();
    for (const row of rows) {
      if (row.seal === null) continue;
      const version = sealVersionOf(row.seal);
      const group = byVersion.get(version) ?? [];
      group.push(row);
      byVersion.set(version, group);
    }
    const expected = new Map<number, string | undefined>();
    for (const [version, sealed] of byVersion) {
      const seals = await this.sealsOrRefused(
        sealed.map((row) => row.hash),
        version,
      );
      for (const [index, row] of sealed.entries()) expected.set(row.seq, seals?.[index]);
    }
    return expected;
  }

  /** As `seals`, but undefined when transit refuses the version the seals name. */
  private async sealsOrRefused(hashes: readonly string[], version: number | undefined): Promise<string[] | undefined> {
    try {
      return await this.seals(hashes, version);
    } catch (error) {
      if (version !== undefined && error instanceof TransitError && error.code === 'INVALID_REQUEST') return undefined;
      throw error;
    }
  }

  /** The HMAC of `hash` under the seal key's latest version. */
  private async seal(hash: string): Promise<string> {
    const [seal] = await this.seals([hash], undefined);
    return seal as string;
  }

  /** The HMACs of `hashes` under the seal key's latest version, or under `version` to check older seals. */
  private async seals(hashes: readonly string[], version: number | undefined): Promise<string[]> {
    const results = await this.transit.hmac(
      this.sealKey,
      hashes.map((hash) => ({ input: Buffer.from(hash, 'hex') })),
      version === undefined ? {} : { version },
    );
    return valuesOf(results, hashes.length);
  }
}

function check(row: RevealEventRow, prevHash: string, expectedSeal: string | undefined): string | undefined {
  if (row.prevHash !== prevHash) return 'does not follow the record before it (deleted, inserted or reordered)';
  if (chainHash(row) !== row.hash) return 'its contents do not match its hash (edited)';
  if (row.seal !== null && row.seal !== expectedSeal) return 'its seal is not a transit HMAC of its hash (forged)';
  return undefined;
}

/**
 * The key version a seal names (`vault:v<N>:`), so a seal stays checkable after the key rotates; a
 * relabelled seal is then checked under the version it claims, and fails there.
 */
function sealVersionOf(seal: string): number | undefined {
  const match = /^vault:v(\d+):/.exec(seal);
  return match === null ? undefined : Number(match[1]);
}
