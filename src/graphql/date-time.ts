import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { badUserInput } from './errors.ts';

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize: (value) => {
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue: (value) => parse(value),
  parseLiteral: (ast) => parse(ast.kind === Kind.STRING ? ast.value : undefined),
});

/** Far longer than any date written out (ISO-8601 needs 32 at most): longer text is refused unparsed. */
const MAX_DATE_TEXT_LENGTH = 100;

function parse(value: unknown): Date {
  const date =
    typeof value === 'string' && value.length <= MAX_DATE_TEXT_LENGTH ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw badUserInput('DateTime must be an ISO-8601 string');
  return date;
}
