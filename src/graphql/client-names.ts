import { GraphQLError, type ValidationRule } from 'graphql';
import { containsPan } from '../text/pan-detector.ts';

/** The fewest digits a card number has: a name with fewer ASCII digits cannot hold one. */
const MIN_PAN_DIGITS = 12;

/**
 * Names in a document are the client's text too: the operation name goes to the log and to the reveal
 * record (which the auditor reads, and which must never hold a value), an alias into the path of logged
 * errors. Every name in the document (operation, alias, fragment, variable, and the rest) passes the PAN
 * detector; one holding a card number fails validation, so the document never runs and is never
 * recorded, and the error does not repeat the name. GraphQL names are ASCII letters, digits and
 * underscores, so names with fewer than 12 digits are passed without running the detector.
 */
export const clientNamesRule: ValidationRule = (context) => {
  let refused = false;
  return {
    Name(node) {
      if (refused || !mayHoldPan(node.value) || !containsPan(node.value)) return;
      refused = true;
      context.reportError(
        new GraphQLError(
          'A name in the document (operation, alias, fragment or variable name) must not contain a card number',
          { nodes: node, extensions: { code: 'BAD_USER_INPUT' } },
        ),
      );
    },
  };
};

function mayHoldPan(name: string): boolean {
  let digits = 0;
  for (let index = 0; index < name.length; index++) {
    const code = name.charCodeAt(index);
    if (code >= 48 && code <= 57 && ++digits >= MIN_PAN_DIGITS) return true;
  }
  return false;
}
