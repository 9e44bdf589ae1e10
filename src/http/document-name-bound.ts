import type { RequestHandler } from 'express';
import { Lexer, Source, TokenKind } from 'graphql';

/** Longer than any name a schema or a sensible document uses. */
export const MAX_DOCUMENT_NAME_LENGTH = 256;

/**
 * Refuses a document holding a name (operation, alias, field, argument, variable, fragment) longer
 * than MAX_DOCUMENT_NAME_LENGTH before it is parsed. Validation would otherwise scan a megabyte name
 * for card numbers, compare it with every field for suggestions and repeat it in its errors. Reads at
 * most `maxTokens` tokens, as the parser does; a document that does not lex is left to the parser.
 */
export function documentNameBound(maxTokens: number): RequestHandler {
  return (request, response, next) => {
    const query: unknown = (request.body as { query?: unknown } | undefined)?.query;
    if (typeof query !== 'string' || !hasLongName(query, maxTokens)) {
      next();
      return;
    }
    response.status(400).json({
      errors: [
        {
          message: `A name in the document is longer than ${MAX_DOCUMENT_NAME_LENGTH} characters`,
          extensions: { code: 'BAD_USER_INPUT' },
        },
      ],
    });
  };
}

function hasLongName(query: string, maxTokens: number): boolean {
  const lexer = new Lexer(new Source(query));
  try {
    for (let count = 0; count < maxTokens; count++) {
      const token = lexer.advance();
      if (token.kind === TokenKind.EOF) return false;
      if (token.kind === TokenKind.NAME && token.end - token.start > MAX_DOCUMENT_NAME_LENGTH) return true;
    }
  } catch {
    return false;
  }
  return false;
}
