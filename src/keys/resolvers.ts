import type { Resolvers } from '../graphql/generated/resolvers-types.ts';

export const keyResolvers: Resolvers = {
  TransitKey: {
    versions: (key) =>
      Object.entries(key.versions)
        .map(([version, createdAt]) => ({ version: Number(version), createdAt }))
        .sort((a, b) => a.version - b.version),
  },
  Query: {
    transitKey: (_, { name }, { keyAdmin }) => keyAdmin.info(name),
  },
  Mutation: {
    rotateKey: (_, { name }, { keyAdmin }) => keyAdmin.rotate(name),
  },
};
