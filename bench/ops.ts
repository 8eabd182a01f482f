// SPDX-License-Identifier: BSD-3-Clause
// A few core ops beside PyTorch in the same run, as ratios (PyTorch time / torchts time;
// > 1 means torchts is faster). Run: npm run bench [-- threads]. PyTorch comes from Debian
// (python3-torch); bench/setup.sh extracts OpenBLAS so PyTorch's matmul is not netlib's.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../src/index.js";
import { native } from "../src/backends/cpu/native.js";

function medianTime(fn: () => void, minTime = 0.25, chunks = 7): number {
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

const threads = Number(process.argv[2] ?? 2);
torch.setNumThreads(threads);
const n = 16 * 1024 * 1024;
const a = torch.rand(n), b = torch.rand(n), c = torch.empty(n);
const m1 = torch.rand(1024, 1024), m2 = torch.rand(1024, 1024);
// check results before timing
if (!torch.add(a, b).sub(a).sub(b).abs().max().le(1e-6).item()) throw new Error("add is wrong");
if (!torch.allclose(m1.mm(m2).narrow(0, 0, 8), m1.narrow(0, 0, 8).double().mm(m2.double()).float(), { rtol: 1e-4 })) throw new Error("mm is wrong");

const ours: Record<string, number> = {
  add_16M: medianTime(() => torch.add(a, b, { out: c })),
  mul_16M: medianTime(() => torch.mul(a, b, { out: c })),
  sum_16M: medianTime(() => a.sum()),
  matmul_1024: medianTime(() => torch.mm(m1, m2)),
  matmul_256: medianTime(() => torch.mm(m1.narrow(0, 0, 256).narrow(1, 0, 256), m2.narrow(0, 0, 256).narrow(1, 0, 256))),
  ...spatialRows(),
};

/** nn spatial kernels, forward + backward (same shapes in bench/torch_ops.py). */
function spatialRows(): Record<string, number> {
  const F = torch.nn.functional, r = (...s: number[]) => torch.randn(s).requiresGrad_();
  const x = r(32, 16, 32, 32), w = r(32, 16, 3, 3), b = r(32), x1 = r(32, 32, 512), w1 = r(32, 32, 5), wt = r(16, 8, 4, 4);
  return {
    conv2d_fb: medianTime(() => F.conv2d(x, w, b, { padding: 1 }).sum().backward()),
    maxpool2d_fb: medianTime(() => F.maxPool2d(x, 2).sum().backward()),
    conv1d_fb: medianTime(() => F.conv1d(x1, w1, null, { padding: 2 }).sum().backward()),
    convT2d_fb: medianTime(() => F.convTranspose2d(x, wt, null, { stride: 2, padding: 1 }).sum().backward()),
    bilinear_fb: medianTime(() => F.interpolate(x, { scaleFactor: 2, mode: "bilinear" }).sum().backward()),
  };
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const openblas = join(root, "bench", ".openblas", "usr", "lib", "x86_64-linux-gnu", "openblas-pthread");
const avx512 = native.cpuFeatures()["avx512f"] === true;
let theirs: Record<string, number> | null = null, torchInfo = "PyTorch not found (apt-get install python3-torch)";
if (existsSync("/usr/bin/python3")) {
  try {
    const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads),  // best for matmul
      // SkylakeX kernels only where the CPU has AVX-512 (OpenBLAS dies with SIGILL otherwise)
      ...(existsSync(openblas) ? { LD_LIBRARY_PATH: openblas, ...(avx512 ? { OPENBLAS_CORETYPE: "SkylakeX" } : {}) } : {}) };
    const out = JSON.parse(execFileSync("/usr/bin/python3", [join(root, "bench", "torch_ops.py"), String(threads)], { env }).toString());
    theirs = out.times;
    torchInfo = `PyTorch ${out.torch}, BLAS: ${existsSync(openblas) ? `OpenBLAS (${avx512 ? "SkylakeX" : "auto-detected"} kernels)` : "Debian default (netlib reference: run bench/setup.sh)"}`;
  } catch (e) {
    torchInfo = `PyTorch failed: ${(e as Error).message.split("\n")[0]}`;
  }
}

let commit = "unknown";
try { commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root }).toString().trim(); } catch { /* not a checkout */ }
console.log(`torchts ${commit} | ${cpus()[0]?.model ?? "cpu"} | threads ${threads} | ${torchInfo}`);
const gbps = (bytes: number, s: number) => (bytes / s / 1e9).toFixed(1);
const gflops = (nn: number, s: number) => ((2 * nn ** 3) / s / 1e9).toFixed(0);
const detail: Record<string, (s: number) => string> = {
  add_16M: (s) => `${gbps(12 * n, s)} GB/s`, mul_16M: (s) => `${gbps(12 * n, s)} GB/s`, sum_16M: (s) => `${gbps(4 * n, s)} GB/s`,
  matmul_1024: (s) => `${gflops(1024, s)} GFLOP/s`, matmul_256: (s) => `${gflops(256, s)} GFLOP/s`,
  conv2d_fb: () => "fwd+bwd", maxpool2d_fb: () => "fwd+bwd", conv1d_fb: () => "fwd+bwd", convT2d_fb: () => "fwd+bwd", bilinear_fb: () => "fwd+bwd",
};
console.log(`${"workload".padEnd(14)}${"torchts".padEnd(25)}${"PyTorch".padEnd(25)}ratio (PyTorch time / torchts time)`);
for (const [k, t] of Object.entries(ours)) {
  const p = theirs?.[k];
  const cell = (s: number) => `${(s * 1e3).toFixed(3)} ms (${detail[k]!(s)}) `.padEnd(25);
  console.log(`${k.padEnd(13)} ${cell(t)}${p ? cell(p) : "-".padEnd(25)}${p ? (p / t).toFixed(2) + "x" : "-"}`);
}
