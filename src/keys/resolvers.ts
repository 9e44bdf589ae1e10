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
    keyVersions: async (_, { key }, { keyAdmin }) =>
      (await keyAdmin.versions(key)).map(({ version, count }) => ({ version, storedValues: count })),
  },
  Mutation: {
    rotateKey: (_, { name }, { keyAdmin }) => keyAdmin.rotate(name),
    rewrapKey: (_, { name }, { keyAdmin }) => keyAdmin.rewrap(name),
  },
};
