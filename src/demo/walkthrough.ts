import type { DemoClient } from './demo-client.ts';

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
}

/**
 * The original walkthrough: two cards created as clerk, listed as clerk (ciphertext), the key
 * rotated, a third card created (v2), all listed as processor (plaintext), the processor run once.
 * Throws at the first answer that carries errors.
 */
export async function runWalkthrough({ send, print, runProcessorOnce }: WalkthroughOptions): Promise<void> {
  let step = 0;
  const request = async (title: string, role: string, query: string, variables?: Record<string, unknown>) => {
    step += 1;
    print(`\n── ${step}. ${title} (as ${role})`);
    print(query);
    if (variables !== undefined) print(`variables: ${JSON.stringify(variables)}`);
    const answer = await send(role, query, variables);
    print(`→ ${JSON.stringify(answer, null, 2)}`);
    if (answer.errors !== undefined) throw new Error(`step ${step} failed: ${answer.errors[0]?.message}`);
    return answer;
  };

  for (const card of DEMO_CARDS.slice(0, 2)) {
    await request(`create ${card.name}'s card: the PAN is stored as vault:vN: ciphertext`, 'clerk', CREATE, {
      input: card,
    });
  }
  await request('list the cards: a clerk reads ciphertext', 'clerk', LIST);
  await request('rotate the PAN key: new values use v2, v1 values stay readable', 'key-admin', ROTATE);
  await request(`create ${DEMO_CARDS[2].name}'s card: under the new key version`, 'clerk', CREATE, {
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
