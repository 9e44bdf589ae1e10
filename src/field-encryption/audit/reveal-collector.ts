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

/** Collects a request's reveals as its resolvers run; one per request. */
export class RevealCollector {
  private readonly groups = new Map<string, RevealGroup>();

  note(reveal: Reveal): void {
    this.noteMany(reveal, 1, reveal.recordId === undefined ? [] : [reveal.recordId]);
  }

  /** `count` values of one field and grant revealed at once, e.g. existence answers for a batch of numbers. */
  noteMany(grant: Omit<Reveal, 'recordId'>, count: number, recordIds: readonly string[]): void {
    const id = JSON.stringify([grant.field, grant.key, grant.role, grant.mask]);
    let group = this.groups.get(id);
    if (group === undefined) {
      group = { field: grant.field, key: grant.key, role: grant.role, mask: grant.mask, recordIds: [], count: 0 };
      this.groups.set(id, group);
    }
    group.count += count;
    group.recordIds.push(...recordIds);
  }

  get revealed(): RevealGroup[] {
    return [...this.groups.values()];
  }
}
