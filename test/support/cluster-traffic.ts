import type { TestApi } from './api.ts';
import { CREATE_CARD } from './cards.ts';
import { panFor } from './luhn-pans.ts';

export interface CreateOutcome {
  ok: boolean;
  id?: string;
  pan: string;
  code?: string;
  reason?: string;
}

/** Creates one card as clerk; answers its id, or the error code the client saw. */
export async function createCard(api: TestApi, n: number, token: string): Promise<CreateOutcome> {
  const pan = panFor(n);
  const answer = await api.gql<{ createCreditCard: { id: string } | null }>(CREATE_CARD, {
    variables: { input: { name: `Cardholder ${n}`, pan } },
    token,
  });
  const id = answer.data?.createCreditCard?.id;
  if (id !== undefined && answer.errors === undefined) return { ok: true, id, pan };
  const extensions = answer.errors?.[0]?.extensions;
  return { ok: false, pan, code: String(extensions?.code), reason: String(extensions?.reason) };
}

/** Every card as `role` sees it, paged through; errors of any page are returned alongside. */
export async function listCards(
  api: TestApi,
  token: string,
): Promise<{ cards: Array<{ id: string; pan: string | null }>; errors: unknown[] }> {
  const cards: Array<{ id: string; pan: string | null }> = [];
  const errors: unknown[] = [];
  let after: string | null = null;
  for (;;) {
    const answer: Awaited<ReturnType<typeof api.gql<{ creditCards: Page }>>> = await api.gql<{ creditCards: Page }>(
      'query Page($after: String) { creditCards(first: 1000, after: $after) { nodes { id pan } pageInfo { endCursor hasNextPage } } }',
      { variables: { after }, token },
    );
    if (answer.errors !== undefined) errors.push(...answer.errors);
    const page = answer.data?.creditCards;
    if (page === undefined) return { cards, errors };
    cards.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return { cards, errors };
    after = page.pageInfo.endCursor;
  }
}

interface Page {
  nodes: Array<{ id: string; pan: string | null }>;
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

export async function readyz(api: TestApi): Promise<{ status: number; body: Record<string, string> }> {
  const response = await fetch(api.url.replace(/\/graphql$/, '/readyz'));
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
