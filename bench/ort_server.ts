// SPDX-License-Identifier: BSD-3-Clause
// onnxruntime-node side of `npm run bench` (bench/ops.ts), a server in its own process like the
// PyTorch one (bench/torch_ops.py), so the frameworks are timed interleaved and never share a
// process. onnxruntime-node is an optional peer, never a dependency of torchts: bench/setup.sh
// installs it into bench/peers (git-ignored) and exports the models into bench/onnx; it is loaded
// here with a dynamic import from that folder.
//   node dist/bench/ort_server.js THREADS MODELDIR
// Prints {"ready": true, "ort": VERSION} (or {"error": ...} and exits), then answers one JSON line
// per request line:
//   {"cmd": "check", "name": N, "dir": D}  runs workload N once and checks it: matmuls against a
//       float64 product of a few rows computed here; models read their input from D/N.in.f32 and
//       write their output to D/N.ort.out.f32 for the caller to compare with torchts and PyTorch.
//   {"cmd": "time", "name": N, "minTime": S, "chunks": C}  -> {"time": seconds per call}
// Session options as in perf-baselines.md: intraOpNumThreads=THREADS, interOpNumThreads=1,
// graphOptimizationLevel "all", sequential execution. Inputs are created once; each timed call is
// an awaited `session.run` (its time includes the N-API call and the output allocation).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { medianTimeAsync } from "./harness.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Ort = any;
type Session = any;
type Feeds = Record<string, unknown>;

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const threads = Number(process.argv[2] ?? 2);
const modelDir = process.argv[3] ?? join(root, "bench", "onnx");
const say = (o: object): void => { process.stdout.write(`${JSON.stringify(o)}\n`); };

async function loadOrt(): Promise<Ort> {
  const peers = join(root, "bench", "peers");
  const entry = createRequire(join(peers, "package.json")).resolve("onnxruntime-node");
  const mod = await import(pathToFileURL(entry).href) as { default?: Ort } & Ort;
  return mod.InferenceSession ? mod : mod.default;
}

let ort: Ort;
try {
  ort = await loadOrt();
} catch (e) {
  say({ error: `onnxruntime-node not found in bench/peers (bash bench/setup.sh): ${(e as Error).message.split("\n")[0]}` });
  process.exit(0);
}

const sessions = new Map<string, Session>();
async function session(model: string): Promise<Session> {
  const file = join(modelDir, `${model}.onnx`);
  if (!existsSync(file)) throw new Error(`${file} missing (bash bench/setup.sh, or /usr/bin/python3 bench/export_onnx.py)`);
  if (!sessions.has(model))
    sessions.set(model, await ort.InferenceSession.create(file,
      { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: "all", executionMode: "sequential" }));
  return sessions.get(model);
}

/** Deterministic uniform [0, 1) data (an LCG), as torch.rand gives on the other sides. */
function rand(n: number, seed: number, f64 = false): Float32Array | Float64Array {
  const d = f64 ? new Float64Array(n) : new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; d[i] = s / 2 ** 32; }
  return d;
}

interface Work { run: () => Promise<unknown>; check: (dir: string) => Promise<void> }
const works = new Map<string, Work>();

async function matmulWork(name: string): Promise<Work> {
  // matmul_SIZE[_nt|_tn|_tt][_f64] or bmm_BATCHxSIZE: square operands, as in bench/ops.ts
  let batch = 0, size: number, tr = "nn", f64 = false;
  if (name.startsWith("bmm_")) [batch, size] = name.slice(4).split("x").map(Number) as [number, number];
  else {
    const parts = name.split("_");
    size = Number(parts[1]);
    if (["nt", "tn", "tt"].includes(parts[2] ?? "")) tr = parts[2]!;
    f64 = parts[parts.length - 1] === "f64";
  }
  const s = await session(batch ? "bmm" : f64 ? "matmul_f64" : `matmul_${tr}`);
  const shape = batch ? [batch, size, size] : [size, size], numel = (batch || 1) * size * size;
  const a = rand(numel, 1, f64), b = rand(numel, 2, f64);
  const dtype = f64 ? "float64" : "float32";
  const feeds: Feeds = { in0: new ort.Tensor(dtype, a, shape), in1: new ort.Tensor(dtype, b, shape) };
  const run = (): Promise<unknown> => s.run(feeds);
  const check = async (): Promise<void> => {
    const c = (await s.run(feeds)).out.data as Float32Array | Float64Array;
    const at = (m: Float32Array | Float64Array, t: boolean, off: number, i: number, k: number): number => m[off + (t ? k * size + i : i * size + k)]!;
    for (let p = 0; p < Math.max(batch, 1); p += Math.max(1, Math.floor(batch / 3))) {
      const off = p * size * size;
      for (let i = 0; i < Math.min(8, size); i++)
        for (let j = 0; j < size; j++) {
          let ref = 0;
          for (let k = 0; k < size; k++) ref += at(a, tr[0] === "t", off, i, k) * at(b, tr[1] === "t", off, k, j);
          const got = c[off + i * size + j]!;
          if (!(Math.abs(got - ref) <= 1e-5 + 1e-4 * Math.abs(ref))) throw new Error(`${name}: wrong result at [${p},${i},${j}]: ${got} vs ${ref}`);
        }
    }
  };
  return { run, check };
}

async function modelWork(name: string): Promise<Work> {
  // lenet_infer_B, mlp_infer_B, resnet18_B: input from DIR/NAME.in.f32 (written by bench/ops.ts)
  const [model, shape] = name.startsWith("lenet_infer_") ? ["lenet", [Number(name.slice(12)), 3, 32, 32]]
    : name.startsWith("mlp_infer_") ? ["mlp", [Number(name.slice(10)), 784]]
    : name.startsWith("resnet18_") ? ["resnet18", [Number(name.slice(9)), 3, 224, 224]]
    : [null, []] as const;
  if (!model) throw new Error(`no ORT workload ${name}`);
  const s = await session(model);
  let feeds: Feeds | null = null;
  const run = (): Promise<unknown> => {
    if (!feeds) throw new Error(`${name}: not checked`);
    return s.run(feeds);
  };
  const check = async (dir: string): Promise<void> => {
    const buf = readFileSync(join(dir, `${name}.in.f32`));
    const x = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    if (x.length !== shape.reduce((p, q) => p * q, 1)) throw new Error(`${name}: input has ${x.length} elements`);
    feeds = { in0: new ort.Tensor("float32", x, shape) };
    const y = (await s.run(feeds)).out.data as Float32Array;
    writeFileSync(join(dir, `${name}.ort.out.f32`), Buffer.from(y.buffer, y.byteOffset, y.byteLength));
  };
  return { run, check };
}

async function work(name: string): Promise<Work> {
  if (!works.has(name)) works.set(name, await (name.startsWith("matmul_") || name.startsWith("bmm_") ? matmulWork(name) : modelWork(name)));
  return works.get(name)!;
}

say({ ready: true, ort: ort.env?.versions?.common ?? "?" });
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const req = JSON.parse(line) as { cmd: string; name: string; dir?: string; minTime?: number; chunks?: number };
  try {
    const w = await work(req.name);
    if (req.cmd === "check") { await w.check(req.dir ?? ""); say({ name: req.name, ok: true }); }
    else say({ name: req.name, time: await medianTimeAsync(w.run, req.minTime ?? 0.25, req.chunks ?? 7) });
  } catch (e) {
    say({ name: req.name, error: (e as Error).message });
  }
}
