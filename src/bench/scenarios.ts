/** How big each scenario is: the full run the README reports, or a quick one that keeps CI honest. */
export interface BenchSizes {
  /** Cards listed per round in scenario 1, `pageSize` at a time. */
  listCards: number;
  pageSize: number;
  /** Rounds of each list; clerk and processor rounds alternate so that machine load hits both alike. */
  listRounds: number;
  /** Cards per bulk create request, and how many such requests. */
  bulkSize: number;
  bulkRequests: number;
  /** Concurrent clients creating one card per request, and requests per client. */
  concurrentClients: number;
  createsPerClient: number;
  /** Cards listed decrypted in one page, batched and naive (scenario 3), and how many such requests. */
  naiveCards: number;
  naiveRequests: number;
  /** Cards paged through decrypted while the API's peak RSS is watched (scenario 4). */
  pagingCards: number;
  /** Cards found one at a time among all stored, by id and by number (blind index). */
  lookups: number;
}

export const FULL_SIZES: BenchSizes = {
  listCards: 10_000,
  pageSize: 1000,
  listRounds: 3,
  bulkSize: 1000,
  bulkRequests: 5,
  concurrentClients: 50,
  createsPerClient: 20,
  naiveCards: 1000,
  naiveRequests: 10,
  pagingCards: 100_000,
  lookups: 300,
};

export const QUICK_SIZES: BenchSizes = {
  listCards: 200,
  pageSize: 50,
  listRounds: 2,
  bulkSize: 50,
  bulkRequests: 2,
  concurrentClients: 10,
  createsPerClient: 3,
  naiveCards: 50,
  naiveRequests: 2,
  pagingCards: 500,
  lookups: 20,
};

/** The transit key of `pan` (schema/cards.graphql), bound to the card's id: what the floor decrypts with. */
export const PAN_KEY = 'card-pan';

export const LIST_PAGE = `query Page($first: Int!, $after: String) {
  creditCards(first: $first, after: $after) { nodes { id name pan } pageInfo { endCursor hasNextPage } }
}`;

export const CREATE_ONE = `mutation One($input: CreditCardInput!) { createCreditCard(input: $input) { id pan } }`;

export const CREATE_MANY = `mutation Many($inputs: [CreditCardInput!]!) { createCreditCards(inputs: $inputs) { id } }`;

export interface Page {
  creditCards: { nodes: Array<{ id: string; pan: string | null }>; pageInfo: { endCursor: string | null } };
}
