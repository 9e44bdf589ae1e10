const STACK = /\n\s+at |stacktrace|node_modules|\.[cm]?[jt]s:\d+:\d+/i;
const SQL =
  /\b(insert into|delete from|select [^"]{0,80} from|credit_cards|violates|at or near|invalid byte sequence|postgres|pglite|drizzle|sqlstate)\b/i;

/** Every run of 12 or more digits in the input (separators removed), the card numbers it could carry. */
function cardNumbersIn(input: unknown): string[] {
  const found = new Set<string>();
  const visit = (value: unknown) => {
    if (typeof value === 'string' || typeof value === 'number') {
      const compact = String(value).replace(/[\s-]/g, '');
      for (const run of compact.match(/\d{12,}/g) ?? []) found.add(run.slice(0, 19));
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value !== null && typeof value === 'object') {
      Object.values(value).forEach(visit);
    }
  };
  visit(input);
  return [...found];
}

/** What in a response body should never be there: stack traces, SQL or driver text, a card number that was sent. */
export function leaksIn(body: string, inputs: unknown): string[] {
  const leaks: string[] = [];
  if (STACK.test(body)) leaks.push('stack trace');
  if (SQL.test(body)) leaks.push('SQL or driver text');
  for (const pan of cardNumbersIn(inputs)) {
    if (body.includes(pan) || body.includes(Buffer.from(pan).toString('base64'))) leaks.push(`card number ${pan}`);
  }
  return leaks;
}
