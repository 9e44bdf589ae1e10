import fs from 'node:fs';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { auditResolvers } from '../audit/resolvers.ts';
import { cardResolvers } from '../cards/resolvers.ts';
import { cardRevealPolicies } from '../cards/reveal-policies.ts';
import { DEFAULT_MAX_STRING_LENGTH, type Limits } from '../config.ts';
import type { Context } from '../context.ts';
import { maxItemsDirective } from '../directives/max-items.ts';
import { maxLengthDirective } from '../directives/max-length.ts';
import { requireRoleDirective } from '../directives/require-role.ts';
import { fieldEncryptionDirectives } from '../field-encryption/index.ts';
import { keyResolvers } from '../keys/resolvers.ts';
import { PROJECT_ROOT } from '../project-root.ts';
import { describeDirectives } from './describe-directives.ts';
import { freeTextGuardTransform } from './free-text-guard.ts';
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

/** The limits the schema's directives enforce; MAX_STRING_LENGTH's default unless given. */
export type SchemaLimits = Pick<Limits, 'maxBulkSize'> & Partial<Pick<Limits, 'maxStringLength'>>;

/** The directives the SDL uses, built with how each reads its collaborators from the request context. */
export function directives(options: SchemaLimits) {
  const { encrypted, blindIndex, decryptFor } = fieldEncryptionDirectives<Context>({ policies: cardRevealPolicies });
  return {
    encrypted,
    blindIndex,
    maxItems: maxItemsDirective({ defaultLimit: options.maxBulkSize }),
    maxLength: maxLengthDirective({ defaultLimit: options.maxStringLength ?? DEFAULT_MAX_STRING_LENGTH }),
    decryptFor,
    requireRole: requireRoleDirective(),
  };
}

/**
 * SDL + resolvers, then the transforms; each wraps the ones before it, so at run time @requireRole
 * runs first, then @maxItems, then @maxLength, then the free-text guard, then encryption, then the resolver.
 */
export function buildSchema(options: SchemaLimits): GraphQLSchema {
  const schema = makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers: [rootResolvers, cardResolvers, keyResolvers, auditResolvers],
  });
  const { encrypted, maxItems, maxLength, decryptFor, requireRole } = directives(options);
  const transforms = [
    encrypted.transformer,
    (current: GraphQLSchema) => freeTextGuardTransform(current),
    maxLength.transformer,
    maxItems.transformer,
    decryptFor.transformer,
    requireRole.transformer,
    describeDirectives(),
  ];
  return transforms.reduce((current, transform) => transform(current), schema);
}
