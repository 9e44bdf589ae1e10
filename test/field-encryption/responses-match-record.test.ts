import { asc, gt } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/auth/token-issuer.ts';
import { revealEvents } from '../../src/field-encryption/index.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { CREATE_CARD, CREATE_CARDS, overwritePan, PANS, tamper } from '../support/cards.ts';

/** What a response shows of one card's pan, and so what the record must hold for it. */
type Shown = 'plaintext' | 'masked' | 'ciphertext' | 'null';
interface Expected {
  field: string;
  role: string;
  mask: string;
  recordIds: string[];
  count: number;
}

const GRANT_OF: Record<'plaintext' | 'masked', { role: string; mask: string }> = {
  plaintext: { role: 'processor', mask: 'NONE' },
  masked: { role: 'support', mask: 'LAST4' },
};

function shown(pan: unknown): Shown {
  if (pan === null || pan === undefined) return 'null';
  const text = String(pan);
  if (text.startsWith('vault:')) return 'ciphertext';
  if (/^\*+\d{4}$/.test(text)) return 'masked';
  if (/^\d{12,19}$/.test(text)) return 'plaintext';
  throw new Error(`a pan answered in an unknown form: ${text.slice(0, 6)}…`);
}

/** Every card (an object with `id` and `pan`) anywhere in a response's data. */
function cardsIn(value: unknown, found: Array<{ id: string; pan: unknown }> = []) {
  if (Array.isArray(value)) for (const item of value) cardsIn(item, found);
  else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if ('id' in record && 'pan' in record) found.push({ id: String(record.id), pan: record.pan });
    for (const child of Object.values(record)) cardsIn(child, found);
  }
  return found;
}

/**
 * The record rows the response calls for: one per grant, with the ids and the count, of the values it
 * revealed and of those sent to be decrypted for the caller's grant that then failed (the record is
 * written while they decrypt, so it may say more than was answered, never less).
 */
function expectedRows(data: unknown, failed: { ids: string[]; grant: keyof typeof GRANT_OF | undefined }): Expected[] {
  const groups = new Map<string, Expected>();
  const add = (kind: keyof typeof GRANT_OF, id: string) => {
    let group = groups.get(kind);
    if (group === undefined) {
      group = { field: 'CreditCard.pan', ...GRANT_OF[kind], recordIds: [], count: 0 };
      groups.set(kind, group);
    }
    group.recordIds.push(id);
    group.count += 1;
  };
  for (const card of cardsIn(data)) {
    const kind = shown(card.pan);
    if (kind === 'plaintext' || kind === 'masked') add(kind, card.id);
  }
  if (failed.grant !== undefined) for (const id of failed.ids) add(failed.grant, id);
  return sortRows([...groups.values()]);
}

/** The ids of the cards whose pan failed to decrypt (DECRYPTION_FAILED at `…, n, 'pan'`). */
function failedIds(
  data: unknown,
  errors: ReadonlyArray<{ path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> }> = [],
) {
  return errors
    .filter((error) => error.extensions?.code === 'DECRYPTION_FAILED' && error.path?.at(-1) === 'pan')
    .map((error) => {
      const card = (error.path ?? [])
        .slice(0, -1)
        .reduce<unknown>((at, step) => (at as Record<string | number, unknown>)?.[step], data);
      return String((card as { id: string }).id);
    });
}

/** A request's rows summed per grant: one written while it decrypted, and one at its end if more was revealed since. */
function byGrant(rows: readonly Expected[]): Expected[] {
  const groups = new Map<string, Expected>();
  for (const { field, role, mask, recordIds, count } of rows) {
    const id = `${field} ${role} ${mask}`;
    const group = groups.get(id) ?? { field, role, mask, recordIds: [], count: 0 };
    group.recordIds.push(...recordIds);
    group.count += count;
    groups.set(id, group);
  }
  return sortRows([...groups.values()]);
}

function sortRows(rows: Expected[]): Expected[] {
  return rows
    .map((row) => ({ ...row, recordIds: [...row.recordIds].sort() }))
    .sort((a, b) => `${a.role}${a.mask}`.localeCompare(`${b.role}${b.mask}`));
}

const LIST = 'query List { creditCards(first: 50) { nodes { id pan status } } }';
const TWO_PAGES =
  'query Aliased { a: creditCards(first: 3) { nodes { id pan } } b: creditCards(first: 3) { nodes { id pan } } }';
const ONE = 'query One($id: ID!) { creditCard(id: $id) { id pan } }';

describe.each(backendSets())('every revealed value in a response has its reveal record [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;
  const seen = { requests: 0, revealing: 0, values: 0, ciphertexts: 0, requestIds: new Set<string>() };
  let lastSeq = 0;

  beforeAll(async () => {
    backends = await set.open({ MAX_DECRYPTS_PER_REQUEST: '4' });
    api = await startTestApi(backends);
  });
  afterAll(async () => {
    await api?.close();
    await backends?.close();
  });

  /** Sends one request as `role`, then checks the rows it added to the record against what it answered. */
  async function intercepted<T>(query: string, role: string | undefined, variables: Record<string, unknown> = {}) {
    const subject = `${role ?? 'anonymous'}-${seen.requests}`;
    const token = role === undefined ? undefined : await issueToken(backends.config.auth, [role], subject);
    const answer = await api.gql<T>(query, { variables, ...(token === undefined ? {} : { token }) });
    seen.requests += 1;
    const rows = await backends.database.db
      .select()
      .from(revealEvents)
      .where(gt(revealEvents.seq, lastSeq))
      .orderBy(asc(revealEvents.seq));
    lastSeq = rows.at(-1)?.seq ?? lastSeq;
    const grant = role === 'processor' ? 'plaintext' : role === 'support' ? 'masked' : undefined;
    const expected = expectedRows(answer.data, { ids: failedIds(answer.data, answer.errors), grant });
    const cards = cardsIn(answer.data);
    seen.ciphertexts += cards.filter((card) => shown(card.pan) === 'ciphertext').length;
    expect(byGrant(rows), query).toEqual(expected);
    if (rows.length > 0) {
      seen.revealing += 1;
      seen.values += expected.reduce((total, row) => total + row.count, 0);
      expect(new Set(rows.map((row) => row.subject))).toEqual(new Set([subject]));
      const requestIds = new Set(rows.map((row) => row.requestId));
      expect(requestIds.size).toBe(1);
      const [requestId] = requestIds;
      expect(seen.requestIds.has(requestId as string)).toBe(false);
      seen.requestIds.add(requestId as string);
    }
    return answer;
  }

  it('creates, lists as each role, masked and processor reads, need-to-know, failures: responses and records agree', async () => {
    const one = await intercepted<{ createCreditCard: { id: string } }>(CREATE_CARD, 'clerk', {
      input: { name: 'Single', pan: PANS.carlos },
    });
    const bulk = await intercepted<{ createCreditCards: Array<{ id: string }> }>(CREATE_CARDS, 'clerk', {
      inputs: [
        { name: 'B', pan: PANS.anibal },
        { name: 'C', pan: PANS.visa },
        { name: 'D', pan: PANS.mastercard },
      ],
    });
    const ids = [one.data?.createCreditCard.id, ...(bulk.data?.createCreditCards ?? []).map((card) => card.id)];
    expect(ids.every(Boolean)).toBe(true);

    for (const role of ['clerk', 'key-admin', 'processor', 'support', 'auditor']) await intercepted(LIST, role);
    await intercepted(ONE, 'support', { id: ids[2] });
    await intercepted(ONE, 'processor', { id: ids[1] });
    await intercepted(ONE, 'clerk', { id: ids[1] });

    // Aliases past MAX_DECRYPTS_PER_REQUEST (4): the refused fields are null and unrecorded.
    const aliased = await intercepted(TWO_PAGES, 'processor');
    expect(aliased.errors?.map((error) => error.extensions?.code)).toEqual([
      'REQUEST_BUDGET_EXCEEDED',
      'REQUEST_BUDGET_EXCEEDED',
    ]);

    // The processor's round: claim (plaintext of pending cards), process one, then list again.
    const claimed = await intercepted<{ claimCards: Array<{ id: string }> }>(
      'mutation { claimCards(limit: 2) { id pan } }',
      'processor',
    );
    expect(claimed.data?.claimCards).toHaveLength(2);
    // The claim's holder is the token's subject, so the same token must mark it.
    const token = await issueToken(backends.config.auth, ['processor'], `processor-${seen.requests - 1}`);
    const marked = await api.gql<{ markCardsProcessed: Array<{ id: string; pan: string }> }>(
      'mutation ($ids: [ID!]!) { markCardsProcessed(ids: $ids) { id pan } }',
      { token, variables: { ids: [claimed.data?.claimCards[0]?.id] } },
    );
    expect(shown(marked.data?.markCardsProcessed[0]?.pan)).toBe('ciphertext');
    await intercepted(LIST, 'processor');

    // A value that fails to decrypt is answered null; it stays on the record as sent to the processor.
    const stored = await api.gql<{ creditCard: { pan: string } }>(ONE, { role: 'clerk', variables: { id: ids[3] } });
    await overwritePan(backends, ids[3] as string, tamper(stored.data?.creditCard.pan as string));
    const failed = await intercepted(LIST, 'processor');
    expect(failed.errors?.map((error) => error.extensions?.code)).toEqual(['DECRYPTION_FAILED']);
    await intercepted(LIST, 'support');

    await intercepted(LIST, undefined);
    await intercepted('{ revealEvents(first: 100) { nodes { subject recordIds count } } }', 'auditor');

    expect(seen.requests).toBe(17);
    // Revealing: processor list ×3 (+1 after processing, +1 with a failure), support list ×2, the two single reads, aliases, claim.
    expect(seen.revealing).toBe(9);
    expect(seen.values).toBeGreaterThan(20);
    expect(seen.ciphertexts).toBeGreaterThan(10);
    expect(seen.requestIds.size).toBe(seen.revealing);
  });
});
