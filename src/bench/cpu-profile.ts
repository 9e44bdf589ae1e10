import { renderTable } from '../cli/table.ts';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** A span of CLOCK_MONOTONIC in microseconds (process.hrtime here, V8's profile clock in the profiled process). */
export interface Window {
  fromUs: number;
  toUs: number;
}

export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Busy (non-idle) samples of a profile inside the window: which of a process's profiles did the work. */
export function busySamples(profile: CpuProfile, window: Window): number {
  const idle = new Set(profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').map((node) => node.id));
  let at = profile.startTime;
  let busy = 0;
  profile.samples.forEach((nodeId, index) => {
    at += profile.timeDeltas[index] ?? 0;
    if (at >= window.fromUs && at <= window.toUs && !idle.has(nodeId)) busy++;
  });
  return busy;
}

/**
 * The frames with most self time in a V8 .cpuprofile, as a table (GC shown as V8 names it, idle left
 * out); only samples inside `window` count.
 */
export function summariseCpuProfile(profile: CpuProfile, top: number, window?: Window): string {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  let at = profile.startTime;
  profile.samples.forEach((nodeId, index) => {
    const node = byNode.get(nodeId);
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (node === undefined || (window !== undefined && (at < window.fromUs || at > window.toUs))) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url === '' ? '' : ` ${shorten(url)}:${lineNumber + 1}`;
    const frame = `${functionName || '(anonymous)'}${where}`;
    selfUs.set(frame, (selfUs.get(frame) ?? 0) + delta);
    totalUs += delta;
  });
  const idleUs = [...selfUs].filter(([frame]) => frame.startsWith('(idle)')).reduce((sum, [, us]) => sum + us, 0);
  const busyUs = totalUs - idleUs;
  const rows = [...selfUs]
    .filter(([frame]) => !frame.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, us]) => [frame, (us / 1000).toFixed(0), `${((100 * us) / busyUs).toFixed(1)}%`]);
  return `busy ${(busyUs / 1000).toFixed(0)} ms of ${(totalUs / 1000).toFixed(0)} ms sampled\n${renderTable(['frame (self time)', 'ms', '% of busy'], rows)}`;
}

function shorten(url: string): string {
  const nodeModules = url.lastIndexOf('node_modules/');
  if (nodeModules >= 0) return url.slice(nodeModules + 'node_modules/'.length);
  const src = url.indexOf('/src/');
  return src >= 0 ? url.slice(src + 1) : url.replace(/^file:\/\//, '');
}
