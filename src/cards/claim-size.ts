import { getDirective } from '@graphql-tools/utils';
import {
  GraphQLIncludeDirective,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  GraphQLSkipDirective,
  getDirectiveValues,
  getNamedType,
  Kind,
  type SelectionSetNode,
} from 'graphql';
import type { RequestBudget } from '../field-encryption/index.ts';

/**
 * How many cards a claim may lease: no more than the request can still decrypt the selected values
 * of (each aliased `pan` counts), so a claim never leases a card whose PAN the budget then refuses,
 * leaving it held until its lease expires with no one able to process it.
 */
export function claimableWithinBudget(limit: number, info: GraphQLResolveInfo, budget: RequestBudget): number {
  const type = getNamedType(info.returnType) as GraphQLObjectType;
  const decrypting = new Set<string>();
  for (const node of info.fieldNodes) {
    if (node.selectionSet !== undefined) collectDecrypting(info, type, node.selectionSet, decrypting, new Set());
  }
  if (decrypting.size === 0) return limit;
  return Math.min(limit, Math.floor(budget.remaining('decrypt') / decrypting.size));
}

/** Adds the response keys of the selected @decryptFor fields of `type`, through fragments, honouring @skip/@include. */
function collectDecrypting(
  info: GraphQLResolveInfo,
  type: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  keys: Set<string>,
  visitedFragments: Set<string>,
): void {
  for (const selection of selectionSet.selections) {
    const skipped = getDirectiveValues(GraphQLSkipDirective, selection, info.variableValues)?.if === true;
    const excluded = getDirectiveValues(GraphQLIncludeDirective, selection, info.variableValues)?.if === false;
    if (skipped || excluded) continue;
    if (selection.kind === Kind.FIELD) {
      const field = type.getFields()[selection.name.value];
      if (field !== undefined && (getDirective(info.schema, field, 'decryptFor')?.length ?? 0) > 0) {
        keys.add(selection.alias?.value ?? selection.name.value);
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collectDecrypting(info, type, selection.selectionSet, keys, visitedFragments);
    } else if (!visitedFragments.has(selection.name.value)) {
      visitedFragments.add(selection.name.value);
      const fragment = info.fragments[selection.name.value];
      if (fragment !== undefined) collectDecrypting(info, type, fragment.selectionSet, keys, visitedFragments);
    }
  }
}
