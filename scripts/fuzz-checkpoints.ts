// SPDX-License-Identifier: BSD-3-Clause
// Fuzzes torch.load and torch.safetensors.load (reliability.md §6 SEC-6): bit flips, byte
// overwrites, truncations and splices of the good fixtures, mutations of data.pkl re-wrapped in a
// valid zip (so they get past the CRC and reach the unpickler), and random opcode streams. Every
// input must load or throw CheckpointError: no other exception, no input over 1 s, bounded memory.
//
//   npx tsc -p tsconfig.json && node dist/scripts/fuzz-checkpoints.js [count=100000] [seed=1]
//
// test/serialization/fuzz.test.ts runs a fixed-seed slice of 5,000 inputs.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as torch from "../src/index.js";
import { ZipWriter, readZip } from "../src/serialization/zip.js";

const { CheckpointError } = torch.serialization;

/** mulberry32 */
export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fixturesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try { if (readdirSync(join(dir, "test", "fixtures", "checkpoints")).length) return join(dir, "test", "fixtures", "checkpoints"); } catch { /* up */ }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("test/fixtures/checkpoints not found");
    dir = parent;
  }
}

interface Seed { name: string; bytes: Buffer; kind: "pt" | "st" }

export function seeds(): Seed[] {
  const dir = fixturesDir();
  const out: Seed[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (f.startsWith("mal_")) continue;
    if (f.endsWith(".pt")) out.push({ name: f, bytes: readFileSync(join(dir, f)), kind: "pt" });
    else if (f.endsWith(".safetensors")) out.push({ name: f, bytes: readFileSync(join(dir, f)), kind: "st" });
  }
  // one written by torchts, with nested values of every kind
  const t = torch.arange(6, { dtype: "float32" }).reshape(2, 3);
  out.push({
    name: "torchts", kind: "pt",
    bytes: torch.serialization.saveToBuffer({ t, v: t.T, n: [1, 2.5, null, true, "s", torch.serialization.tuple([1n << 70n])], m: new Map([[1, t]]) }),
  });
  return out;
}

/** The records of a zip seed, to re-wrap a mutated data.pkl with valid CRCs. */
function records(buf: Buffer): [string, Uint8Array][] | null {
  try {
    const z = readZip(buf);
    return [...z.entries.values()].map((e) => [e.name, buf.subarray(e.dataOffset, e.dataOffset + e.size)]);
  } catch { return null; }
}

function wrap(recs: [string, Uint8Array][]): Buffer {
  const chunks: Uint8Array[] = [];
  const z = new ZipWriter((c) => chunks.push(c));
  for (const [n, d] of recs) z.addRecord(n, [d]);
  z.finish();
  return Buffer.concat(chunks);
}

const OPCODES = [0x28, 0x2e, 0x30, 0x31, 0x32, 0x4a, 0x4b, 0x4d, 0x4e, 0x51, 0x52, 0x58, 0x61, 0x62, 0x63, 0x65, 0x68, 0x6a,
  0x5d, 0x71, 0x72, 0x73, 0x74, 0x29, 0x75, 0x7d, 0x47, 0x80, 0x81, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x8f, 0x90, 0x93, 0x94, 0x95];
const NAMES = ["collections\nOrderedDict\n", "torch._utils\n_rebuild_tensor_v2\n", "torch._utils\n_rebuild_parameter\n", "torch\nFloatStorage\n",
  "torch\nLongStorage\n", "torch\nSize\n", "torch\ndevice\n", "builtins\nset\n", "_codecs\nencode\n", "torch\nfloat32\n", "os\nsystem\n"];

function randomPickle(r: () => number): Uint8Array {
  const out: number[] = [0x80, 2];
  const n = 1 + Math.floor(r() * 60);
  const str = (s: string): void => { const b = Buffer.from(s); out.push(0x58, b.length, 0, 0, 0, ...b); };
  for (let i = 0; i < n; i++) {
    const op = OPCODES[Math.floor(r() * OPCODES.length)]!;
    out.push(op);
    switch (op) {
      case 0x4a: out.push(...[0, 0, 0, 0].map(() => Math.floor(r() * 256))); break;
      case 0x4b: case 0x68: case 0x71: out.push(Math.floor(r() * 8)); break;
      case 0x4d: out.push(Math.floor(r() * 256), Math.floor(r() * 4)); break;
      case 0x6a: case 0x72: out.push(Math.floor(r() * 8), 0, 0, 0); break;
      case 0x58: out.pop(); str(["storage", "0", "cpu", "a", "_metadata", ""][Math.floor(r() * 6)]!); break;
      case 0x8c: out.push(1, 0x61); break;
      case 0x63: out.push(...Buffer.from(NAMES[Math.floor(r() * NAMES.length)]!)); break;
      case 0x47: out.push(...[0, 0, 0, 0, 0, 0, 0, 0].map(() => Math.floor(r() * 256))); break;
      case 0x80: out.push(2 + Math.floor(r() * 4)); break;
      case 0x8a: { const k = Math.floor(r() * 10); out.push(k, ...Array.from({ length: k }, () => Math.floor(r() * 256))); break; }
      case 0x95: out.push(Math.floor(r() * 200), 0, 0, 0, 0, 0, 0, 0); break;
      default: break;
    }
  }
  if (r() < 0.8) out.push(0x2e);
  return Uint8Array.from(out);
}

/** The i-th input of a run: deterministic in (seed, i). */
export function mutate(all: Seed[], r: () => number): { bytes: Uint8Array; kind: "pt" | "st" } {
  const s = all[Math.floor(r() * all.length)]!;
  const b = Buffer.from(s.bytes);
  const strategy = Math.floor(r() * 7);
  switch (strategy) {
    case 0: { // bit flips
      const k = 1 + Math.floor(r() * 8);
      for (let j = 0; j < k; j++) { const p = Math.floor(r() * b.length); b[p] = b[p]! ^ (1 << Math.floor(r() * 8)); }
      return { bytes: b, kind: s.kind };
    }
    case 1: { // interesting bytes
      const k = 1 + Math.floor(r() * 4);
      for (let j = 0; j < k; j++) b[Math.floor(r() * b.length)] = [0, 0xff, 0x7f, 0x80, 0x01, 0x2e][Math.floor(r() * 6)]!;
      return { bytes: b, kind: s.kind };
    }
    case 2: return { bytes: b.subarray(0, Math.floor(r() * b.length)), kind: s.kind }; // truncation
    case 3: { // splice two seeds
      const o = all[Math.floor(r() * all.length)]!;
      return { bytes: Buffer.concat([b.subarray(0, Math.floor(r() * b.length)), o.bytes.subarray(Math.floor(r() * o.bytes.length))]), kind: s.kind };
    }
    case 4: case 5: { // mutate data.pkl (or a record) and re-wrap with valid CRCs
      const recs = s.kind === "pt" ? records(b) : null;
      if (recs === null) return { bytes: b, kind: s.kind };
      const idx = strategy === 4 ? recs.findIndex(([n]) => n.endsWith("data.pkl")) : Math.floor(r() * recs.length);
      if (idx < 0) return { bytes: b, kind: s.kind };
      let d = Buffer.from(recs[idx]![1]);
      const k = 1 + Math.floor(r() * 4);
      for (let j = 0; j < k && d.length; j++) {
        const p = Math.floor(r() * d.length);
        const how = r();
        if (how < 0.5) d[p] = d[p]! ^ (1 << Math.floor(r() * 8));
        else if (how < 0.8) d[p] = Math.floor(r() * 256);
        else d = Buffer.concat([d.subarray(0, p), d.subarray(Math.min(d.length, p + 1 + Math.floor(r() * 8)))]);
      }
      recs[idx] = [recs[idx]![0], d];
      return { bytes: wrap(recs), kind: "pt" };
    }
    default: { // a random opcode stream, in a zip with one 16-byte storage record
      const p = randomPickle(r);
      if (r() < 0.2) return { bytes: p, kind: "pt" };
      return { bytes: wrap([["archive/data.pkl", p], ["archive/data/0", new Uint8Array(16)], ["archive/version", Buffer.from("3\n")]]), kind: "pt" };
    }
  }
}

export interface FuzzStats { inputs: number; loaded: number; refused: Record<string, number>; maxMs: number; rssGrowthMB: number }

/** Runs `count` inputs; throws on the first input that fails another way than CheckpointError. */
export function runFuzz(count: number, seed = 1): FuzzStats {
  const all = seeds();
  const r = rng(seed);
  const stats: FuzzStats = { inputs: 0, loaded: 0, refused: {}, maxMs: 0, rssGrowthMB: 0 };
  const rss0 = process.memoryUsage().rss;
  let rssMax = rss0;
  for (let i = 0; i < count; i++) {
    const { bytes, kind } = mutate(all, r);
    const t0 = performance.now();
    try {
      if (kind === "st") torch.safetensors.load(bytes); else torch.load(bytes);
      stats.loaded++;
    } catch (e) {
      if (!(e instanceof CheckpointError)) {
        const err = new Error(`fuzz input ${i} (seed ${seed}, ${bytes.length} bytes, ${kind}) threw ${String(e)}\nbase64: ${Buffer.from(bytes).toString("base64").slice(0, 4000)}`);
        (err as Error & { cause?: unknown }).cause = e;
        throw err;
      }
      stats.refused[e.code] = (stats.refused[e.code] ?? 0) + 1;
    }
    const ms = performance.now() - t0;
    if (ms > stats.maxMs) stats.maxMs = ms;
    if (ms > 1000) throw new Error(`fuzz input ${i} (seed ${seed}) took ${ms.toFixed(0)} ms`);
    stats.inputs++;
    if ((i & 1023) === 0) rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }
  stats.rssGrowthMB = (rssMax - rss0) / 2 ** 20;
  return stats;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const count = Number(process.argv[2] ?? 100_000);
  const seed = Number(process.argv[3] ?? 1);
  const t0 = performance.now();
  const s = runFuzz(count, seed);
  console.log(JSON.stringify({ ...s, seconds: (performance.now() - t0) / 1000 }, null, 1));
  if (s.rssGrowthMB > 256) { console.error(`RSS grew by ${s.rssGrowthMB.toFixed(0)} MB`); process.exit(1); }
}
