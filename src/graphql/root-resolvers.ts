import { DateTimeScalar } from './date-time.ts';
import type { Resolvers } from './generated/resolvers-types.ts';

export const rootResolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    health: () => 'ok',
    me: (_, __, { authentication }) =>
      authentication.status === 'authenticated'
        ? { subject: authentication.principal.subject, roles: [...authentication.principal.roles] }
        : null,
  },
};
