// SPDX-License-Identifier: BSD-3-Clause
// The workloads of issue "CPU speed" that torchts runs today, beside PyTorch in the same run and
// interleaved (each workload: torchts, then PyTorch, for `rounds` rounds; the medians of those),
// as ratios PyTorch time / torchts time (> 1 means torchts is faster). Every workload's result is
// checked before it is timed. Prints one table and writes JSON to bench/results/.
// Run: npm run bench [-- threads [rounds]]. bench/setup.sh extracts OpenBLAS so PyTorch's matmul
// is not netlib's. LeNet and ResNet rows live in their own scripts (bench/lenet.ts).
import { type ChildProcessWithoutNullStreams, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import * as torch from "../src/index.js";
import { medianTime } from "./harness.js";
import type { Tensor } from "../src/index.js";
import { native } from "../src/backends/cpu/native.js";
import * as nn from "../src/nn/index.js";
import * as optim from "../src/optim/index.js";

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

const threads = Number(process.argv[2] ?? 2);
const rounds = Number(process.argv[3] ?? 3);
torch.setNumThreads(threads);
torch.manualSeed(0);
const n = 16 * 1024 * 1024;

function assertClose(got: Tensor, want: Tensor, what: string, rtol = 1e-4): void {
  if (!torch.allclose(got.double(), want.double(), { rtol, atol: 1e-5 })) throw new Error(`${what}: wrong result, not timed`);
}

const mats = new Map<string, Tensor>();
function mat(r: number, c: number, dtype: torch.DType = "float32"): Tensor {
  const key = `${r}x${c}${dtype}`;
  if (!mats.has(key)) mats.set(key, torch.rand(r, c, { dtype }));
  return mats.get(key)!;
}
/** A few rows of a product against a float64 product of the same rows. */
function checkMm(A: Tensor, B: Tensor, C: Tensor, what: string): void {
  const rows = Math.min(8, A.shape[A.ndim - 2]!);
  assertClose(C.narrow(C.ndim - 2, 0, rows), torch.matmul(A.narrow(A.ndim - 2, 0, rows).double(), B.double()), what);
}

interface Workload { name: string; label: string; unit?: (s: number) => string; minTime?: number; make: () => () => void }
const gflops = (flop: number) => (s: number) => `${(flop / s / 1e9).toFixed(0)} GFLOP/s`;
const gbps = (bytes: number) => (s: number) => `${(bytes / s / 1e9).toFixed(1)} GB/s`;

const workloads: Workload[] = [];
for (const size of [256, 512, 1024, 2048])
  for (const tr of size === 1024 ? ["nn", "nt", "tn", "tt"] : ["nn"]) {
    const name = `matmul_${size}${tr === "nn" ? "" : `_${tr}`}`;
    workloads.push({
      name, label: `matmul ${size}² f32${tr === "nn" ? "" : ` (${tr === "nt" ? "A@B.T" : tr === "tn" ? "A.T@B" : "A.T@B.T"})`}`,
      unit: gflops(2 * size ** 3), minTime: size >= 2048 ? 0.5 : 0.25,
      make: () => {
        const A = tr[0] === "t" ? mat(size, size).t() : mat(size, size), B = tr[1] === "t" ? mat(size, size).t() : mat(size, size);
        checkMm(A, B, torch.mm(A, B), name);
        return () => torch.mm(A, B);
      },
    });
  }
workloads.push({
  name: "matmul_1024_f64", label: "matmul 1024² f64", unit: gflops(2 * 1024 ** 3),
  make: () => {
    const A = mat(1024, 1024, "float64"), B = mat(1024, 1024, "float64");
    checkMm(A, B, torch.mm(A, B), "matmul_1024_f64");
    return () => torch.mm(A, B);
  },
});
for (const [bs, size] of [[256, 16], [32, 64], [8, 256]] as const)
  workloads.push({
    name: `bmm_${bs}x${size}`, label: `bmm ${bs} x ${size}² f32`, unit: gflops(2 * bs * size ** 3),
    make: () => {
      const A = torch.rand(bs, size, size), B = torch.rand(bs, size, size);
      checkMm(A, B, torch.bmm(A, B), "bmm");
      return () => torch.bmm(A, B);
    },
  });
workloads.push({
  name: "mv_4096", label: "mv 4096² f32", unit: gbps(4 * 4096 * 4096),
  make: () => {
    const A = mat(4096, 4096), x = torch.rand(4096);
    checkMm(A, x.unsqueeze(1), torch.mv(A, x).unsqueeze(1), "mv");
    return () => torch.mv(A, x);
  },
});
let vecs: [Tensor, Tensor, Tensor] | null = null;
const big = (): [Tensor, Tensor, Tensor] => (vecs ??= [torch.rand(n), torch.rand(n), torch.empty(n)]);
const ew: [string, string, number, (a: Tensor, b: Tensor, c: Tensor) => Tensor, (a: Tensor, b: Tensor) => Tensor][] = [
  ["add_16M_out", "add 16M f32, out=", 12, (a, b, c) => torch.add(a, b, { out: c }), (a, b) => a.double().add(b.double())],
  ["mul_16M_out", "mul 16M f32, out=", 12, (a, b, c) => torch.mul(a, b, { out: c }), (a, b) => a.double().mul(b.double())],
  ["relu_16M_out", "relu 16M f32, out= (clamp min 0)", 8, (a, _b, c) => torch.clamp(a, 0, undefined, { out: c }), (a) => a.double().relu()],
  ["add_16M_fresh", "add 16M f32, fresh result", 12, (a, b) => torch.add(a, b), (a, b) => a.double().add(b.double())],
  ["mul_16M_fresh", "mul 16M f32, fresh result", 12, (a, b) => torch.mul(a, b), (a, b) => a.double().mul(b.double())],
  ["relu_16M_fresh", "relu 16M f32, fresh result", 8, (a) => torch.relu(a), (a) => a.double().relu()],
];
for (const [name, label, bytes, run, ref] of ew)
  workloads.push({
    name, label, unit: gbps(bytes * n),
    make: () => {
      const [a, b, c] = big();
      const s = 12345;  // spot-check a slice (a full float64 copy of 16M would dominate the run)
      assertClose(run(a, b, c).narrow(0, s, 1000), ref(a.narrow(0, s, 1000), b.narrow(0, s, 1000)), name, 1e-6);
      return () => run(a, b, c);
    },
  });
workloads.push({
  name: "sum_16M", label: "sum 16M f32", unit: gbps(4 * n),
  make: () => {
    const [a] = big();
    assertClose(a.sum(), a.double().sum(), "sum", 1e-5);
    return () => a.sum();
  },
});
workloads.push({
  name: "add_1_nograd", label: "a.add(b), 1 element, no grad",
  make: () => {
    const a = torch.rand(1), b = torch.rand(1);
    assertClose(a.add(b), a.double().add(b.double()), "add_1");
    return () => a.add(b);
  },
});
workloads.push({
  name: "add_1_grad", label: "a.add(b), 1 element, recording",
  make: () => {
    const a = torch.rand(1, { requiresGrad: true }), b = torch.rand(1);
    const y = a.add(b);
    if (y.gradFn?.name() !== "AddBackward0") throw new Error("add_1_grad: not recorded");
    return () => a.add(b);
  },
});
workloads.push({
  name: "mlp_adam_64", label: "MLP 784-256-10 + Adam step, batch 64", unit: (s) => `${(64 / s / 1e3).toFixed(1)}k img/s`,
  make: () => {
    torch.manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
    const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
    const x = torch.rand(64, 784), y = torch.randint(0, 10, [64]);
    const step = () => {
      opt.zeroGrad();
      const loss = nn.functional.crossEntropy(model.forward(x) as Tensor, y);
      loss.backward();
      opt.step();
      return loss.item();
    };
    const first = step();
    let last = first;
    for (let i = 0; i < 20; i++) last = step();
    if (!(last < first)) throw new Error(`mlp_adam_64: loss did not fall (${first} -> ${last})`);
    return step;
  },
});

// nn spatial kernels, forward + backward (the same shapes in bench/torch_ops.py)
const spatial: [string, string, () => () => unknown][] = [
  ["conv2d_fb", "conv2d 32x16x32x32, 3x3 -> 32, fwd+bwd", () => {
    const x = grad(32, 16, 32, 32), w = grad(32, 16, 3, 3), b = grad(32);
    return () => nn.functional.conv2d(x, w, b, { padding: 1 }).sum().backward();
  }],
  ["maxpool2d_fb", "maxPool2d 32x16x32x32, 2, fwd+bwd", () => {
    const x = grad(32, 16, 32, 32);
    return () => nn.functional.maxPool2d(x, 2).sum().backward();
  }],
  ["conv1d_fb", "conv1d 32x32x512, k5, fwd+bwd", () => {
    const x = grad(32, 32, 512), w = grad(32, 32, 5);
    return () => nn.functional.conv1d(x, w, null, { padding: 2 }).sum().backward();
  }],
  ["convT2d_fb", "convTranspose2d 32x16x32x32, 4x4 s2, fwd+bwd", () => {
    const x = grad(32, 16, 32, 32), w = grad(16, 8, 4, 4);
    return () => nn.functional.convTranspose2d(x, w, null, { stride: 2, padding: 1 }).sum().backward();
  }],
  ["bilinear_fb", "interpolate bilinear x2 32x16x32x32, fwd+bwd", () => {
    const x = grad(32, 16, 32, 32);
    return () => nn.functional.interpolate(x, { scaleFactor: 2, mode: "bilinear" }).sum().backward();
  }],
];
function grad(...shape: number[]): Tensor { return torch.randn(shape).requiresGrad_(); }
for (const [name, label, make] of spatial) workloads.push({ name, label, make: () => { const f = make(); return () => { f(); }; } });

// ---- PyTorch as a server in a child process, so the two are timed interleaved ---------------
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const openblas = join(root, "bench", ".openblas", "usr", "lib", "x86_64-linux-gnu", "openblas-pthread");
const avx512 = native.cpuFeatures()["avx512f"] === true;
// PyTorch's best setting differs by workload: OpenBLAS threads at the thread count for big
// matmuls, OPENBLAS_NUM_THREADS=1 (OpenMP threads only) for the rest (issue "CPU speed"). Both
// configurations run, and each workload takes the faster of the two in each round.
const torchEnvFor = (blasThreads: number): NodeJS.ProcessEnv => ({
  ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(blasThreads),
  // SkylakeX kernels only where the CPU has AVX-512 (OpenBLAS dies with SIGILL otherwise)
  ...(existsSync(openblas) ? { LD_LIBRARY_PATH: openblas, ...(avx512 ? { OPENBLAS_CORETYPE: "SkylakeX" } : {}) } : {}),
});
const torchEnv = torchEnvFor(1);
const blasInfo = existsSync(openblas) ? `OpenBLAS (${avx512 ? "SkylakeX" : "auto-detected"} kernels)` : "Debian default (netlib reference: run bench/setup.sh)";

class TorchServer {
  private lines: string[] = [];
  private waiting: ((l: string | null) => void) | null = null;
  private closed = false;
  constructor(readonly proc: ChildProcessWithoutNullStreams) {
    createInterface({ input: proc.stdout }).on("line", (l) => this.push(l)).on("close", () => { this.closed = true; this.push(null); });
    proc.stderr.on("data", () => { /* warnings */ });
  }
  private push(l: string | null): void {
    if (this.waiting) { const w = this.waiting; this.waiting = null; w(l); } else if (l !== null) this.lines.push(l);
  }
  next(): Promise<string | null> {
    if (this.lines.length) return Promise.resolve(this.lines.shift()!);
    if (this.closed) return Promise.resolve(null);
    return new Promise((r) => { this.waiting = r; });
  }
  async time(name: string, minTime: number): Promise<number | null> {
    this.proc.stdin.write(`${name} ${minTime}\n`);
    const l = await this.next();
    if (l === null) return null;
    const r = JSON.parse(l) as { time?: number; error?: string };
    if (r.error) { console.error(`PyTorch ${name}: ${r.error}`); return null; }
    return r.time ?? null;
  }
}

async function startTorch(): Promise<{ servers: TorchServer[]; info: string }> {
  if (!existsSync("/usr/bin/python3")) return { servers: [], info: "PyTorch not found (apt-get install python3-torch)" };
  const servers: TorchServer[] = [];
  let v = "";
  for (const blasThreads of threads > 1 ? [threads, 1] : [1]) {
    const proc = spawn("/usr/bin/python3", [join(root, "bench", "torch_ops.py"), String(threads)], { env: torchEnvFor(blasThreads) });
    const server = new TorchServer(proc);
    const first = await server.next();
    if (first === null) return { servers: [], info: "PyTorch failed to start" };
    v = (JSON.parse(first) as { torch: string }).torch;
    servers.push(server);
  }
  return { servers, info: `PyTorch ${v}, BLAS: ${blasInfo}, OMP_NUM_THREADS=${threads}, best of OPENBLAS_NUM_THREADS=${threads > 1 ? `${threads} and 1` : "1"}` };
}

/** Import time of each package in a fresh process, minus the bare interpreter's start-up. */
function importTimes(): { ours: number; theirs: number | null } {
  const wall = (cmd: string, args: string[], env?: NodeJS.ProcessEnv): number => {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { env: env ?? process.env, stdio: "ignore" });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed`);
    return (performance.now() - t0) / 1000;
  };
  const entry = join(root, "dist", "src", "index.js");
  const reps = 5, ours: number[] = [], base: number[] = [], py: number[] = [], pybase: number[] = [];
  const hasPy = existsSync("/usr/bin/python3");
  for (let i = 0; i < reps; i++) {
    base.push(wall(process.execPath, ["-e", "0"]));
    ours.push(wall(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(entry)})`]));
    if (hasPy) {
      pybase.push(wall("/usr/bin/python3", ["-c", "pass"], torchEnv));
      py.push(wall("/usr/bin/python3", ["-c", "import torch"], torchEnv));
    }
  }
  return { ours: median(ours) - median(base), theirs: hasPy ? median(py) - median(pybase) : null };
}

async function main(): Promise<void> {
  const { servers, info } = await startTorch();
  let commit = "unknown";
  try { commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root }).toString().trim(); } catch { /* not a checkout */ }
  const cpu = cpus()[0]?.model ?? "cpu";
  const isa = avx512 ? "AVX-512" : native.cpuFeatures()["avx2"] ? "AVX2" : "baseline";
  console.log(`torchts ${commit} | ${cpu} (${isa}) | threads ${threads} | ${rounds} interleaved rounds | ${info}`);
  const rows: { name: string; label: string; torchts: number; pytorch: number | null; ratio: number | null; torchtsRate?: string; pytorchRate?: string }[] = [];
  const header = `${"workload".padEnd(44)}${"torchts".padEnd(30)}${"PyTorch".padEnd(30)}ratio`;
  console.log(header);
  const print = (label: string, t: number, p: number | null, unit?: (s: number) => string) => {
    const cell = (s: number) => `${s >= 1e-3 ? `${(s * 1e3).toFixed(3)} ms` : `${(s * 1e6).toFixed(2)} µs`}${unit ? ` (${unit(s)})` : ""}`.padEnd(30);
    console.log(`${label.padEnd(44)}${cell(t)}${p ? cell(p) : "-".padEnd(30)}${p ? `${(p / t).toFixed(2)}x` : "-"}`);
  };
  for (const w of workloads) {
    let fn: () => void;
    try { fn = w.make(); } catch (e) { console.log(`${w.label.padEnd(44)}skipped: ${(e as Error).message}`); continue; }
    const ours: number[] = [], theirs: number[] = [];
    for (let r = 0; r < rounds; r++) {
      ours.push(medianTime(fn, w.minTime ?? 0.25));
      let best: number | null = null;
      for (const server of servers) {
        const p = await server.time(w.name, w.minTime ?? 0.25);
        if (p !== null && (best === null || p < best)) best = p;
      }
      if (best !== null) theirs.push(best);
    }
    const t = median(ours), p = theirs.length ? median(theirs) : null;
    print(w.label, t, p, w.unit);
    rows.push({ name: w.name, label: w.label, torchts: t, pytorch: p, ratio: p ? p / t : null,
      torchtsRate: w.unit?.(t), pytorchRate: p ? w.unit?.(p) : undefined });
  }
  const imp = importTimes();
  print("import (fresh process - bare start-up)", imp.ours, imp.theirs);
  rows.push({ name: "import", label: "import time", torchts: imp.ours, pytorch: imp.theirs, ratio: imp.theirs ? imp.theirs / imp.ours : null });
  console.log("ratio = PyTorch time / torchts time (> 1: torchts is faster). Shared, loaded VM: differences under ~15% are noise.");
  for (const server of servers) server.proc.stdin.end();
  const dir = join(root, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "ops-latest.json");  // overwritten by each run; the committed one matches bench/README.md
  writeFileSync(file, JSON.stringify({ commit, cpu, isa, threads, rounds, pytorch: info, date: new Date().toISOString(), rows }, null, 2));
  console.log(`wrote ${file}`);
}

await main();
