/** How fast a batch run goes: values per second so far and, at that rate, the seconds left. */
export interface Pace {
  ratePerSecond: number;
  /** Seconds left at the current rate; undefined before anything is done. */
  etaSeconds: number | undefined;
}

/** The pace of a run that started at `started` (performance.now()) and has done `done` of `total`. */
export function paceOf(done: number, total: number, started: number): Pace {
  const elapsed = (performance.now() - started) / 1000;
  const ratePerSecond = elapsed > 0 ? done / elapsed : 0;
  return { ratePerSecond, etaSeconds: ratePerSecond > 0 ? Math.max(0, total - done) / ratePerSecond : undefined };
}
