import { ADMIN_MASK, EXISTENCE_MASK } from '../field-encryption/index.ts';
import { badUserInput } from '../graphql/errors.ts';
import type { Resolvers } from '../graphql/generated/resolvers-types.ts';

const DEFAULT_PAGE_SIZE = 50;

function encodeCursor(seq: number): string {
  return Buffer.from(`reveal:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^reveal:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (match?.[1] === undefined) throw badUserInput('after is not a cursor this API issued');
  return Number(match[1]);
}

export const auditResolvers: Resolvers = {
  RevealEvent: {
    seq: (event) => String(event.seq),
    kind: (event) => (event.mask === EXISTENCE_MASK ? 'EXISTENCE' : event.mask === ADMIN_MASK ? 'ADMIN' : 'VALUE'),
    mask: (event) =>
      event.mask === EXISTENCE_MASK || event.mask === ADMIN_MASK
        ? null
        : (event.mask as 'NONE' | 'LAST4' | 'FIRST6_LAST4'),
  },
  Query: {
    revealEvents: async (_, { first, after, subject, recordId, since }, { revealLedger, limits }) => {
      const size = first ?? Math.min(DEFAULT_PAGE_SIZE, limits.maxPageSize);
      if (size < 1 || size > limits.maxPageSize)
        throw badUserInput(`first must be between 1 and ${limits.maxPageSize}`);
      const rows = await revealLedger.list({
        limit: size + 1,
        afterSeq: after == null ? undefined : decodeCursor(after),
        subject: subject ?? undefined,
        recordId: recordId ?? undefined,
        since: since ?? undefined,
      });
      const nodes = rows.slice(0, size);
      const last = nodes.at(-1);
      return {
        nodes,
        pageInfo: { endCursor: last === undefined ? null : encodeCursor(last.seq), hasNextPage: rows.length > size },
      };
    },
  },
};
