import type { DemoAnswer, DemoClient } from './demo-client.ts';

const CREATE = `mutation CreateCard($input: CreditCardInput!) {
  createCreditCard(input: $input) { id name pan panKeyVersion status }
}`;
const LIST = `query ListCards {
  creditCards(first: 100) { nodes { id name pan panKeyVersion status } }
}`;
const ROTATE = `mutation RotateKey {
  rotateKey(name: "card-pan") { name latestVersion }
}`;
const CLAIM = `mutation ClaimCards {
  claimCards(limit: 100, leaseSeconds: 60) { id name pan }
}`;
const MARK_PROCESSED = `mutation MarkProcessed($ids: [ID!]!) {
  markCardsProcessed(ids: $ids) { id name status }
}`;

export const DEMO_CARDS = [
  { name: 'Carlos Gardel', pan: '4539 2966 2013 1157' },
  { name: 'Aníbal Troilo', pan: '2720 9971 3088 7021' },
  { name: 'Astor Piazzolla', pan: '4111 1111 1111 1111' },
] as const;

export interface WalkthroughOptions {
  send: DemoClient;
  print: (text: string) => void;
  /** Runs the card processor once; the default makes the processor's two calls itself (claim, mark processed). */
  runProcessorOnce?: () => Promise<void>;
  /**
   * Rotates the key outside the API (the transit CLI on key-admin credentials), for when the API's own
   * least-privilege transit credentials may not rotate; without it that step is explained and skipped.
   */
  rotateWithKeyAdmin?: () => Promise<void>;
}

/** What to do when the API's transit credentials may not rotate; printed by the demo. */
export const ROTATE_REFUSED_HINT =
  'the API runs on least-privilege transit credentials (the transitql-api AppRole), which may not rotate keys. ' +
  'Pass the key-admin pair that `npm run transit -- setup --out creds.json` wrote: ' +
  '`npm run demo -- --key-admin-credentials creds.json`, or run `npm run transit -- rotate card-pan` with ' +
  'VAULT_ROLE_ID/VAULT_SECRET_ID of transitql-key-admin yourself.';

/**
 * The original walkthrough: two cards created as clerk, listed as clerk (ciphertext), the key
 * rotated, a third card created (v2), all listed as processor (plaintext), the processor run once.
 * Throws at the first answer that carries errors.
 */
export async function runWalkthrough({
  send,
  print,
  runProcessorOnce,
  rotateWithKeyAdmin,
}: WalkthroughOptions): Promise<void> {
  let step = 0;
  const request = async (
    title: string,
    role: string,
    query: string,
    variables?: Record<string, unknown>,
    tolerate: (answer: DemoAnswer) => boolean = () => false,
  ) => {
    step += 1;
    print(`\n── ${step}. ${title} (as ${role})`);
    print(query);
    if (variables !== undefined) print(`variables: ${JSON.stringify(variables)}`);
    const answer = await send(role, query, variables);
    print(`→ ${JSON.stringify(answer, null, 2)}`);
    if (answer.errors !== undefined && !tolerate(answer)) {
      throw new Error(`step ${step} failed: ${answer.errors[0]?.message}`);
    }
    return answer;
  };

  for (const card of DEMO_CARDS.slice(0, 2)) {
    await request(`create ${card.name}'s card: the PAN is stored as vault:vN: ciphertext`, 'clerk', CREATE, {
      input: card,
    });
  }
  await request('list the cards: a clerk reads ciphertext', 'clerk', LIST);
  const rotation = await request(
    'rotate the PAN key: new values use the new version, older values stay readable',
    'key-admin',
    ROTATE,
    undefined,
    transitRefusedRotation,
  );
  if (rotation.errors !== undefined) {
    if (rotateWithKeyAdmin === undefined) {
      print(`(rotation skipped: ${ROTATE_REFUSED_HINT})`);
    } else {
      print('(the API may not rotate on its least-privilege credentials; rotating with the key-admin AppRole instead)');
      await rotateWithKeyAdmin();
    }
  }
  await request(`create ${DEMO_CARDS[2].name}'s card: under the latest key version`, 'clerk', CREATE, {
    input: DEMO_CARDS[2],
  });
  await request('list the cards: the processor reads v1 and v2 values in the clear', 'processor', LIST);

  step += 1;
  print(`\n── ${step}. run the card processor once`);
  if (runProcessorOnce !== undefined) {
    await runProcessorOnce();
    return;
  }
  const claimed = await request('claim the pending cards, decrypted', 'processor', CLAIM);
  const ids = ((claimed.data?.claimCards ?? []) as Array<{ id: string }>).map((card) => card.id);
  await request('mark them processed', 'processor', MARK_PROCESSED, { ids });
}

/** The caller holds key-admin, so a FORBIDDEN here is the API's transit credentials being refused the rotation. */
function transitRefusedRotation(answer: DemoAnswer): boolean {
  return answer.errors?.length === 1 && answer.errors[0]?.extensions?.code === 'FORBIDDEN';
}
