const STACK = /\n\s+at |stacktrace|node_modules|\.[cm]?[jt]s:\d+:\d+/i;
const SQL =
  /\b(insert into|delete from|select [^"]{0,80} from|credit_cards|violates|at or near|invalid byte sequence|postgres|pglite|drizzle|sqlstate)\b/i;

/** Whether some 12 to 19 digits in a row of `run` pass the Luhn check: what a card number is. */
function holdsCardNumber(run: string): boolean {
  for (let start = 0; start + 12 <= run.length; start++) {
    for (let end = start + 12; end <= Math.min(run.length, start + 19); end++) {
      let sum = 0;
      for (let index = end - 1, double = false; index >= start; index--, double = !double) {
        const digit = Number(run[index]) * (double ? 2 : 1);
        sum += digit > 9 ? digit - 9 : digit;
      }
      if (sum % 10 === 0) return true;
    }
  }
  return false;
}

/**
 * Every run of 12 or more digits in the input (separators removed), the card numbers it could carry. In a
 * cardholder's `name`, which the API stores and answers as given, a run counts only when it holds a card
 * number (Luhn): "000000000001" is a name the API may echo; a pan is never echoed, valid or not.
 */
function cardNumbersIn(input: unknown): string[] {
  const found = new Set<string>();
  const visit = (value: unknown, inName: boolean) => {
    if (typeof value === 'string' || typeof value === 'number') {
      const compact = String(value).replace(/[\s-]/g, '');
      for (const run of compact.match(/\d{12,}/g) ?? []) {
        if (!inName || holdsCardNumber(run)) found.add(run.slice(0, 19));
      }
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, inName);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) visit(item, key === 'name');
    }
  };
  visit(input, false);
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
