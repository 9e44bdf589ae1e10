import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, type GraphQLSchema, isNonNullType } from 'graphql';
import type { RevealCollector } from '../audit/reveal-collector.ts';
import type { GrantBudgets } from '../budget/grant-budgets.ts';
import type { RequestBudget } from '../budget/request-budget.ts';
import { parseRollingBudget, type RollingBudget } from '../budget/rolling-budget.ts';
import { decryptionFailed } from '../errors.ts';
import { TransitError } from '../transit/transit.ts';
import type { Cipher } from './encrypted.ts';
import { encryptedArgsOf } from './encrypted-args.ts';
import type { Mask } from './mask.ts';
import { ValueReveal } from './value-reveal.ts';

export interface DecryptForDirectiveOptions<TContext> {
  /** Directive name in the SDL; `decryptFor` unless given. */
  name?: string;
  /** Name of the directive that declares the field's key; `encrypted` unless given. */
  encryptedDirectiveName?: string;
  /** The batcher serving this request. */
  cipher: (context: TContext) => Cipher;
  /** The caller's roles. */
  roles: (context: TContext) => ReadonlySet<string>;
  /** The request's allowance of decrypted values; unlimited unless given. */
  budget?: (context: TContext) => RequestBudget;
  /** The request's draws on grants' rolling-window budgets (`budget:`); a schema declaring one without this fails the build. */
  grantBudgets?: (context: TContext) => GrantBudgets;
  /** Where the request's reveals are noted for the reveal record; none are noted unless given. */
  reveals?: (context: TContext) => RevealCollector;
  /** The need-to-know conditions a grant may name with `policy:`; a name used in the SDL but missing here fails the build. */
  policies?: Readonly<Record<string, RevealPolicy<TContext>>>;
}

/** A need-to-know condition on the record holding the value: true when the grant applies to it. */
export type RevealPolicy<TContext> = (record: Readonly<Record<string, unknown>>, context: TContext) => boolean;

interface Grant {
  role: string;
  mask: Mask;
  policy?: string;
  budget?: string;
}

/**
 * `@decryptFor(role, mask)`, repeatable: callers holding one of the roles read the value decrypted
 * (or masked, where the grant says so); everyone else reads what is stored, the ciphertext.
 * The key, and the field holding the record's identity for bound values, come from the field's `@encrypted`.
 */
export function decryptForDirective<TContext>(options: DecryptForDirectiveOptions<TContext>) {
  const directiveName = options.name ?? 'decryptFor';
  const encryptedDirectiveName = options.encryptedDirectiveName ?? 'encrypted';
  return {
    typeDefs: `"""
How much of an encrypted value each role may read. Callers holding \`role\` read it decrypted
(or masked, when \`mask\` is set); callers without any listed role read the stored ciphertext.
Repeat the directive to grant several roles. A value that cannot be decrypted fails that field
only, with DECRYPTION_FAILED; the rest of the response stands.
"""
directive @${directiveName}(
  "Role (from the caller's token) allowed to read this value."
  role: String!
  "Partial reveal for this role; NONE reveals the plaintext."
  mask: DecryptMask = NONE
  """
  Need to know: the name of a policy, defined once in the server's code, that the record holding
  the value must satisfy for this grant to apply (e.g. "pending": only cards still to be processed).
  Where it does not, the role reads what its other grants allow, or the ciphertext.
  """
  policy: String
  """
  Rolling-window budget per caller for this grant: at most N values per second, minute, hour or
  day ("N/s", "N/m", "N/h", "N/d", e.g. "2000/h"), counted on the reveal record across every API
  replica. Fields past it fail with RATE_LIMITED and are not decrypted.
  """
  budget: String
) repeatable on FIELD_DEFINITION

"What part of a decrypted value a role may see."
enum DecryptMask {
  "The whole plaintext."
  NONE
  "Everything but the last four characters masked: ************1157."
  LAST4
  "First six and last four characters kept, as card receipts show: 453929******1157."
  FIRST6_LAST4
}
`,
    transformer: (schema: GraphQLSchema): GraphQLSchema =>
      mapSchema(schema, {
        [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
          const grants = getDirective(schema, fieldConfig, directiveName) as Grant[] | undefined;
          if (grants === undefined || grants.length === 0) return fieldConfig;
          const where = `${typeName}.${fieldName}`;
          const encrypted = encryptedArgsOf(schema, fieldConfig, encryptedDirectiveName);
          if (encrypted === undefined)
            throw new Error(`${where}: @${directiveName} needs @${encryptedDirectiveName}(key) on the same field`);
          if (isNonNullType(fieldConfig.type)) {
            throw new Error(
              `${where}: a @${directiveName} field must be nullable, so that a failed decryption fails only that field`,
            );
          }
          const budgets = new Map<Grant, RollingBudget>();
          for (const grant of grants) {
            const { role, policy, budget } = grant;
            if (policy !== undefined && options.policies?.[policy] === undefined) {
              throw new Error(
                `${where}: @${directiveName}(role: "${role}", policy: "${policy}") names a policy that is not defined`,
              );
            }
            if (budget === undefined) continue;
            const parsed = parseRollingBudget(budget);
            if (parsed === undefined) {
              throw new Error(
                `${where}: @${directiveName}(role: "${role}", budget: ${JSON.stringify(budget)}) is not a budget; write N/s, N/m, N/h or N/d with N a positive whole number, e.g. "2000/h"`,
              );
            }
            if (options.grantBudgets === undefined) {
              throw new Error(
                `${where}: @${directiveName}(role: "${role}", budget: "${budget}") needs the directive's grantBudgets option, which enforces it`,
              );
            }
            budgets.set(grant, parsed);
          }
          const { key, bindTo, unboundKey } = encrypted;
          const resolve = fieldConfig.resolve ?? defaultFieldResolver;
          // Strongest first, so the first grant that applies is the one to use.
          const byStrength = strongestFirst(grants);
          // No async wrapper: a field whose stored value resolves at once costs no promise of its own.
          const revealStored = (stored: unknown, source: unknown, context: TContext): unknown => {
            const roles = options.roles(context);
            const record = source as Record<string, unknown>;
            const grant = byStrength.find(
              (held) =>
                roles.has(held.role) &&
                (held.policy === undefined || (options.policies?.[held.policy]?.(record, context) ?? false)),
            );
            if (grant === undefined || stored === null || stored === undefined) return stored;
            const count = Array.isArray(stored) ? stored.filter((value) => value != null).length : 1;
            options.budget?.(context).take('decrypt', count, where);
            const budget = budgets.get(grant);
            // The schema build refused a budget without grantBudgets, so both are there or neither matters.
            if (budget === undefined || options.grantBudgets === undefined) {
              return decryptStored(stored, record, grant, context);
            }
            return options
              .grantBudgets(context)
              .take({ field: where, role: grant.role, mask: grant.mask, budget }, count, where)
              .then(() => decryptStored(stored, record, grant, context));
          };
          const decryptStored = (stored: unknown, record: Record<string, unknown>, grant: Grant, context: TContext) => {
            const recordId = bindTo === undefined ? undefined : record[bindTo];
            if (bindTo !== undefined && (recordId === null || recordId === undefined)) {
              const missing = decryptionFailed(
                where,
                new TransitError('INVALID_REQUEST', `the record's ${bindTo} is missing`),
              );
              return Array.isArray(stored)
                ? Promise.all(stored.map((value) => (value == null ? value : Promise.reject(missing))))
                : Promise.reject(missing);
            }
            const values = new ValueReveal(
              { where, key, unboundKey, role: grant.role, mask: grant.mask },
              options.cipher(context),
              recordId === undefined ? undefined : String(recordId),
              options.reveals?.(context),
            );
            return Array.isArray(stored)
              ? Promise.all(stored.map((value) => values.reveal(value)))
              : values.reveal(stored);
          };
          return {
            ...fieldConfig,
            resolve: (source, args, context: TContext, info) => {
              const stored: unknown = resolve(source, args, context, info);
              return isPromise(stored)
                ? stored.then((value) => revealStored(value, source, context))
                : revealStored(stored, source, context);
            },
          };
        },
      }),
  };
}

/** NONE (plaintext) beats any mask; FIRST6_LAST4 reveals more than LAST4; equals keep their SDL order. */
function strongestFirst(grants: readonly Grant[]): Grant[] {
  const strength = (grant: Grant) => ['NONE', 'FIRST6_LAST4', 'LAST4'].indexOf(grant.mask);
  return [...grants].sort((a, b) => strength(a) - strength(b));
}

function isPromise(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
