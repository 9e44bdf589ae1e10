import type { GraphQLClient } from './api-client.ts';

/** A claimed card as the API hands it to the processor; `panError` says why `pan` could not be read. */
export interface ClaimedCard {
  id: string;
  name: string;
  pan: string | null;
  panError: string | undefined;
}

/** Pending cards no claim can take now (ISO timestamps), as the API counts them. */
export interface WaitingCards {
  leased: number;
  firstLeaseEndsAt: string | null;
  retrying: number;
  firstRetryAt: string | null;
}

export interface FailurePolicy {
  retryAfterSeconds: number;
  maxAttempts: number;
}

const CLAIM = `mutation ClaimCards($limit: Int!, $leaseSeconds: Int!) {
  claimCards(limit: $limit, leaseSeconds: $leaseSeconds) { id name pan }
}`;
const WAITING = `query WaitingCards {
  waitingCards { leased firstLeaseEndsAt retrying firstRetryAt }
}`;
const MARK_PROCESSED = 'mutation MarkCardsProcessed($ids: [ID!]!) { markCardsProcessed(ids: $ids) { id } }';
const RELEASE = 'mutation ReleaseCards($ids: [ID!]!) { releaseCards(ids: $ids) { id } }';
const MARK_FAILED = `mutation MarkCardsFailed($ids: [ID!]!, $error: String!, $retryAfterSeconds: Int!, $maxAttempts: Int!) {
  markCardsFailed(ids: $ids, error: $error, retryAfterSeconds: $retryAfterSeconds, maxAttempts: $maxAttempts) { id }
}`;

/** The card mutations the processor uses; each answers the ids the API actually changed. */
export class CardApi {
  constructor(private readonly gql: GraphQLClient) {}

  async claim(limit: number, leaseSeconds: number): Promise<ClaimedCard[]> {
    const { data, errors } = await this.gql<{ claimCards: Array<Omit<ClaimedCard, 'panError'>> }>(CLAIM, {
      limit,
      leaseSeconds,
    });
    return data.claimCards.map((card, index) => {
      const error = errors.find((candidate) => candidate.path?.[1] === index && candidate.path?.[2] === 'pan');
      const panError = error === undefined ? undefined : `${error.extensions?.code ?? 'ERROR'}: ${error.message}`;
      return { ...card, panError };
    });
  }

  async waiting(): Promise<WaitingCards> {
    const { data } = await this.gql<{ waitingCards: WaitingCards }>(WAITING, {});
    return data.waitingCards;
  }

  async markProcessed(ids: readonly string[]): Promise<Set<string>> {
    const { data } = await this.gql<{ markCardsProcessed: Array<{ id: string }> }>(MARK_PROCESSED, { ids });
    return new Set(data.markCardsProcessed.map((card) => card.id));
  }

  async release(ids: readonly string[]): Promise<Set<string>> {
    const { data } = await this.gql<{ releaseCards: Array<{ id: string }> }>(RELEASE, { ids });
    return new Set(data.releaseCards.map((card) => card.id));
  }

  async markFailed(ids: readonly string[], error: string, policy: FailurePolicy): Promise<Set<string>> {
    const { data } = await this.gql<{ markCardsFailed: Array<{ id: string }> }>(MARK_FAILED, {
      ids,
      error,
      ...policy,
    });
    return new Set(data.markCardsFailed.map((card) => card.id));
  }
}
