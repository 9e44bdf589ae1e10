import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import { GraphQLEnumType, type GraphQLSchema } from 'graphql';
import { describeRollingBudget, parseRollingBudget } from '../field-encryption/index.ts';

export interface DirectiveNames {
  encrypted: string;
  decryptFor: string;
  requireRole: string;
}

interface Grant {
  role: string;
  mask?: string;
  policy?: string;
  budget?: string;
}

const DEFAULT_NAMES: DirectiveNames = { encrypted: 'encrypted', decryptFor: 'decryptFor', requireRole: 'requireRole' };

/** Marks where the generated text starts, so a reader (and a test) can tell it from the SDL's own prose. */
export const CONTRACT_HEADING = 'Encryption and access (from the directives):';

/**
 * Appends to each field's, input field's and argument's description what its directives say:
 * encrypted under which key, which roles read plaintext or which mask, who may call it. The docs
 * pane and introspection then tell the contract the server enforces, for any schema.
 */
export function describeDirectives(names: Partial<DirectiveNames> = {}) {
  const { encrypted, decryptFor, requireRole } = { ...DEFAULT_NAMES, ...names };
  return (schema: GraphQLSchema): GraphQLSchema => {
    const keyOf = (node: Parameters<typeof getDirective>[1]) =>
      (getDirective(schema, node, encrypted)?.[0] as { key: string } | undefined)?.key;
    const withContract = <T extends { description?: string | null | undefined }>(config: T, lines: string[]): T =>
      lines.length === 0
        ? config
        : {
            ...config,
            description: [config.description, [CONTRACT_HEADING, ...lines].join('\n')].filter(Boolean).join('\n\n'),
          };
    const maskType = schema.getDirective(decryptFor)?.args.find((argument) => argument.name === 'mask')?.type;
    const maskExample = (mask: string) => {
      const description = maskType instanceof GraphQLEnumType ? maskType.getValue(mask)?.description : undefined;
      return description ? ` (${description.replace(/\.$/, '')})` : '';
    };
    const inputContract = (node: Parameters<typeof getDirective>[1]) => {
      const key = keyOf(node);
      return key === undefined
        ? []
        : [
            `- Encrypted under the transit key \`${key}\` before any resolver sees it: only \`vault:v<N>:\` ciphertext is stored.`,
          ];
    };

    return mapSchema(schema, {
      [MapperKind.OBJECT_FIELD]: (fieldConfig) => {
        const lines: string[] = [];
        const allowed = (getDirective(schema, fieldConfig, requireRole)?.[0] as { anyOf: string[] } | undefined)?.anyOf;
        if (allowed !== undefined) lines.push(`- Only callers with the role ${roleList(allowed)} may use this field.`);
        const key = keyOf(fieldConfig);
        if (key !== undefined) {
          lines.push(`- Stored encrypted under the transit key \`${key}\`.`);
          const grants = (getDirective(schema, fieldConfig, decryptFor) ?? []) as Grant[];
          for (const { role, mask, policy, budget } of grants) {
            const where =
              policy === undefined ? '' : ` of records the policy \`${policy}\` allows (others: the ciphertext)`;
            const limit = budgetNote(budget);
            lines.push(
              mask === undefined || mask === 'NONE'
                ? `- \`${role}\` reads the plaintext${where}${limit}.`
                : `- \`${role}\` reads it masked with ${mask}${maskExample(mask)}${where}${limit}.`,
            );
          }
          lines.push(
            grants.length === 0
              ? '- No role reads the plaintext: every caller reads the ciphertext (`vault:v<N>:...`).'
              : '- Every other caller reads the ciphertext (`vault:v<N>:...`).',
          );
        }
        return withContract(fieldConfig, lines);
      },
      [MapperKind.INPUT_OBJECT_FIELD]: (fieldConfig) => withContract(fieldConfig, inputContract(fieldConfig)),
      [MapperKind.ARGUMENT]: (argumentConfig) => withContract(argumentConfig, inputContract(argumentConfig)),
    });
  };
}

function roleList(roles: string[]): string {
  const quoted = roles.map((role) => `\`${role}\``);
  return quoted.length === 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

/** The budget clause of a grant's line: how many values per window, and what happens past it. */
function budgetNote(budget: string | undefined): string {
  const parsed = budget === undefined ? undefined : parseRollingBudget(budget);
  return parsed === undefined
    ? ''
    : `, at most ${describeRollingBudget(parsed)} per caller ("${parsed.text}"; past it the field fails with RATE_LIMITED)`;
}
