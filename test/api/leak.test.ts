import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { type GraphQLResponse, startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';
import { CREATE_CARD, CREATE_CARDS, dumpCards, overwritePan, PANS, tamper } from '../support/cards.ts';

const WALKTHROUGH_PANS = [PANS.carlos, PANS.anibal];
const REFUSED_PANS = ['4539296620131158', '4539abcd20131157', '45392966201', '45392966201311571234'];

/** The PAN as typed, digits only, and the base64 of each: every form the tests search for. */
function forms(pan: string): string[] {
  const digits = pan.replace(/\D/g, '');
  return [...new Set([pan, digits])].flatMap((form) => [form, Buffer.from(form).toString('base64')]);
}

describe.each(backendSets())('no PAN leaks into logs, error bodies or the database [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;
  const logLines: string[] = [];
  /** Every answer's errors, and the whole body of every answer to a caller who may not read PANs. */
  const bodies: string[] = [];

  const call = async (query: string, options: Parameters<TestApi['gql']>[1] = {}): Promise<GraphQLResponse> => {
    const answer = await api.gql(query, options);
    bodies.push(JSON.stringify(options.role === 'processor' ? (answer.errors ?? []) : answer));
    return answer;
  };

  beforeAll(async () => {
    backends = await set.open();
    api = await startTestApi(backends, createLogger('debug', { write: (line: string) => void logLines.push(line) }));
  });
  afterAll(async () => {
    await api?.close();
    await backends?.close();
  });

  it('after the walkthrough and the bad-input cases, no form of any PAN is found', async () => {
    // The walkthrough.
    const carlos = await call(CREATE_CARD, {
      role: 'clerk',
      variables: { input: { name: 'Carlos Gardel', pan: PANS.carlos } },
    });
    expect(carlos.errors).toBeUndefined();
    await call('{ creditCards { nodes { name pan } } }', { role: 'clerk' });
    await call('mutation { rotateKey(name: "card-pan") { latestVersion } }', { role: 'key-admin' });
    await call(`mutation { createCreditCard(input: { name: "Aníbal Troilo", pan: "2720 9971 3088 7021" }) { pan } }`, {
      role: 'clerk',
    });
    const asProcessor = await call('{ creditCards { nodes { id name pan } } }', { role: 'processor' });
    const processorBody = JSON.stringify(asProcessor);
    for (const pan of WALKTHROUGH_PANS) expect(processorBody, 'the search finds what is there').toContain(pan);
    await call('{ creditCards { nodes { pan } } }', { role: 'support' });

    // Bad input: tokens, roles, invalid PANs as variables, literals and in bulk, limits.
    const forged = await new SignJWT({ roles: ['clerk'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode('not-the-secret-not-the-secret-not-the-secret'));
    await call(CREATE_CARD, { variables: { input: { name: 'No token', pan: PANS.carlos } } });
    await call(CREATE_CARD, { token: forged, variables: { input: { name: 'Forged', pan: PANS.carlos } } });
    await call(CREATE_CARD, { role: 'support', variables: { input: { name: 'Forbidden', pan: PANS.carlos } } });
    for (const pan of REFUSED_PANS) {
      await call(CREATE_CARD, { role: 'clerk', variables: { input: { name: 'Bad', pan } } });
      await call(`mutation { createCreditCard(input: { name: "Bad", pan: "${pan}" }) { id } }`, { role: 'clerk' });
      await call(CREATE_CARDS, {
        role: 'clerk',
        variables: {
          inputs: [
            { name: 'Good', pan: PANS.carlos },
            { name: 'Bad', pan },
          ],
        },
      });
    }
    await call(CREATE_CARD, { role: 'clerk', variables: { input: { name: 'Number', pan: Number(PANS.carlos) } } });
    await call(CREATE_CARD, {
      role: 'clerk',
      variables: { input: { name: 'Carlos Gardel', pan: { n: PANS.carlos } } },
    });
    await call('{ creditCards(first: 100000) { nodes { pan } } }', { role: 'processor' });
    await call('{ creditCards(after: "nope") { nodes { pan } } }', { role: 'processor' });

    // One undecryptable row, read by the processor: the error must not carry the other rows' PANs.
    const [first] = (asProcessor.data as { creditCards: { nodes: Array<{ id: string }> } }).creditCards.nodes;
    const stored = await api.gql<{ creditCard: { pan: string } }>(`{ creditCard(id: "${first?.id}") { pan } }`, {
      role: 'clerk',
    });
    await overwritePan(backends, first?.id ?? '', tamper(stored.data?.creditCard.pan ?? ''));
    const broken = await call('{ creditCards { nodes { name pan } } }', { role: 'processor' });
    expect(broken.errors?.[0]?.extensions?.code).toBe('DECRYPTION_FAILED');

    const logs = logLines.join('');
    expect(logLines.length, 'the logger captured the operations').toBeGreaterThan(20);
    expect(logs).toContain('graphql operation');
    const errorBodies = bodies.join('\n');
    expect(errorBodies).toContain('BAD_USER_INPUT');
    const dump = await dumpCards(backends);
    expect(dump).toContain('vault:v2:');

    const hits = [...WALKTHROUGH_PANS, ...REFUSED_PANS].flatMap((pan) =>
      forms(pan).flatMap((form) =>
        [
          ['logs', logs],
          ['error bodies', errorBodies],
          ['database', dump],
        ]
          .filter(([, text]) => text?.includes(form))
          .map(([where]) => `${form} in ${where}`),
      ),
    );
    expect(hits).toEqual([]);
  });
});
