// SPDX-License-Identifier: BSD-3-Clause
// Timing shared by the benchmarks (bench/harness.py is the same for the PyTorch side).
import { readFileSync } from "node:fs";

/**
 * Median seconds per call of `fn`: one warm-up call, then the repetition count doubled until a
 * chunk takes minTime / 4, then `chunks` chunks of that many calls. Calls slower than 0.5 s get 3
 * chunks of one call at most (as in perf-baselines.md), so slow rows stay affordable on a loaded machine.
 */
export function medianTime(fn: () => void, minTime = 0.5, chunks = 7): number {
  fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const took = (performance.now() - t0) / 1000;
    if (took >= minTime / 4) { if (reps === 1 && took > 0.5) chunks = Math.min(chunks, 3); break; }
    reps *= 2;
  }
  const times: number[] = [];
  for (let c = 0; c < chunks; c++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    times.push((performance.now() - t0) / 1000 / reps);
  }
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)]!;
}

/** medianTime for an async call (onnxruntime-node's `session.run`), awaited each time. */
export async function medianTimeAsync(fn: () => Promise<unknown>, minTime = 0.5, chunks = 7): Promise<number> {
  await fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await fn();
    const took = (performance.now() - t0) / 1000;
    if (took >= minTime / 4) { if (reps === 1 && took > 0.5) chunks = Math.min(chunks, 3); break; }
    reps *= 2;
  }
  const times: number[] = [];
  for (let c = 0; c < chunks; c++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await fn();
    times.push((performance.now() - t0) / 1000 / reps);
  }
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)]!;
}

/** Peak resident set size of this process so far (VmHWM), in MiB. */
export function peakRssMiB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}
