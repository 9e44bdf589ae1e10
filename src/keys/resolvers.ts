import { type Context, subjectOf } from '../context.ts';
import { type AdminAction, recordedAdminAction, recorderOn } from '../field-encryption/index.ts';
import type { Resolvers } from '../graphql/generated/resolvers-types.ts';

/** Who called, for the administrative entry the mutation leaves on the reveal record. */
function adminCall(context: Context, action: AdminAction, key: string) {
  return {
    action,
    key,
    subject: subjectOf(context.authentication),
    via: 'graphql' as const,
    requestId: context.requestId,
    ...(context.clientAddress === undefined ? {} : { clientAddress: context.clientAddress }),
  };
}

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
    rotateKey: (_, { name }, context) =>
      recordedAdminAction(
        recorderOn(context.revealLedger),
        adminCall(context, 'key.rotate', name),
        () => context.keyAdmin.rotate(name),
        (key) => ({ outcome: 'succeeded', details: { latestVersion: key.latestVersion } }),
      ),
    rewrapKey: (_, { name }, context) =>
      recordedAdminAction(
        recorderOn(context.revealLedger),
        adminCall(context, 'key.rewrap', name),
        () => context.keyAdmin.rewrap(name),
        ({ seconds: _, ...summary }) => ({ outcome: summary.failed === 0 ? 'succeeded' : 'failed', details: summary }),
      ),
  },
};
