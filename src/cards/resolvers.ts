import { badUserInput } from '../graphql/errors.ts';
import type { Resolvers } from '../graphql/generated/resolvers-types.ts';
import { requireId, requireIds } from '../graphql/ids.ts';
import { requireCardNames } from './card-name.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { PanScalar } from './pan.ts';

export const cardResolvers: Resolvers = {
  PAN: PanScalar,
  Query: {
    creditCards: async (_, { first, after, status }, { cards, limits }) => {
      const size = first ?? 50;
      if (size < 1 || size > limits.maxPageSize)
        throw badUserInput(`first must be between 1 and ${limits.maxPageSize}`);
      const page = await cards.list({
        first: size,
        ...(after == null ? {} : { afterSeq: decodeCursor(after) }),
        ...(status == null ? {} : { status }),
      });
      const last = page.cards.at(-1);
      return {
        nodes: page.cards,
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: last === undefined ? null : encodeCursor(last.seq) },
      };
    },
    creditCard: async (_, { id }, { cards }) => (await cards.findById(requireId(id))) ?? null,
  },
  Mutation: {
    createCreditCard: async (_, { input }, { cards }) => {
      requireCardNames([input.name]);
      const [card] = await cards.createMany([input]);
      if (card === undefined) throw new Error('insert returned no row');
      return card;
    },
    createCreditCards: async (_, { inputs }, { cards }) => {
      requireCardNames(inputs.map((input) => input.name));
      return cards.createMany(inputs);
    },
    markCardsProcessed: (_, { ids }, { cards }) => cards.markProcessed(requireIds(ids)),
  },
};
