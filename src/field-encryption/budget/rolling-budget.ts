/** A grant's rolling-window budget, as declared in the SDL: at most `limit` values per `windowSeconds`. */
export interface RollingBudget {
  limit: number;
  windowSeconds: number;
  /** As written in the SDL, e.g. "2000/h". */
  text: string;
}

const WINDOW_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
const FORM = /^([1-9][0-9]{0,8})\/([smhd])$/;

/** Parses "N/s", "N/m", "N/h" or "N/d"; undefined when `text` is not one of these forms. */
export function parseRollingBudget(text: string): RollingBudget | undefined {
  const match = FORM.exec(text.trim());
  if (match === null) return undefined;
  const [, limit, unit] = match as unknown as [string, string, keyof typeof WINDOW_SECONDS];
  return { limit: Number(limit), windowSeconds: WINDOW_SECONDS[unit], text: text.trim() };
}

/** How a budget is described to people (docs pane, errors). */
export function describeRollingBudget(budget: RollingBudget): string {
  const unit =
    { 1: 'second', 60: 'minute', 3600: 'hour', 86400: 'day' }[budget.windowSeconds] ?? `${budget.windowSeconds} s`;
  return `${budget.limit} values per rolling ${unit}`;
}
