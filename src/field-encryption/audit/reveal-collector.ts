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
    const id = JSON.stringify([reveal.field, reveal.key, reveal.role, reveal.mask]);
    let group = this.groups.get(id);
    if (group === undefined) {
      group = { field: reveal.field, key: reveal.key, role: reveal.role, mask: reveal.mask, recordIds: [], count: 0 };
      this.groups.set(id, group);
    }
    group.count += 1;
    if (reveal.recordId !== undefined) group.recordIds.push(reveal.recordId);
  }

  get revealed(): RevealGroup[] {
    return [...this.groups.values()];
  }
}
