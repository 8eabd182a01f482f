// SPDX-License-Identifier: BSD-3-Clause
// `npm run bench [-- threads [rounds [filter]]]`: every workload of issue "CPU speed", for torchts
// and, in the same run, for PyTorch (Debian's, with OpenBLAS from bench/setup.sh) and
// onnxruntime-node (the inference and matmul rows; an optional peer installed by bench/setup.sh
// into bench/peers). Each peer is a server in its own process (bench/torch_ops.py,
// bench/ort_server.ts), and each workload is timed interleaved: torchts, then each peer, for
// `rounds` rounds; the table shows the medians over the rounds and the ratio
// best peer's time / torchts time (> 1: torchts is faster). Every result is checked before it is
// timed: torchts against float64 (or, for training, that the loss falls), and the models
// (LeNet, MLP, ResNet-18, one set of weights from bench/onnx/*.pt loaded into all three) output
// against output. One table to stdout, JSON to bench/results/bench-latest.json.
// filter: a regular expression on the row names; "all" adds the extra rows (nn spatial kernels).
import { type ChildProcessWithoutNullStreams, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import * as torch from "../src/index.js";
import { medianTime } from "./harness.js";
import type { Tensor } from "../src/index.js";
import { native } from "../src/backends/cpu/native.js";
import * as nn from "../src/nn/index.js";
import * as optim from "../src/optim/index.js";
import { models } from "../src/vision/index.js";
import { Net, lenetTrainer, mlp } from "./nets.js";

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

const threads = Number(process.argv[2] ?? 2);
const rounds = Number(process.argv[3] ?? 3);
const filterArg = process.argv[4] ?? "";
const withExtra = filterArg === "all";
const filter = filterArg && !withExtra ? new RegExp(filterArg) : null;
torch.setNumThreads(threads);
torch.manualSeed(0);
const n = 16 * 1024 * 1024;
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const modelDir = join(root, "bench", "onnx");

function assertClose(got: Tensor, want: Tensor, what: string, rtol = 1e-4): void {
  if (!torch.allclose(got.double(), want.double(), { rtol, atol: 1e-5 })) throw new Error(`${what}: wrong result, not timed`);
}

type Peer = "torch" | "ort";
/** What a workload's make() gives: the call to time, and for model rows the input the peers get and torchts's output. */
interface Made { run: () => void; input?: Tensor; output?: Float32Array; tol?: number }
interface Workload {
  name: string; label: string; unit?: (s: number) => string; minTime?: number; chunks?: number;
  peers: Peer[]; extra?: boolean; make: () => Made | (() => void);
  /** No BLAS call inside: PyTorch runs in its OPENBLAS_NUM_THREADS=1 configuration only. */
  noBlas?: boolean;
}
const gflops = (flop: number) => (s: number) => `${(flop / s / 1e9).toFixed(0)} GFLOP/s`;
const gbps = (bytes: number) => (s: number) => `${(bytes / s / 1e9).toFixed(1)} GB/s`;
const imgs = (batch: number) => (s: number) => `${batch / s >= 1e4 ? `${(batch / s / 1e3).toFixed(1)}k` : (batch / s).toFixed(0)} img/s`;
const workloads: Workload[] = [];

// ---- matmul -----------------------------------------------------------------------------------
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
for (const size of [256, 512, 1024, 2048])
  for (const tr of size === 1024 ? ["nn", "nt", "tn", "tt"] : ["nn"]) {
    const name = `matmul_${size}${tr === "nn" ? "" : `_${tr}`}`;
    workloads.push({
      name, label: `matmul ${size}² f32${tr === "nn" ? "" : ` (${tr === "nt" ? "A@B.T" : tr === "tn" ? "A.T@B" : "A.T@B.T"})`}`,
      unit: gflops(2 * size ** 3), minTime: size >= 2048 ? 0.5 : 0.25, peers: ["torch", "ort"],
      make: () => {
        const A = tr[0] === "t" ? mat(size, size).t() : mat(size, size), B = tr[1] === "t" ? mat(size, size).t() : mat(size, size);
        checkMm(A, B, torch.mm(A, B), name);
        return () => torch.mm(A, B);
      },
    });
  }
workloads.push({
  name: "matmul_1024_f64", label: "matmul 1024² f64", unit: gflops(2 * 1024 ** 3), peers: ["torch", "ort"],
  make: () => {
    const A = mat(1024, 1024, "float64"), B = mat(1024, 1024, "float64");
    checkMm(A, B, torch.mm(A, B), "matmul_1024_f64");
    return () => torch.mm(A, B);
  },
});
for (const [bs, size] of [[256, 16], [32, 64], [8, 256]] as const)
  workloads.push({
    name: `bmm_${bs}x${size}`, label: `bmm ${bs} x ${size}² f32`, unit: gflops(2 * bs * size ** 3), peers: ["torch", "ort"],
    make: () => {
      const A = torch.rand(bs, size, size), B = torch.rand(bs, size, size);
      checkMm(A, B, torch.bmm(A, B), "bmm");
      return () => torch.bmm(A, B);
    },
  });
workloads.push({
  name: "mv_4096", label: "mv 4096² f32", unit: gbps(4 * 4096 * 4096), peers: ["torch"],
  make: () => {
    const A = mat(4096, 4096), x = torch.rand(4096);
    checkMm(A, x.unsqueeze(1), torch.mv(A, x).unsqueeze(1), "mv");
    return () => torch.mv(A, x);
  },
});

// ---- networks: training steps, then inference with shared weights ------------------------------
/** A fixed batch's loss must fall over 20 steps before the step is timed. */
function checkFalls(step: () => number, what: string): void {
  const first = step();
  let last = first;
  for (let i = 0; i < 20; i++) last = step();
  if (!(last < first)) throw new Error(`${what}: loss did not fall (${first} -> ${last}), not timed`);
}
for (const batch of [4, 64])
  workloads.push({
    name: `lenet_train_${batch}`, label: `LeNet training step, batch ${batch}`, unit: imgs(batch), peers: ["torch"],
    make: () => {
      torch.manualSeed(0);
      const { step } = lenetTrainer(batch);
      checkFalls(step, `lenet_train_${batch}`);
      return () => { step(); };
    },
  });
workloads.push({
  name: "mlp_adam_64", label: "MLP 784-256-10 + Adam step, batch 64", unit: imgs(64), peers: ["torch"],
  make: () => {
    torch.manualSeed(0);
    const model = mlp();
    const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
    const x = torch.rand(64, 784), y = torch.randint(0, 10, [64]);
    const step = (): number => {
      opt.zeroGrad();
      const loss = nn.functional.crossEntropy(model.forward(x) as Tensor, y);
      loss.backward();
      opt.step();
      return loss.item() as number;
    };
    checkFalls(step, "mlp_adam_64");
    return () => { step(); };
  },
});
/** Inference (eval, no grad) with the weights every framework loads from bench/onnx/<model>.pt. */
function inference(model: "lenet" | "mlp" | "resnet18", build: () => nn.Module, shape: number[], tol: number): () => Made {
  return () => {
    const file = join(modelDir, `${model}.pt`);
    if (!existsSync(file)) throw new Error(`${file} missing (/usr/bin/python3 bench/export_onnx.py)`);
    const net = build().eval();
    const missing = net.loadStateDict(torch.load(file) as Record<string, Tensor>);
    if (missing.missingKeys.length || missing.unexpectedKeys.length) throw new Error(`${model}: state dict does not fit`);
    const x = torch.randn(shape);
    const y = torch.noGrad(() => net.forward(x) as Tensor);
    if (!y.isfinite().all().item()) throw new Error(`${model}: non-finite output`);
    return { run: () => { torch.noGrad(() => net.forward(x)); }, input: x, output: Float32Array.from(y.contiguous().numpy() as Float32Array), tol };
  };
}
for (const batch of [4, 64])
  workloads.push({
    name: `lenet_infer_${batch}`, label: `LeNet inference, batch ${batch}`, unit: imgs(batch), peers: ["torch", "ort"],
    make: inference("lenet", () => new Net(), [batch, 3, 32, 32], 1e-4),
  });
workloads.push({
  name: "mlp_infer_64", label: "MLP 784-256-10 inference, batch 64", unit: imgs(64), peers: ["torch", "ort"],
  make: inference("mlp", () => mlp(true), [64, 784], 1e-4),
});
for (const batch of [1, 8])
  workloads.push({
    name: `resnet18_${batch}`, label: `ResNet-18 inference [${batch},3,224,224]`, unit: imgs(batch), peers: ["torch", "ort"],
    minTime: 0.5, chunks: batch > 1 ? 5 : 7,
    make: inference("resnet18", () => models.getModel("resnet18"), [batch, 3, 224, 224], 1e-3),
  });

// ---- elementwise, reduction, per-op overhead ----------------------------------------------------
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
    name, label, unit: gbps(bytes * n), peers: ["torch"], noBlas: true,
    make: () => {
      const [a, b, c] = big();
      const s = 12345;  // spot-check a slice (a full float64 copy of 16M would dominate the run)
      assertClose(run(a, b, c).narrow(0, s, 1000), ref(a.narrow(0, s, 1000), b.narrow(0, s, 1000)), name, 1e-6);
      return () => run(a, b, c);
    },
  });
workloads.push({
  name: "sum_16M", label: "sum 16M f32", unit: gbps(4 * n), peers: ["torch"], noBlas: true,
  make: () => {
    const [a] = big();
    assertClose(a.sum(), a.double().sum(), "sum", 1e-5);
    return () => a.sum();
  },
});
workloads.push({
  name: "add_1_nograd", label: "a.add(b), 1 element, no grad", peers: ["torch"], noBlas: true,
  make: () => {
    const a = torch.rand(1), b = torch.rand(1);
    assertClose(a.add(b), a.double().add(b.double()), "add_1");
    return () => a.add(b);
  },
});
workloads.push({
  name: "add_1_grad", label: "a.add(b), 1 element, recording", peers: ["torch"], noBlas: true,
  make: () => {
    const a = torch.rand(1, { requiresGrad: true }), b = torch.rand(1);
    const y = a.add(b);
    if (y.gradFn?.name() !== "AddBackward0") throw new Error("add_1_grad: not recorded");
    assertClose(y.detach(), a.detach().double().add(b.double()), "add_1_grad");
    return () => a.add(b);
  },
});

// ---- extra rows (filter "all"): nn spatial kernels, forward + backward (same shapes in torch_ops.py)
function grad(...shape: number[]): Tensor { return torch.randn(shape).requiresGrad_(); }
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
for (const [name, label, make] of spatial)
  workloads.push({ name, label, peers: ["torch"], extra: true, noBlas: true, make: () => { const f = make(); return () => { f(); }; } });

// ---- the peers: servers in child processes, one JSON line per request and per answer -------------
const openblas = join(root, "bench", ".openblas", "usr", "lib", "x86_64-linux-gnu", "openblas-pthread");
const avx512 = native.cpuFeatures()["avx512f"] === true;
// PyTorch's best setting differs by workload: OpenBLAS threads at the thread count for big
// matmuls, OPENBLAS_NUM_THREADS=1 (OpenMP threads only) for the rest (issue "CPU speed"). Both
// configurations run, and each workload takes the faster of the two in each round (rows with no
// BLAS call inside, `noBlas`, run the OPENBLAS_NUM_THREADS=1 one only: the other is the same there).
const torchEnvFor = (blasThreads: number): NodeJS.ProcessEnv => ({
  ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(blasThreads),
  // SkylakeX kernels only where the CPU has AVX-512 (OpenBLAS dies with SIGILL otherwise)
  ...(existsSync(openblas) ? { LD_LIBRARY_PATH: openblas, ...(avx512 ? { OPENBLAS_CORETYPE: "SkylakeX" } : {}) } : {}),
});
const torchEnv = torchEnvFor(1);
const blasInfo = existsSync(openblas) ? `OpenBLAS (${avx512 ? "SkylakeX" : "auto-detected"} kernels)` : "Debian default (netlib reference: run bench/setup.sh)";

interface Answer { ready?: boolean; torch?: string; ort?: string; ok?: boolean; time?: number; error?: string }
class PeerServer {
  private lines: string[] = [];
  private waiting: ((l: string | null) => void) | null = null;
  private closed = false;
  private stderr = "";
  constructor(readonly peer: Peer, readonly tag: string, readonly proc: ChildProcessWithoutNullStreams) {
    createInterface({ input: proc.stdout }).on("line", (l) => this.push(l)).on("close", () => { this.closed = true; this.push(null); });
    proc.stderr.on("data", (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-2000); });
  }
  private push(l: string | null): void {
    if (this.waiting) { const w = this.waiting; this.waiting = null; w(l); } else if (l !== null) this.lines.push(l);
  }
  async next(): Promise<Answer | null> {
    const l = this.lines.length ? this.lines.shift()! : this.closed ? null : await new Promise<string | null>((r) => { this.waiting = r; });
    if (l === null) return { error: `${this.tag} exited: ${this.stderr.trim().split("\n").pop() ?? ""}` };
    try { return JSON.parse(l) as Answer; } catch { return this.next(); }  // a stray line (a library's warning)
  }
  async ask(req: object): Promise<Answer> {
    if (this.closed) return { error: `${this.tag} is not running` };
    this.proc.stdin.write(`${JSON.stringify(req)}\n`);
    return (await this.next())!;
  }
  /** Ends the server and waits for it to exit (killed after 10 s), so nothing of it is left during the import and RSS rows. */
  async close(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.proc.once("exit", () => r()));
    this.proc.stdin.end();
    const timer = setTimeout(() => this.proc.kill(), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

async function start(peer: Peer, tag: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ server?: PeerServer; info: string }> {
  const server = new PeerServer(peer, tag, spawn(cmd, args, { env, cwd: join(root, "bench") }));
  const first = await server.next();
  if (!first?.ready) { await server.close(); return { info: first?.error ?? "failed to start" }; }
  return { server, info: first.torch ?? first.ort ?? "" };
}

/** The shared weights and the ONNX models (bench/export_onnx.py); made here if missing and PyTorch is there. */
function ensureModels(): string {
  const want = ["lenet", "mlp", "resnet18"].map((m) => join(modelDir, `${m}.pt`));
  if (want.every((f) => existsSync(f))) return "";
  if (!existsSync("/usr/bin/python3")) return "no shared weights (bench/onnx missing, no /usr/bin/python3)";
  console.log("exporting the benchmark models to bench/onnx (bench/export_onnx.py) ...");
  const r = spawnSync("/usr/bin/python3", [join(root, "bench", "export_onnx.py"), modelDir], { stdio: ["ignore", "ignore", "pipe"] });
  return r.status === 0 ? "" : `bench/export_onnx.py failed: ${r.stderr.toString().trim().split("\n").pop()}`;
}

async function startPeers(): Promise<{ servers: PeerServer[]; torchInfo: string; ortInfo: string }> {
  const servers: PeerServer[] = [];
  let torchInfo: string, ortInfo: string;
  if (!existsSync("/usr/bin/python3")) torchInfo = "PyTorch not found (bash bench/setup.sh)";
  else {
    let v = "";
    torchInfo = "";
    for (const blasThreads of threads > 1 ? [threads, 1] : [1]) {
      const s = await start("torch", `torch_blas${blasThreads}`, "/usr/bin/python3", [join(root, "bench", "torch_ops.py"), String(threads), modelDir], torchEnvFor(blasThreads));
      if (!s.server) { torchInfo = `PyTorch failed to start: ${s.info}`; break; }
      servers.push(s.server);
      v = s.info;
    }
    if (!torchInfo)
      torchInfo = `PyTorch ${v}, BLAS: ${blasInfo}, OMP_NUM_THREADS=${threads}, best of OPENBLAS_NUM_THREADS=${threads > 1 ? `${threads} and 1` : "1"}`;
  }
  const ortEntry = join(root, "bench", "peers", "node_modules", "onnxruntime-node");
  if (!existsSync(ortEntry)) ortInfo = "onnxruntime-node not installed (optional: bash bench/setup.sh)";
  else {
    const s = await start("ort", "ort", process.execPath, [join(root, "dist", "bench", "ort_server.js"), String(threads), modelDir], process.env);
    if (s.server) { servers.push(s.server); ortInfo = `onnxruntime-node ${s.info} (intraOpNumThreads=${threads}, interOpNumThreads=1, graphOptimizationLevel all, sequential)`; }
    else ortInfo = `onnxruntime-node failed to start: ${s.info}`;
  }
  return { servers, torchInfo, ortInfo };
}

// ---- checks of the model rows: each peer's output against the reference -------------------------
/** Largest |got - want| relative to the largest |want|. */
function relDiff(got: Float32Array, want: Float32Array): number {
  if (got.length !== want.length) return Infinity;
  let d = 0, m = 0;
  for (let i = 0; i < want.length; i++) { d = Math.max(d, Math.abs(got[i]! - want[i]!)); m = Math.max(m, Math.abs(want[i]!)); }
  return Number.isFinite(d) ? d / Math.max(m, 1e-30) : Infinity;
}
function readF32(file: string): Float32Array {
  const b = readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

// ---- import time and peak RSS, each in fresh processes ------------------------------------------
function wall(cmd: string, args: string[], env?: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env: env ?? process.env, stdio: "ignore" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed`);
  return (performance.now() - t0) / 1000;
}
/** Import time of each package in a fresh process, minus the bare interpreter's start-up. */
function importTimes(hasTorch: boolean): { ours: number; theirs: number | null } {
  const entry = join(root, "dist", "src", "index.js");
  const reps = 5, ours: number[] = [], base: number[] = [], py: number[] = [], pybase: number[] = [];
  for (let i = 0; i < reps; i++) {
    base.push(wall(process.execPath, ["-e", "0"]));
    ours.push(wall(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(entry)})`]));
    if (hasTorch) {
      pybase.push(wall("/usr/bin/python3", ["-c", "pass"], torchEnv));
      py.push(wall("/usr/bin/python3", ["-c", "import torch"], torchEnv));
    }
  }
  return { ours: median(ours) - median(base), theirs: hasTorch ? median(py) - median(pybase) : null };
}
/** Peak RSS (VmHWM, MiB) of LeNet training at batch 64 for `steps` steps, each framework in a fresh child process. */
function peakRss(hasTorch: boolean, steps = 200): { ours: number; theirs: number | null; detail: object } {
  const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv): { peakMiB: number; afterImportMiB: number } => {
    const r = spawnSync(cmd, args, { env, cwd: join(root, "bench") });
    if (r.status !== 0) throw new Error(`${args[0]}: ${r.stderr.toString().trim().split("\n").pop()}`);
    return JSON.parse(r.stdout.toString().trim().split("\n").pop()!) as { peakMiB: number; afterImportMiB: number };
  };
  const ours = run(process.execPath, [join(root, "dist", "bench", "rss_lenet.js"), String(threads), String(steps)], process.env);
  const theirs = hasTorch ? run("/usr/bin/python3", [join(root, "bench", "torch_rss.py"), String(threads), String(steps)], torchEnv) : null;
  return { ours: ours.peakMiB, theirs: theirs?.peakMiB ?? null, detail: { steps, torchts: ours, pytorch: theirs } };
}

// ---- the run --------------------------------------------------------------------------------------
interface Row {
  name: string; label: string; unit: "s" | "MiB";
  torchts: number | null; pytorch: number | null; ort: number | null;
  best: "PyTorch" | "ORT" | null; ratio: number | null; note?: string; check?: Record<string, number>;
  torchtsRate?: string; pytorchRate?: string; ortRate?: string; detail?: object;
}

async function main(): Promise<void> {
  const modelNote = ensureModels();
  const { servers, torchInfo, ortInfo } = await startPeers();
  const torchServers = servers.filter((s) => s.peer === "torch"), ortServer = servers.find((s) => s.peer === "ort");
  let commit = "unknown";
  try { commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root }).toString().trim(); } catch { /* not a checkout */ }
  const cpu = cpus()[0]?.model ?? "cpu";
  const isa = avx512 ? "AVX-512" : native.cpuFeatures()["avx2"] ? "AVX2" : "baseline";
  console.log(`torchts ${commit} | ${cpu} (${isa}), ${cpus().length} CPUs | threads ${threads} | ${rounds} interleaved rounds`);
  console.log(`  ${torchInfo}\n  ${ortInfo}${modelNote ? `\n  ${modelNote}` : ""}`);
  const W = [42, 30, 30, 30, 8];
  const fmt = (s: number | null, unit?: (s: number) => string): string =>
    s === null ? "-" : `${s >= 1e-3 ? `${(s * 1e3).toFixed(s >= 0.1 ? 0 : 3)} ms` : `${(s * 1e6).toFixed(2)} µs`}${unit ? ` (${unit(s)})` : ""}`;
  const line = (cells: string[]): void => console.log(cells.map((c, i) => (i < W.length ? c.padEnd(W[i]!) : c)).join(" "));
  line(["workload", "torchts", "PyTorch", "onnxruntime", "best", "ratio"]);
  const rows: Row[] = [];
  const emit = (r: Row, cells: [string, string, string]): void => {
    rows.push(r);
    line([r.label, ...cells, r.best ?? "-", r.ratio === null ? "-" : `${r.ratio.toFixed(2)}x${r.note ? "  (see the note above)" : ""}`]);
  };
  const dir = mkdtempSync(join(tmpdir(), "torchts-bench-"));
  try {
    rowLoop: for (const w of workloads) {
      if (w.extra && !withExtra) continue;
      if (filter && !filter.test(w.name)) continue;
      let made: Made;
      try {
        const m = w.make();
        made = typeof m === "function" ? { run: m } : m;
      } catch (e) { line([w.label, `skipped: ${(e as Error).message}`]); continue; }
      // peers: build and check, before anything is timed
      const notes: string[] = [], check: Record<string, number> = {};
      if (made.input) writeFileSync(join(dir, `${w.name}.in.f32`), made.input.contiguous().numpy() as Float32Array);
      const active: PeerServer[] = [];
      let reference: Float32Array | null = null;
      for (const s of [...torchServers, ...(ortServer ? [ortServer] : [])]) {
        if (!w.peers.includes(s.peer)) continue;
        if (w.noBlas && s.peer === "torch" && s !== torchServers[torchServers.length - 1]) continue;  // the BLAS-1 one is last
        const a = await s.ask({ cmd: "check", name: w.name, dir, tag: s.tag });
        if (a.error) { notes.push(`${s.tag}: ${a.error}`); continue; }
        if (made.output) {
          const out = readF32(join(dir, `${w.name}.${s.tag}.out.f32`));
          if (s.peer === "torch" && !reference) {
            reference = out;  // PyTorch is the reference: torchts must agree with it to be timed
            check["torchts_vs_pytorch"] = relDiff(made.output, out);
            if (!(check["torchts_vs_pytorch"] <= made.tol!)) {
              line([w.label, `WRONG: torchts output differs from PyTorch's by ${check["torchts_vs_pytorch"].toExponential(1)} of the largest, not timed`]);
              rows.push({ name: w.name, label: w.label, unit: "s", torchts: null, pytorch: null, ort: null, best: null, ratio: null, note: "torchts wrong", check });
              continue rowLoop;
            }
          }
          const d = relDiff(out, reference ?? made.output);
          check[`${s.tag}_vs_${reference ? "pytorch" : "torchts"}`] = d;
          if (!(d <= made.tol!)) { notes.push(`${s.tag} output differs by ${d.toExponential(1)}, not timed`); continue; }
        }
        active.push(s);
      }
      const ours: number[] = [], torchTimes: number[] = [], ortTimes: number[] = [];
      for (let r = 0; r < rounds; r++) {
        ours.push(medianTime(made.run, w.minTime ?? 0.25, w.chunks ?? 7));
        let best: number | null = null;
        for (const s of active) {
          const a = await s.ask({ cmd: "time", name: w.name, minTime: w.minTime ?? 0.25, chunks: w.chunks ?? 7 });
          if (a.error || a.time === undefined) { notes.push(`${s.tag}: ${a.error}`); continue; }
          if (s.peer === "ort") ortTimes.push(a.time);
          else if (best === null || a.time < best) best = a.time;
        }
        if (best !== null) torchTimes.push(best);
      }
      const t = median(ours), p = torchTimes.length ? median(torchTimes) : null, o = ortTimes.length ? median(ortTimes) : null;
      const bestPeer = p === null && o === null ? null : o === null || (p !== null && p <= o) ? "PyTorch" : "ORT";
      const b = bestPeer === "PyTorch" ? p : o;
      const note = [...new Set(notes)].join("; ");
      if (note) console.error(`  ${w.name}: ${note}`);
      emit({ name: w.name, label: w.label, unit: "s", torchts: t, pytorch: p, ort: o, best: bestPeer, ratio: b === null ? null : b / t,
        note: note || undefined, check: Object.keys(check).length ? check : undefined,
        torchtsRate: w.unit?.(t), pytorchRate: p === null ? undefined : w.unit?.(p), ortRate: o === null ? undefined : w.unit?.(o) },
      [fmt(t, w.unit), fmt(p, w.unit), fmt(o, w.unit)]);
    }
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  }
  const hasTorch = torchServers.length > 0;
  if (!filter || filter.test("import")) {
    const imp = importTimes(hasTorch);
    emit({ name: "import", label: "import (fresh process - bare start-up)", unit: "s", torchts: imp.ours, pytorch: imp.theirs, ort: null,
      best: imp.theirs === null ? null : "PyTorch", ratio: imp.theirs === null ? null : imp.theirs / imp.ours }, [fmt(imp.ours), fmt(imp.theirs), "-"]);
  }
  if (!filter || filter.test("rss")) {  // once: it varies little, and PyTorch's 200 steps are slow on a loaded machine
    const m = peakRss(hasTorch);
    emit({ name: "peak_rss_lenet_train_64", label: "peak RSS, LeNet training batch 64", unit: "MiB", torchts: m.ours, pytorch: m.theirs, ort: null,
      best: m.theirs === null ? null : "PyTorch", ratio: m.theirs === null ? null : m.theirs / m.ours, detail: m.detail },
    [`${m.ours.toFixed(0)} MiB`, m.theirs === null ? "-" : `${m.theirs.toFixed(0)} MiB`, "-"]);
  }
  console.log("ratio = best peer's time / torchts time (peak RSS: PyTorch's / torchts's); > 1: torchts is ahead. best = the peer it is compared with.");
  console.log("Shared, loaded VM: differences under ~15% are noise.");
  const resultsDir = join(root, "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, "bench-latest.json");  // overwritten by each run; the committed one matches bench/README.md
  writeFileSync(file, `${JSON.stringify({ commit, cpu, isa, cpus: cpus().length, threads, rounds, filter: filterArg || undefined,
    pytorch: torchInfo, onnxruntime: ortInfo, date: new Date().toISOString(), rows }, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

await main();
