import fs from 'node:fs';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { bulkLimitTransform } from '../cards/bulk-limit.ts';
import { cardResolvers } from '../cards/resolvers.ts';
import { decryptForDirective } from '../directives/decrypt-for.ts';
import { encryptedDirective } from '../directives/encrypted.ts';
import { requireRoleDirective } from '../directives/require-role.ts';
import { keyResolvers } from '../keys/resolvers.ts';
import { PROJECT_ROOT } from '../project-root.ts';
import { describeDirectives } from './describe-directives.ts';
import { rootResolvers } from './root-resolvers.ts';

const schemaDir = path.join(PROJECT_ROOT, 'schema');

/** The SDL files in schema/, directives included. */
function loadTypeDefs(): string[] {
  return fs
    .readdirSync(schemaDir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => fs.readFileSync(path.join(schemaDir, file), 'utf8'));
}

/**
 * SDL + resolvers, then the transforms; each wraps the ones before it, so at run time @requireRole
 * runs first, then the bulk limit, then encryption, then the resolver.
 */
export function buildSchema(): GraphQLSchema {
  const schema = makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers: [rootResolvers, cardResolvers, keyResolvers],
  });
  const transforms = [
    encryptedDirective().transformer,
    bulkLimitTransform,
    decryptForDirective().transformer,
    requireRoleDirective().transformer,
    describeDirectives(),
  ];
  return transforms.reduce((current, transform) => transform(current), schema);
}
