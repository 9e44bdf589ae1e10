import { randomUUID } from 'node:crypto';
import { and, asc, count, eq, gt, gte, inArray, isNotNull, or, type SQL, sql } from 'drizzle-orm';
import { revealReservations } from '../budget/reveal-reservations-table.ts';
import type { OtherKeyUse } from '../lifecycle/missing-key-material.ts';
import type { AnyPgDatabase, VersionCount } from '../storage/stored-values.ts';
import { type Checkpoint, laterOf, type RecordAnchor } from '../transit/record-anchor.ts';
import { type Transit, TransitError, valuesOf } from '../transit/transit.ts';
import {
  CHECKPOINT_FIX,
  type CheckpointProblem,
  type CheckpointProblemKind,
  checkpointProblem,
  sequencePosition,
} from './checkpoint-problem.ts';
import { Checkpointer } from './checkpointer.ts';
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
  /** Set when the chain holds but ends short of its checkpoint in the key service. */
  cut?: CheckpointProblemKind;
}

/** The role (and mask) of an entry recording an acknowledged loss: no reveal, counted by no budget. */
export const LOSS_ACKNOWLEDGED = 'loss-acknowledged';

/** Serialises appends across API processes: the chain has one head. */
export const CHAIN_LOCK = 0x7265_7665; // "reve"

/**
 * The longest a committed head may wait for its checkpoint before reveals stop: while the key service
 * takes no checkpoint, a cut of the newest records would go unnoticed after a restart.
 */
const MAX_UNCHECKPOINTED_MS = 10_000;

export interface RevealLedgerOptions {
  /** Where the chain head is checkpointed; the transit backend's anchor unless given. */
  anchor?: RecordAnchor;
  /** Seconds from a write's commit until its checkpoint was durable (metrics, the measured window). */
  onCheckpointed?: (seconds: number) => void;
  onCheckpointFailed?: (error: unknown) => void;
  /** How long a committed head may wait for its checkpoint before reveals stop (default 10 s). */
  maxUncheckpointedMs?: number;
}

/** The record no longer reaches its checkpoint: reveals stop until the rows are restored or the loss acknowledged. */
export class RecordCutError extends Error {
  override name = 'RecordCutError';
  constructor(readonly problem: CheckpointProblem) {
    super(`reveal record refused: ${problem.message}; ${CHECKPOINT_FIX}`);
  }
}

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
  private readonly anchor: RecordAnchor;
  private readonly checkpointer: Checkpointer;
  /** The latest checkpoint this process knows: read from the anchor, or a head it committed since. */
  private known: Checkpoint | undefined;
  private anchorRead: Promise<void> | undefined;
  private readonly maxUncheckpointedMs: number;

  constructor(
    private readonly db: AnyPgDatabase,
    private readonly transit: Transit,
    private readonly sealKey: string,
    options: RevealLedgerOptions = {},
  ) {
    this.maxUncheckpointedMs = options.maxUncheckpointedMs ?? MAX_UNCHECKPOINTED_MS;
    this.anchor = options.anchor ?? transit.anchor();
    this.checkpointer = new Checkpointer(this.anchor, {
      onDurable: options.onCheckpointed,
      onFailed: options.onCheckpointFailed,
      onStored: (stored) => this.joinEpoch(stored),
    });
  }

  /**
   * A loss acknowledged elsewhere started a new epoch while this process kept writing (its checkpoint
   * was still found): take the epoch, and checkpoint the head it committed since in it.
   */
  private joinEpoch(stored: Checkpoint): void {
    const known = this.known;
    if (known === undefined || stored.epoch <= known.epoch) return;
    if (known.seq > stored.seq) {
      this.known = { ...known, epoch: stored.epoch };
      this.checkpointer.offer(this.known);
    } else {
      this.known = stored;
    }
  }

  /** Reads the checkpoint (done before the first write anyway); start-up calls it to fail early. */
  open(): Promise<void> {
    this.anchorRead ??= this.anchor.read().then(
      (checkpoint) => {
        this.known = laterOf(this.known, checkpoint);
      },
      (error: unknown) => {
        this.anchorRead = undefined;
        throw error;
      },
    );
    return this.anchorRead;
  }

  /** Resolves once every committed head is checkpointed (tests, shutdown). */
  flushCheckpoints(): Promise<void> {
    return this.checkpointer.flush();
  }

  async close(): Promise<void> {
    await this.checkpointer.close();
  }

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
    await this.open();
    const lag = this.checkpointer.lagMs();
    if (lag > this.maxUncheckpointedMs) {
      throw new TransitError(
        'UNAVAILABLE',
        `reveal record refused: no checkpoint could be written to ${this.anchor.location} for ${Math.round(lag / 1000)} s`,
      );
    }
    try {
      await this.writeOnCheckpoint(batch);
    } catch (error) {
      if (!(error instanceof RecordCutError)) throw error;
      // An operator may have acknowledged the loss since (a checkpoint of a later epoch): chain on from there.
      const current = await this.anchor.read();
      if (current === undefined || current.epoch <= (this.known?.epoch ?? 0)) throw error;
      this.known = current;
      await this.writeOnCheckpoint(batch);
    }
  }

  private async writeOnCheckpoint(batch: readonly PendingAppend[]): Promise<void> {
    const known = this.known;
    const committed = await this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`);
      const head = await this.checkedHead(tx, known);
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
      const inserted = await tx.insert(revealEvents).values(rows).returning({ seq: revealEvents.seq });
      // What was reserved against rolling-window budgets is now on the record, which counts it.
      const reserved = batch.filter(({ request }) => request.reserved === true).map(({ request }) => request.requestId);
      if (reserved.length > 0)
        await tx.delete(revealReservations).where(inArray(revealReservations.requestId, reserved));
      return { seq: Math.max(...inserted.map((row) => row.seq)), hash: last.hash, at };
    });
    this.known = laterOf(this.known, { epoch: known?.epoch ?? 0, ...committed });
    this.checkpointer.offer(this.known as Checkpoint);
  }

  /**
   * The chain head, in the same query as the record at the known checkpoint, which must still be there
   * with the checkpointed hash: a record shorter than its checkpoint is never chained onto.
   */
  private async checkedHead(
    tx: AnyPgDatabase,
    known: Checkpoint | undefined,
  ): Promise<{ seq: number; hash: string } | undefined> {
    const last = sql`${revealEvents.seq} = (select max(${revealEvents.seq}) from ${revealEvents})`;
    const found = await tx
      .select({ seq: revealEvents.seq, hash: revealEvents.hash })
      .from(revealEvents)
      .where(known === undefined ? last : or(last, eq(revealEvents.seq, known.seq)))
      .orderBy(sql`${revealEvents.seq} desc`);
    const head = found[0];
    if (known === undefined) return head;
    const problem = checkpointProblem(
      known,
      {
        tail: head,
        atCheckpoint: found.find((row) => row.seq === known.seq)?.hash,
        sequence: head === undefined || head.seq < known.seq ? await sequencePosition(tx) : head.seq,
      },
      this.anchor.location,
    );
    if (problem !== undefined) throw new RecordCutError(problem);
    return head;
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

  /**
   * Walks the whole chain in order; the first record whose link, hash or seal does not hold. Then the
   * end: the record must reach the checkpoint kept in the key service.
   */
  async verify(): Promise<{ records: number; broken: BrokenLink | undefined }> {
    const rows = await this.db.select().from(revealEvents).orderBy(asc(revealEvents.seq));
    const chain = await this.verifyChainOnly(rows);
    if (chain.broken !== undefined) return chain;
    const cut = await this.checkpointProblemOf(rows);
    if (cut !== undefined)
      return {
        records: rows.length,
        broken: { seq: cut.checkpoint.seq, problem: cut.problem.message, cut: cut.problem.kind },
      };
    return chain;
  }

  private async verifyChainOnly(
    rows: readonly RevealEventRow[],
  ): Promise<{ records: number; broken: BrokenLink | undefined }> {
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

  /** How the record's end compares with the latest checkpoint in the key service (undefined: it reaches it). */
  private async checkpointProblemOf(
    rows: readonly RevealEventRow[],
  ): Promise<{ checkpoint: Checkpoint; problem: CheckpointProblem } | undefined> {
    const checkpoint = await this.anchor.read();
    if (checkpoint === undefined) return undefined;
    const tail = rows[rows.length - 1];
    const problem = checkpointProblem(
      checkpoint,
      {
        tail,
        atCheckpoint: rows.find((row) => row.seq === checkpoint.seq)?.hash,
        sequence: await sequencePosition(this.db),
      },
      this.anchor.location,
    );
    return problem === undefined ? undefined : { checkpoint, problem };
  }

  /**
   * Records a loss the checkpoint shows (a cut tail, an emptied record, an older backup restored) as a
   * sealed entry chained onto what is left, naming what was lost, who acknowledged it and why; then moves
   * the checkpoint to that entry, in a new epoch. Refused when the chain itself does not verify or
   * nothing was lost.
   */
  async acknowledgeLoss(by: string, reason: string): Promise<RevealEventRow> {
    const rows = await this.db.select().from(revealEvents).orderBy(asc(revealEvents.seq));
    const { broken } = await this.verifyChainOnly(rows);
    if (broken !== undefined) {
      throw new Error(
        `the reveal record is broken at seq ${broken.seq} (${broken.problem}): acknowledge-loss only records a missing end`,
      );
    }
    const cut = await this.checkpointProblemOf(rows);
    if (cut === undefined) throw new Error('the reveal record reaches its checkpoint: there is no loss to acknowledge');
    const { checkpoint, problem } = cut;
    const tail = rows[rows.length - 1];
    const entry = await this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`);
      // Sequence numbers keep rising past everything the checkpoint saw, even on a restored backup.
      await tx.execute(
        sql`select setval('reveal_events_seq_seq', greatest(${checkpoint.seq}, (select coalesce(max(seq), 0) from reveal_events), (select last_value from reveal_events_seq_seq)))`,
      );
      const [head] = await tx
        .select({ hash: revealEvents.hash })
        .from(revealEvents)
        .orderBy(sql`${revealEvents.seq} desc`)
        .limit(1);
      const fields: ChainedFields = {
        at: new Date(),
        requestId: `acknowledge-loss-${randomUUID()}`,
        subject: by,
        role: LOSS_ACKNOWLEDGED,
        mask: LOSS_ACKNOWLEDGED,
        field: 'reveal_events',
        key: this.sealKey,
        operation: JSON.stringify({
          reason,
          problem: problem.kind,
          lost: {
            epoch: checkpoint.epoch,
            seq: checkpoint.seq,
            hash: checkpoint.hash,
            at: checkpoint.at.toISOString(),
          },
          tail: tail === undefined ? null : { seq: tail.seq, hash: tail.hash },
        }),
        clientAddress: null,
        recordIds: [],
        count: 0,
        prevHash: head?.hash ?? GENESIS_HASH,
      };
      const hash = chainHash(fields);
      const [row] = await tx
        .insert(revealEvents)
        .values({ ...fields, hash, seal: await this.seal(hash) })
        .returning();
      return row as RevealEventRow;
    });
    const next = { epoch: checkpoint.epoch + 1, seq: entry.seq, hash: entry.hash, at: entry.at };
    await this.anchor.advance(next);
    this.known = next;
    return entry;
  }

  /** The recorded acknowledgements of a lost end of the record, oldest first. */
  async acknowledgedLosses(): Promise<RevealEventRow[]> {
    return this.db
      .select()
      .from(revealEvents)
      .where(eq(revealEvents.role, LOSS_ACKNOWLEDGED))
      .orderBy(asc(revealEvents.seq));
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
