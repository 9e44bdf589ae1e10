import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/auth/token-issuer.ts';
import { revealEvents } from '../../src/field-encryption/index.ts';
import type { Transit } from '../../src/field-encryption/transit/transit.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { CREATE_CARDS, PANS } from '../support/cards.ts';

const LIST = 'query List { creditCards { nodes { id pan } } }';

/** The real backend, with every decrypt held until the test lets it go. */
function holdingDecrypts(inner: Transit) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let held = 0;
  const transit = new Proxy(inner, {
    get(target, property) {
      if (property === 'decrypt') {
        return async (...args: Parameters<Transit['decrypt']>) => {
          held += 1;
          await released;
          return target.decrypt(...args);
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { transit, release, held: () => held };
}

describe.each(backendSets())('the reveal record is written while transit decrypts [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;
  let gate: ReturnType<typeof holdingDecrypts>;

  beforeAll(async () => {
    const opened = await set.open();
    gate = holdingDecrypts(opened.transit);
    backends = { ...opened, transit: gate.transit };
    api = await startTestApi(backends);
  });
  afterAll(async () => {
    gate?.release();
    await api?.close();
    await backends?.close();
  });

  it('the entry for a page is sealed and committed before its decrypt returns, and the answer waits for both', async () => {
    const created = await api.gql<{ createCreditCards: Array<{ id: string }> }>(CREATE_CARDS, {
      role: 'clerk',
      variables: {
        inputs: [
          { name: 'A', pan: PANS.carlos },
          { name: 'B', pan: PANS.visa },
        ],
      },
    });
    const ids = (created.data?.createCreditCards ?? []).map((card) => card.id).sort();
    expect(ids).toHaveLength(2);

    const subject = 'processor-beside-decrypt';
    const token = await issueToken(backends.config.auth, ['processor'], subject);
    let answered = false;
    const answer = api.gql<{ creditCards: { nodes: Array<{ pan: string }> } }>(LIST, { token }).finally(() => {
      answered = true;
    });

    const db = backends.database.db;
    const recorded = async () => db.select().from(revealEvents).where(eq(revealEvents.subject, subject));
    let rows = await recorded();
    for (let wait = 0; rows.length === 0 && wait < 200; wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      rows = await recorded();
    }
    // On the record, sealed, while the decrypt is still held and nothing has been answered.
    expect(gate.held()).toBeGreaterThan(0);
    expect(answered).toBe(false);
    expect(rows).toHaveLength(1);
    expect([...(rows[0]?.recordIds ?? [])].sort()).toEqual(ids);
    expect(rows[0]?.seal).toMatch(/^vault:v\d+:/);

    gate.release();
    const { data, errors } = await answer;
    expect(errors).toBeUndefined();
    expect(data?.creditCards.nodes.map((card) => card.pan).sort()).toEqual([PANS.carlos, PANS.visa].sort());
    expect(await recorded()).toHaveLength(1);
  });
});
