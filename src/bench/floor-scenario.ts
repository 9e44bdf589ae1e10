import { Measurement } from './load.ts';
import { round, type ScenarioResult } from './scenario.ts';

/** Raw transit (no API) for the values of one decrypted scenario's requests. */
export interface FloorResult {
  id: string;
  title: string;
  /** The API scenario whose values these are. */
  forScenario: string;
  requests: number;
  valuesPerRequest: number;
  p50Ms: number;
  p99Ms: number;
}

/** One decrypted scenario beside its floor: what the API adds of its own. */
export interface FloorComparison {
  scenario: string;
  title: string;
  p50Ms: number;
  /** The same page size listed as ciphertext (no transit at all). */
  ciphertextP50Ms: number;
  rawTransitP50Ms: number;
  /** Ciphertext list + raw transit: the fastest the decrypted scenario could be. */
  floorMs: number;
  /** Decrypted − ciphertext − raw transit (p50s): the API's own time for decrypting. */
  apiOverheadMs: number;
  overheadOverRawTransit: number;
  /** Of the overhead: writing the reveal record (chain, seal HMAC, insert), per request. */
  revealRecordMs: number;
  p50OverFloor: number;
}

export class FloorScenario {
  private readonly measurement = new Measurement();

  constructor(
    readonly id: string,
    readonly title: string,
    private readonly forScenario: string,
    private readonly valuesPerRequest: number,
  ) {}

  run(requests: number, send: (index: number) => Promise<void>): Promise<void> {
    return this.measurement.drive(requests, 1, send);
  }

  result(): FloorResult {
    return {
      id: this.id,
      title: this.title,
      forScenario: this.forScenario,
      requests: this.measurement.requests,
      valuesPerRequest: this.valuesPerRequest,
      p50Ms: round(this.measurement.percentile(50), 1),
      p99Ms: round(this.measurement.percentile(99), 1),
    };
  }
}

export function compareWithFloor(
  decrypted: ScenarioResult,
  ciphertext: ScenarioResult,
  floor: FloorResult,
): FloorComparison {
  const apiOverheadMs = decrypted.p50Ms - ciphertext.p50Ms - floor.p50Ms;
  const floorMs = ciphertext.p50Ms + floor.p50Ms;
  return {
    scenario: decrypted.id,
    title: decrypted.title,
    p50Ms: decrypted.p50Ms,
    ciphertextP50Ms: ciphertext.p50Ms,
    rawTransitP50Ms: floor.p50Ms,
    floorMs: round(floorMs, 1),
    apiOverheadMs: round(apiOverheadMs, 1),
    overheadOverRawTransit: round(apiOverheadMs / Math.max(0.1, floor.p50Ms), 2),
    revealRecordMs: decrypted.revealRecordMsPerRequest,
    p50OverFloor: round(decrypted.p50Ms / Math.max(0.1, floorMs), 2),
  };
}
