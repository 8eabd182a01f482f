// SPDX-License-Identifier: BSD-3-Clause
// Timing shared by the benchmarks (bench/harness.py is the same for the PyTorch side).

/**
 * Median seconds per call of `fn`: one warm-up call, then the repetition count doubled until a
 * chunk takes minTime / 4, then `chunks` chunks of that many calls.
 */
export function medianTime(fn: () => void, minTime = 0.5, chunks = 7): number {
  fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    if ((performance.now() - t0) / 1000 >= minTime / 4) break;
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
