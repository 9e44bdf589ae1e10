import { TransitError } from './transit.ts';

/**
 * Where the end of an append-only record is checkpointed outside the database that holds it: in the
 * key service (a KV v2 secret written with check-and-set on Vault/OpenBao, a file beside the keyring on
 * the embedded engine). A database writer cannot reach it, so a record shorter than its checkpoint is
 * a record someone cut.
 */
export interface RecordAnchor {
  /** The latest checkpoint, undefined when none was ever written. */
  read(): Promise<Checkpoint | undefined>;
  /**
   * Moves the checkpoint to `next` unless the stored one is already at or past it (never backwards,
   * whoever wrote it); answers the checkpoint stored afterwards.
   */
  advance(next: Checkpoint): Promise<Checkpoint>;
  /** Human-readable location, for messages. */
  readonly location: string;
}

export interface Checkpoint {
  /** Raised by each acknowledged loss: a checkpoint of a later epoch replaces any of an earlier one. */
  epoch: number;
  seq: number;
  hash: string;
  at: Date;
}

/** Whether `a` is past `b`: a later epoch, or the same epoch and a later sequence number. */
export function isPast(a: Checkpoint, b: Checkpoint | undefined): boolean {
  if (b === undefined) return true;
  return a.epoch > b.epoch || (a.epoch === b.epoch && a.seq > b.seq);
}

/** The later of two checkpoints. */
export function laterOf(a: Checkpoint | undefined, b: Checkpoint | undefined): Checkpoint | undefined {
  if (a === undefined) return b;
  return b !== undefined && isPast(b, a) ? b : a;
}

/** As stored (JSON): the date as an ISO string. */
export interface StoredCheckpoint {
  epoch: number;
  seq: number;
  hash: string;
  at: string;
}

export function toStored(checkpoint: Checkpoint): StoredCheckpoint {
  return { epoch: checkpoint.epoch, seq: checkpoint.seq, hash: checkpoint.hash, at: checkpoint.at.toISOString() };
}

/** A stored checkpoint read back; anything else is refused rather than taken for "no checkpoint". */
export function fromStored(stored: unknown, where: string): Checkpoint {
  const value = stored as Partial<StoredCheckpoint> | null;
  if (
    value === null ||
    typeof value !== 'object' ||
    !Number.isSafeInteger(value.epoch) ||
    !Number.isSafeInteger(value.seq) ||
    typeof value.hash !== 'string' ||
    !/^[0-9a-f]{64}$/.test(value.hash) ||
    typeof value.at !== 'string'
  ) {
    throw new TransitError('UNAVAILABLE', `the reveal record's checkpoint at ${where} is not a checkpoint`);
  }
  return { epoch: value.epoch as number, seq: value.seq as number, hash: value.hash, at: new Date(value.at) };
}
