/** One value that left the API decrypted or masked. */
export interface Reveal {
  field: string;
  key: string;
  role: string;
  mask: string;
  recordId: string | undefined;
}

/** What one request revealed, grouped by field, key and grant: the rows the reveal record gets. */
export interface RevealGroup {
  field: string;
  key: string;
  role: string;
  mask: string;
  recordIds: string[];
  count: number;
}

/** Writes groups to the reveal record; `last` is the request's final write. */
export type RevealWriter = (groups: readonly RevealGroup[], last: boolean) => Promise<void>;

/**
 * Collects a request's reveals as its resolvers run; one per request. With a writer, what is noted is
 * written while the request is still running (the record's write then overlaps the decrypts it covers),
 * one write in flight at a time; `settle` waits for those writes and writes the rest.
 */
export class RevealCollector {
  private unwritten = new Map<string, RevealGroup>();
  private writer: RevealWriter | undefined;
  private inFlight: Promise<void> | undefined;
  private scheduled = false;
  private failure: { error: unknown } | undefined;
  private deliveredValues = 0;

  note(reveal: Reveal): void {
    this.noteMany(reveal, 1, reveal.recordId === undefined ? [] : [reveal.recordId]);
  }

  /** `count` values of one field and grant revealed at once, e.g. existence answers for a batch of numbers. */
  noteMany(grant: Omit<Reveal, 'recordId'>, count: number, recordIds: readonly string[]): void {
    const id = JSON.stringify([grant.field, grant.key, grant.role, grant.mask]);
    addTo(this.unwritten, id, grant, count, recordIds);
    this.schedule();
  }

  /** A value noted has decrypted and goes into the answer. */
  delivered(): void {
    this.deliveredValues += 1;
  }

  /** Whether any value noted went into the answer (so that a record not written must withhold it). */
  get anyDelivered(): boolean {
    return this.deliveredValues > 0;
  }

  /** From now on, writes what is noted in the background (the same tick's notes together). */
  writeAsNoted(writer: RevealWriter): void {
    this.writer = writer;
    this.schedule();
  }

  /**
   * Waits for the background writes, then writes what they did not cover as the last write (with no
   * groups if nothing is left). Rejects if any write failed: the response must then withhold its values.
   */
  async settle(writer: RevealWriter): Promise<void> {
    this.writer = undefined;
    while (this.inFlight !== undefined) await this.inFlight;
    if (this.failure !== undefined) throw this.failure.error;
    const rest = [...this.unwritten.values()];
    this.unwritten = new Map();
    await writer(rest, true);
  }

  private schedule(): void {
    if (this.writer === undefined || this.scheduled || this.inFlight !== undefined || this.unwritten.size === 0) return;
    this.scheduled = true;
    // After the current tick, so the values a resolver pass notes together (a page) go in one write.
    setImmediate(() => {
      this.scheduled = false;
      this.writeUnwritten();
    });
  }

  private writeUnwritten(): void {
    const writer = this.writer;
    if (writer === undefined || this.unwritten.size === 0 || this.failure !== undefined) return;
    const groups = [...this.unwritten.values()];
    this.unwritten = new Map();
    this.inFlight = writer(groups, false).then(
      () => {
        this.inFlight = undefined;
        this.schedule();
      },
      (error: unknown) => {
        this.inFlight = undefined;
        this.failure = { error };
      },
    );
  }
}

function addTo(
  groups: Map<string, RevealGroup>,
  id: string,
  grant: Omit<Reveal, 'recordId'>,
  count: number,
  recordIds: readonly string[],
): void {
  let group = groups.get(id);
  if (group === undefined) {
    group = { field: grant.field, key: grant.key, role: grant.role, mask: grant.mask, recordIds: [], count: 0 };
    groups.set(id, group);
  }
  group.count += count;
  group.recordIds.push(...recordIds);
}
