// SPDX-License-Identifier: BSD-3-Clause
// Timing shared by the benchmarks (bench/harness.py is the same for the PyTorch side).
import { readFileSync } from "node:fs";

/**
 * The repetition plan both timers follow, as a generator: it yields how many calls to make in a
 * row and is sent back how many seconds they took. One warm-up call comes first (the caller's);
 * the count is doubled until a chunk takes minTime / 4, then `chunks` chunks of that many calls
 * are timed and the median seconds per call is returned. Calls slower than 0.5 s get 3 chunks of
 * one call at most (as in perf-baselines.md), so slow rows stay affordable on a loaded machine.
 */
function* plan(minTime: number, chunks: number): Generator<number, number, number> {
  let reps = 1;
  for (;;) {
    const took = yield reps;
    if (took >= minTime / 4) { if (reps === 1 && took > 0.5) chunks = Math.min(chunks, 3); break; }
    reps *= 2;
  }
  const times: number[] = [];
  for (let c = 0; c < chunks; c++) times.push((yield reps) / reps);
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)]!;
}

/** Median seconds per call of `fn` (see plan). */
export function medianTime(fn: () => void, minTime = 0.5, chunks = 7): number {
  fn();
  const p = plan(minTime, chunks);
  for (let step = p.next(); ; ) {
    if (step.done) return step.value;
    const t0 = performance.now();
    for (let i = 0; i < step.value; i++) fn();
    step = p.next((performance.now() - t0) / 1000);
  }
}

/** medianTime for an async call (onnxruntime-node's `session.run`), awaited each time. */
export async function medianTimeAsync(fn: () => Promise<unknown>, minTime = 0.5, chunks = 7): Promise<number> {
  await fn();
  const p = plan(minTime, chunks);
  for (let step = p.next(); ; ) {
    if (step.done) return step.value;
    const t0 = performance.now();
    for (let i = 0; i < step.value; i++) await fn();
    step = p.next((performance.now() - t0) / 1000);
  }
}

/** Peak resident set size of this process so far (VmHWM), in MiB. */
export function peakRssMiB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}
