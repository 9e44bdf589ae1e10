import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withCheckDigit } from '../../src/cards/pan.ts';
import { creditCards } from '../../src/db/schema.ts';
import { createGraphQLClient } from '../../src/processor/api-client.ts';
import { CardApi } from '../../src/processor/card-api.ts';
import { runProcessor } from '../../src/processor/run-processor.ts';
import { startProcessor } from '../processor/processor-process.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { capturedLogger } from '../support/captured-logs.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { dumpDatabase } from './support/database-dump.ts';
import { asciiDigits, SEPARATORS, writeDigits } from './support/disguised-pans.ts';

/** Valid card numbers that appear nowhere else; any sighting outside a processor's data is a leak. */
const CANARIES = [
  '400013371337001',
  '510013371337002',
  '371337133700003',
  '601113371337004',
  '353013371337005',
  '222113371337006',
].map(withCheckDigit);
const [STORED, SPACED, BULK_A, BULK_B, LATE, FAILING] = CANARIES as [string, string, string, string, string, string];
/** Near-canaries sent only in rejected requests. */
const LUHN_FAILED = `${STORED.slice(0, -1)}${(Number(STORED.at(-1)) + 1) % 10}`;
const SEARCHED = [...CANARIES, LUHN_FAILED];

const CREATE = 'mutation ($input: CreditCardInput!) { createCreditCard(input: $input) { id pan } }';
const BULK = 'mutation ($inputs: [CreditCardInput!]!) { createCreditCards(inputs: $inputs) { id pan } }';
const LIST = '{ creditCards(first: 100) { nodes { id name pan } } }';

function forms(pan: string): string[] {
  const spaced = pan.replace(/(\d{4})(?=\d)/g, '$1 ');
  return [pan, spaced, Buffer.from(pan).toString('base64'), Buffer.from(pan).toString('base64url')];
}

/** Card numbers written in other scripts or broken up by separators: NFKC, other digit classes as ASCII, digits only. */
function digitsOnly(haystack: string): string {
  return asciiDigits(haystack.normalize('NFKC')).replace(/[^0-9]/g, '');
}

function hits(haystack: string): string[] {
  const digits = digitsOnly(haystack);
  return SEARCHED.flatMap((pan) => [
    ...forms(pan).filter((form) => haystack.includes(form)),
    ...(digits.includes(pan) ? [`${pan} (digits only)`] : []),
  ]);
}

/** The canary broken up by each separator in turn, in full-width and Arabic-Indic digits too. */
function disguises(pan: string): string[] {
  const spaced = (text: string, separator: string) => [...text].join(separator);
  return [
    ...SEPARATORS.filter(Boolean).map((separator) => spaced(pan, separator)),
    spaced(writeDigits(pan, 'fullWidth'), '\u200b'),
    spaced(writeDigits(pan, 'arabicIndic'), '.'),
    spaced(writeDigits(pan, 'mathematicalBold'), '\u00b7'),
  ];
}

describe.each(backendSets())('leak canaries [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;
  let proxy: TcpProxy | undefined;
  const { logger, lines: logs } = capturedLogger('trace');
  const errorBodies: string[] = [];
  let processorOutput = '';

  beforeAll(async () => {
    const real = inject('realBackends');
    if (set.name === 'postgres+openbao' && real !== null) {
      const target = new URL(real.vaultAddr);
      proxy = new TcpProxy({ host: target.hostname, port: Number(target.port) });
      await proxy.start();
    }
    backends = await set.open(
      proxy === undefined ? {} : { VAULT_ADDR: proxy.url, VAULT_RETRIES: '0', VAULT_TIMEOUT_MS: '1000' },
    );
    api = await startTestApi(backends, logger);
  });
  afterAll(async () => {
    await api?.close();
    await backends?.close();
    await proxy?.stop();
  });

  /** Sends a request and keeps its errors (the whole body when it failed outright). */
  async function send(query: string, options: Parameters<TestApi['gql']>[1] = {}) {
    const response = await api.gql(query, options);
    if (response.errors !== undefined) errorBodies.push(JSON.stringify(response.errors));
    return response;
  }

  it('stores canaries through create (variables and inline literal) and bulk create', async () => {
    const single = await send(CREATE, { role: 'clerk', variables: { input: { name: 'Canary One', pan: STORED } } });
    expect(single.errors).toBeUndefined();
    const spaced = SPACED.replace(/(\d{4})(?=\d)/g, '$1 ');
    const inline = await send(
      `mutation { createCreditCard(input: { name: "Canary Two", pan: "${spaced}" }) { id pan } }`,
      {
        role: 'clerk',
      },
    );
    expect(inline.errors).toBeUndefined();
    const bulk = await send(BULK, {
      role: 'clerk',
      variables: { inputs: [BULK_A, BULK_B].map((pan, index) => ({ name: `Canary Bulk ${index}`, pan })) },
    });
    expect(bulk.errors).toBeUndefined();
  });

  it('refuses canaries in bad inputs without echoing them', async () => {
    const rejected = [
      send(CREATE, { role: 'clerk', variables: { input: { name: 'Bad Luhn', pan: LUHN_FAILED } } }),
      send(CREATE, { role: 'clerk', variables: { input: { name: 'Letters', pan: `${STORED}x` } } }),
      send(CREATE, { role: 'clerk', variables: { input: { name: 'Number', pan: Number(STORED) } } }),
      send(`mutation { createCreditCard(input: { name: "Int literal", pan: ${STORED} }) { id } }`, { role: 'clerk' }),
      send(`mutation { createCreditCard(input: { name: "Bad literal", pan: "${LUHN_FAILED}" }) { id } }`, {
        role: 'clerk',
      }),
      send(`mutation { createCreditCard(input: { name: "x", pan: "${STORED}", cvv: ${STORED} }) { id } }`, {
        role: 'clerk',
      }),
      send(`{ creditCards(first: ${STORED}) { nodes { id } } }`, { role: 'clerk' }),
      send('query ($after: String) { creditCards(after: $after) { nodes { id } } }', {
        role: 'clerk',
        variables: { after: STORED },
      }),
      send('query ($s: CardStatus) { creditCards(status: $s) { nodes { id } } }', {
        role: 'clerk',
        variables: { s: STORED },
      }),
      send(`{ creditCard(id: "${STORED}") { id } }`, { role: 'clerk' }),
      send(`mutation { markCardsProcessed(ids: ["${STORED}"]) { id } }`, { role: 'processor' }),
      send(CREATE, { role: 'processor', variables: { input: { name: 'Wrong role', pan: LATE } } }),
      send(CREATE, { variables: { input: { name: 'No token', pan: LATE } } }),
      send(CREATE, { token: `${STORED}.${STORED}.${STORED}`, variables: { input: { name: 'Bad token', pan: LATE } } }),
      send(`{ ${STORED} }`, { role: 'clerk' }),
      send(`mutation { createCreditCard(input: { name: "unterminated", pan: "${STORED}) { id } }`, { role: 'clerk' }),
      send(BULK, {
        role: 'clerk',
        variables: {
          inputs: [
            { name: 'Good', pan: LATE },
            { name: 'Bad', pan: LUHN_FAILED },
          ],
        },
      }),
      send(BULK, { role: 'clerk', variables: { inputs: [{ name: 'NUL\u0000', pan: LATE }] } }),
    ];
    for (const response of await Promise.all(rejected)) {
      expect(response.errors?.length ?? 0).toBeGreaterThan(0);
    }
  });

  it('refuses canaries in the names a client chooses (operation, alias, fragment, variable) and records none', async () => {
    const underscored = `_${STORED.replace(/(\d{4})(?=\d)/g, '$1_')}`;
    const token = await api.token('support');
    for (const name of [`P${STORED}`, underscored]) {
      const documents = [
        `query ${name} { creditCards(first: 5) { nodes { id name pan } } }`,
        `query { ${name}: creditCards(first: 5) { nodes { id pan } } }`,
        `query { creditCards(first: 5) { ...${name} } } fragment ${name} on CreditCardConnection { nodes { id pan } }`,
        `query ($${name}: Int) { creditCards(first: $${name}) { nodes { id pan } } }`,
      ];
      for (const query of documents) {
        const response = await send(query, { token });
        expect(
          response.errors?.map((error) => error.extensions?.code),
          query,
        ).toEqual(['BAD_USER_INPUT']);
      }
    }
    // Other validation messages quote names too ("Variable "$…" is never used"); and a body's operationName
    // that names no operation of the document is quoted by the resolution error.
    const unused = await send(`query ($${underscored}: Int) { health }`, { token });
    expect(unused.errors?.map((error) => error.extensions?.code)).toContain('BAD_USER_INPUT');
    const response = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ creditCards(first: 5) { nodes { id pan } } }', operationName: `P${STORED}` }),
    });
    const unknown = (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
    errorBodies.push(JSON.stringify(unknown.errors));
    expect(response.status).toBeLessThan(500);
    expect(unknown.errors?.map((error) => error.extensions?.code)).toEqual(['OPERATION_RESOLUTION_FAILURE']);
    const record = await send('{ revealEvents(first: 1000) { nodes { subject operation field count } } }', {
      role: 'auditor',
    });
    expect(record.errors).toBeUndefined();
    expect(hits(JSON.stringify(record)), 'the reveal record as the auditor reads it').toEqual([]);
  });

  it('keeps canaries out of decryption failures: a retired key version and tampered ciphertext', async () => {
    await send('mutation { rotateKey(name: "card-pan") { latestVersion } }', { role: 'key-admin' });
    const late = await send(CREATE, { role: 'clerk', variables: { input: { name: 'Canary Late', pan: LATE } } });
    const lateId = (late.data as { createCreditCard: { id: string } }).createCreditCard.id;
    await backends.transit.configureKey('card-pan', { minDecryptionVersion: 2 });
    const [first] = await backends.database.db.select().from(creditCards).where(eq(creditCards.name, 'Canary One'));
    await backends.database.db
      .update(creditCards)
      .set({ pan: `vault:v2:${Buffer.alloc(40, 7).toString('base64')}` })
      .where(eq(creditCards.id, first?.id ?? ''));

    const asProcessor = await send(LIST, { role: 'processor' });
    const codes = asProcessor.errors?.map((error) => error.extensions?.code);
    expect(codes).toEqual(Array(4).fill('DECRYPTION_FAILED'));
    const nodes = (asProcessor.data as { creditCards: { nodes: Array<{ id: string; pan: string | null }> } })
      .creditCards.nodes;
    expect(nodes.find((node) => node.id === lateId)?.pan).toBe(LATE);
    await backends.transit.configureKey('card-pan', { minDecryptionVersion: 1 });
  });

  it.runIf(set.name === 'postgres+openbao')('keeps canaries out of ENCRYPTION_UNAVAILABLE answers', async () => {
    await proxy?.stop();
    try {
      const down = await send(CREATE, { role: 'clerk', variables: { input: { name: 'Down', pan: LATE } } });
      expect(down.errors?.map((error) => error.extensions?.code)).toEqual(['ENCRYPTION_UNAVAILABLE']);
      proxy?.setMode({ kind: 'reset' });
    } finally {
      await proxy?.start();
    }
    const reset = await send(BULK, { role: 'clerk', variables: { inputs: [{ name: 'Reset', pan: LATE }] } });
    expect(reset.errors?.map((error) => error.extensions?.code)).toEqual(['ENCRYPTION_UNAVAILABLE']);
    proxy?.setMode({ kind: 'pass' });
  });

  it('runs the card processor over the canaries, which prints masked numbers only', async () => {
    const run = startProcessor(['--once'], {
      PROCESSOR_API_URL: api.url,
      PROCESSOR_TOKEN: await api.token('processor'),
    });
    const { code, stdout, stderr } = await run.exited;
    processorOutput = `${stdout}\n${stderr}`;
    // Canary One was tampered with above: it fails (exit 1) and stays pending; the others are processed.
    expect(code).toBe(1);
    expect(stdout).toMatch(/^Processing CANARY BULK 1 card with number \d{6}\*+\d{4}$/m);
    expect(stdout).toMatch(/processed \d+, failed 1, skipped 0/);
  });

  it('refuses canaries disguised in names and failure messages, and stores a failure that names the card masked', async () => {
    const created = await send(CREATE, {
      role: 'clerk',
      variables: { input: { name: 'Canary Failing', pan: FAILING } },
    });
    const failingId = (created.data as { createCreditCard: { id: string } }).createCreditCard.id;
    const processorToken = await api.token('processor');
    for (const disguise of disguises(LATE)) {
      const name = await send(CREATE, {
        role: 'clerk',
        variables: { input: { name: `Carlos ${disguise} Gardel`, pan: LATE } },
      });
      expect(
        name.errors?.map((error) => error.extensions?.code),
        disguise,
      ).toEqual(['BAD_USER_INPUT']);
      const failure = await send(
        'mutation ($ids: [ID!]!, $error: String!) { markCardsFailed(ids: $ids, error: $error) { id } }',
        { token: processorToken, variables: { ids: [failingId], error: `declined ${disguise}` } },
      );
      expect(
        failure.errors?.map((error) => error.extensions?.code),
        disguise,
      ).toEqual(['BAD_USER_INPUT']);
    }
    const summary = await runProcessor({
      cards: new CardApi(createGraphQLClient(api.url, processorToken)),
      process: (card) => {
        if (card.pan !== FAILING) return;
        throw new Error(`gateway refused ${disguises(card.pan).join(' or ')}`);
      },
      batchSize: 10,
      leaseSeconds: 60,
      failure: { retryAfterSeconds: 3600, maxAttempts: 5 },
      once: true,
      pollIntervalMs: 10,
      signal: new AbortController().signal,
      warn: (message) => {
        processorOutput += `\n${message}`;
      },
    });
    expect(summary.failed).toBeGreaterThanOrEqual(1);
    const read = await send('query ($id: ID!) { creditCard(id: $id) { name lastError } }', {
      role: 'support',
      variables: { id: failingId },
    });
    const card = (read.data as { creditCard: { name: string; lastError: string } }).creditCard;
    expect(card.lastError).toContain(
      `processing failed: gateway refused ${FAILING.slice(0, 6)}******${FAILING.slice(-4)}`,
    );
    expect(hits(JSON.stringify(read)), 'lastError and name as clerks and support read them').toEqual([]);
  });

  it('keeps canaries out of blind-index lookups, duplicate refusals and the index column', async () => {
    const LOOKUP = 'query ($pan: PAN!) { creditCardsByPan(pan: $pan) { id name pan } }';
    const dashed = (pan: string) => pan.replace(/(\d{4})(?=\d)/g, '$1-');
    const found = await send(LOOKUP, { role: 'clerk', variables: { pan: dashed(BULK_A) } });
    expect((found.data as { creditCardsByPan: Array<{ name: string }> }).creditCardsByPan.map((c) => c.name)).toEqual([
      'Canary Bulk 0',
    ]);
    // Processed by now, so the processor's need-to-know policy answers ciphertext; support reads it masked.
    const revealed = await send(LOOKUP, { role: 'support', variables: { pan: BULK_B } });
    expect((revealed.data as { creditCardsByPan: Array<{ pan: string }> }).creditCardsByPan.map((c) => c.pan)).toEqual([
      `${'*'.repeat(BULK_B.length - 4)}${BULK_B.slice(-4)}`,
    ]);
    const invalid = await send(LOOKUP, { role: 'clerk', variables: { pan: LUHN_FAILED } });
    expect(invalid.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    const literal = await send(`{ creditCardsByPan(pan: "${dashed(LUHN_FAILED)}") { id } }`, { role: 'clerk' });
    expect(literal.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    const duplicate = await send(
      'mutation ($input: CreditCardInput!) { createCreditCard(input: $input, onDuplicate: REJECT) { id } }',
      { role: 'clerk', variables: { input: { name: 'Canary Again', pan: dashed(BULK_A) } } },
    );
    expect(duplicate.errors?.map((error) => error.extensions?.code)).toEqual(['DUPLICATE']);
    const indexes = await backends.database.db.select({ index: creditCards.panIndex }).from(creditCards);
    expect(indexes.every((row) => row.index?.startsWith('vault:v1:'))).toBe(true);
    for (const { index } of indexes) {
      const payload = Buffer.from(index?.split(':')[2] ?? '', 'base64');
      expect(hits([index, payload.toString('hex'), payload.toString('latin1')].join(' '))).toEqual([]);
      expect(SEARCHED.filter((pan) => payload.toString('hex').includes(Buffer.from(pan).toString('hex')))).toEqual([]);
    }
  });

  it('finds no canary, plain or base64, in the logs, the error bodies, the processor output or a dump of the database', async () => {
    expect(errorBodies.length).toBeGreaterThanOrEqual(19);
    expect(logs.length).toBeGreaterThan(0);
    const dump = await dumpDatabase(backends.database, backends.config.database);
    expect(dump).toContain('Canary Bulk 1');
    const [indexed] = await backends.database.db.select({ index: creditCards.panIndex }).from(creditCards);
    expect(dump, 'the dump holds the blind index').toContain(indexed?.index ?? 'no index');
    expect(
      hits(`a ${Buffer.from(BULK_B).toString('base64')} b`),
      'the search itself finds a planted canary',
    ).not.toEqual([]);
    for (const disguise of disguises(BULK_B)) {
      expect(hits(`x ${disguise} y`), `the search finds ${JSON.stringify(disguise)}`).not.toEqual([]);
    }
    expect({
      logs: hits(logs.join('\n')),
      errors: hits(errorBodies.join('\n')),
      processor: hits(processorOutput),
      dump: hits(dump),
    }).toEqual({ logs: [], errors: [], processor: [], dump: [] });
    console.log(
      `[canaries ${set.name}] ${SEARCHED.length} canaries x 4 forms and their digits in any script or spacing searched in ${logs.length} log lines, ${errorBodies.length} error bodies, the processor's output, ${dump.length} bytes of dump: 0 hits`,
    );
  });

  it('stores every PAN as transit ciphertext', async () => {
    const rows = await backends.database.db.select({ pan: creditCards.pan }).from(creditCards);
    expect(rows).toHaveLength(6);
    for (const row of rows) expect(row.pan).toMatch(/^vault:v\d+:/);
    const [{ count } = { count: -1 }] = await backends.database.db
      .select({ count: sql<number>`count(*)::int` })
      .from(creditCards)
      .where(sql`${creditCards.pan} !~ '^vault:v[0-9]+:'`);
    expect(count).toBe(0);
  });
});
