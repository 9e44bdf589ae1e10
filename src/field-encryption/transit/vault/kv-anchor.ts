import { type Checkpoint, fromStored, isPast, type RecordAnchor, toStored } from '../record-anchor.ts';
import { TransitError } from '../transit.ts';
import type { VaultSession } from './vault-session.ts';

/** OpenBao answers 404 "no handler for route" for a path under no mount, and 404 with no errors for a secret not written. */
function noRoute(cause: unknown): boolean {
  return /no handler for route/.test(String((cause as { message?: unknown } | undefined)?.message ?? ''));
}

interface KvAnswer {
  data: { data: unknown; metadata: { version: number } };
}

/**
 * The anchor on Vault/OpenBao: one KV v2 secret, written with check-and-set so that two API replicas
 * advancing it at once cannot move it backwards (a cas conflict re-reads and keeps the later one).
 */
export class KvAnchor implements RecordAnchor {
  readonly location: string;
  /**
   * The secret as this process last saw it (version 0: none yet): the next write's cas, and what it is
   * compared with; a cas conflict means someone wrote since, and it is read again.
   */
  private seen: { version: number; checkpoint: Checkpoint | undefined } | undefined;

  constructor(
    private readonly session: VaultSession,
    private readonly mount: string,
    private readonly secretPath: string,
  ) {
    this.location = `${mount}/${secretPath} (KV v2)`;
  }

  async read(): Promise<Checkpoint | undefined> {
    const current = await this.readVersioned();
    this.seen = { version: current?.version ?? 0, checkpoint: current?.checkpoint };
    return current?.checkpoint;
  }

  async advance(next: Checkpoint): Promise<Checkpoint> {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (this.seen === undefined) {
        const current = await this.readVersioned();
        this.seen = { version: current?.version ?? 0, checkpoint: current?.checkpoint };
      }
      const { version, checkpoint } = this.seen;
      if (checkpoint !== undefined && !isPast(next, checkpoint)) return checkpoint;
      try {
        const answer = await this.session.request<{ data: { version: number } }>(
          'POST',
          this.dataPath(),
          { options: { cas: version }, data: toStored(next) },
          `write the reveal record's checkpoint to ${this.location}`,
        );
        this.seen = { version: answer.data.version, checkpoint: next };
        return next;
      } catch (error) {
        this.seen = undefined;
        if (!(error instanceof TransitError) || !/check-and-set/.test(error.message)) throw error;
      }
    }
    throw new TransitError('UNAVAILABLE', `the reveal record's checkpoint at ${this.location} kept changing`);
  }

  /** Creates the KV v2 mount when it is missing (setup, tests); true when it was. */
  async ensureMount(): Promise<boolean> {
    const mounts = await this.session.request<{ data?: Record<string, unknown> } & Record<string, unknown>>(
      'GET',
      '/sys/mounts',
      undefined,
      'list secrets engines',
    );
    if (`${this.mount}/` in (mounts.data ?? mounts)) return false;
    await this.session.request(
      'POST',
      `/sys/mounts/${this.mount}`,
      { type: 'kv', options: { version: '2' } },
      'enable the KV v2 engine for the reveal record checkpoint',
    );
    await this.untilServing();
    return true;
  }

  /** A new KV v2 mount answers "upgrading" for a moment before it serves. */
  private async untilServing(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.readVersioned();
        return;
      } catch (error) {
        if (attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  private async readVersioned(): Promise<{ checkpoint: Checkpoint; version: number } | undefined> {
    let answer: KvAnswer;
    try {
      answer = await this.session.request<KvAnswer>(
        'GET',
        this.dataPath(),
        undefined,
        `read the reveal record's checkpoint at ${this.location}`,
      );
    } catch (error) {
      // A missing secret is no checkpoint yet; a missing mount must not pass for one.
      if (error instanceof TransitError && error.code === 'KEY_NOT_FOUND' && !noRoute(error.cause)) return undefined;
      if (error instanceof TransitError && error.code === 'KEY_NOT_FOUND') {
        throw new TransitError(
          'UNAVAILABLE',
          `the reveal record's checkpoint mount ${this.mount} does not exist: run \`npm run transit -- setup\` (VAULT_ANCHOR_MOUNT)`,
        );
      }
      throw error;
    }
    return { checkpoint: fromStored(answer.data.data, this.location), version: answer.data.metadata.version };
  }

  private dataPath(): string {
    return `/${this.mount}/data/${this.secretPath}`;
  }
}
