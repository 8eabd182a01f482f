// SPDX-License-Identifier: BSD-3-Clause
// Writes test/fixtures/checkpoints/torchts_*.pt (checkpoints written by torchts) and, beside each,
// torchts_*.expected.json describing its contents. scripts/check_torchts_checkpoints.py loads them
// in real PyTorch and compares; test/serialization/interop.test.ts checks that the writer still
// produces these exact bytes, so PyTorch's verdict keeps holding without Python.
//
//   npx tsc -p tsconfig.json && node dist/scripts/write-torchts-checkpoints.js [outDir]
//   /usr/bin/python3 scripts/check_torchts_checkpoints.py test/fixtures/checkpoints
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as torch from "../src/index.js";
import { nn, optim } from "../src/index.js";
import { Parameter } from "../src/nn/parameter.js";
import { savesAsOrderedDict } from "../src/serialization/pickler.js";
import type { Tensor } from "../src/tensor/tensor.js";
import type { Storage } from "../src/tensor/storage.js";

const { tuple, orderedDict, isTuple, float } = torch.serialization;

/** Deterministic contents (no RNG), one object per file. */
export function buildCheckpoints(): Record<string, unknown> {
  const net = new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2));
  torch.noGrad(() => {
    net.stateDict({ keepVars: true })["0.weight"]!.copy_(torch.arange(6, { dtype: "float32" }).reshape(2, 3).div(7));
    net.stateDict({ keepVars: true })["0.bias"]!.copy_(torch.tensor([-0.5, 0.25]));
  });
  const sd = orderedDict(net.stateDict(), orderedDict({ "": { version: 1 }, "0": { version: 1 }, "1": { version: 2 } }));

  const base = torch.arange(24, { dtype: "float64" }).reshape(2, 3, 4);
  const tied = torch.tensor([[1.5, -2.5], [3.25, 0]]);
  const dtypes = {
    f32: torch.tensor([0, -0, 1.5, NaN, Infinity, -Infinity, 1e-40, 3.4e38], { dtype: "float32" }),
    f64: torch.tensor([Math.PI, -1e-300, 5e-324, -0], { dtype: "float64" }),
    f16: torch.tensor([0.5, -1, 65504, 6e-8, NaN], { dtype: "float32" }).to("float16"),
    bf16: torch.tensor([1, 3, -1e38, 0.1], { dtype: "float32" }).to("bfloat16"),
    i64: torch.tensor([0n, -1n, 9007199254740993n, -(2n ** 63n), 2n ** 63n - 1n], { dtype: "int64" }),
    i32: torch.tensor([2147483647, -2147483648, 7]).to("int32"),
    i16: torch.tensor([-32768, 32767]).to("int16"),
    i8: torch.tensor([-128, 127]).to("int8"),
    u8: torch.tensor([0, 255]).to("uint8"),
    bool: torch.tensor([true, false, true]),
    scalar: torch.tensor(3.5),
    empty: torch.zeros(0, 4),
    transposed: base.transpose(0, 2),
    sliced: base.index(":", 1, "1:"),
    offset: base.reshape(-1).index("5:9"),
    tied1: tied,
    tied2: tied,
  };

  const nested = {
    ints: [0, 255, 256, 65536, -1, 2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER],
    big: [2n ** 64n, -(2n ** 100n)],
    floats: [0.1, -0, 1e300, float(2), NaN, Infinity],
    strings: ["", "héllo ✓", "line\nbreak"],
    flags: [true, false, null],
    tup: tuple([1, tuple([2, "x"]), null]),
    intKeys: new Map<unknown, unknown>([[0, "zero"], [7, tuple([1, 2])]]),
    bytes: new Uint8Array([0, 1, 128, 255]),
    param: new Parameter(torch.tensor([1, 2], { dtype: "float32" })),
    frozen: new Parameter(torch.tensor([3], { dtype: "float32" }), false),
    deep: { a: { b: [{ c: torch.tensor([1, 2, 3]).to("int32") }] } },
  };

  const w = new Parameter(torch.tensor([[1, 2], [3, 4]], { dtype: "float32" }));
  const b = new Parameter(torch.tensor([0.5, -0.5], { dtype: "float32" }));
  const opt = new optim.Adam([w, b], { lr: 0.01, betas: [0.9, 0.99] });
  w.grad = torch.tensor([[0.1, 0.2], [0.3, 0.4]]);
  b.grad = torch.tensor([1, -1], { dtype: "float32" });
  opt.step();

  return { torchts_state_dict: sd, torchts_dtypes: dtypes, torchts_nested: nested, torchts_optimizer: opt.stateDict() };
}

// ---- a description both languages compute (scripts/check_torchts_checkpoints.py: describe) ----------

export type Desc = null | boolean | string | number | Desc[] | { [k: string]: Desc };

function encFloat(x: number): Desc {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Object.is(x, -0)) return "-0";
  return x;
}

export function describe(root: unknown): Desc {
  const storages = new Map<Storage, number>();
  const tensors = new Map<Tensor, number>();
  const go = (v: unknown): Desc => {
    if (v === null || v === undefined) return null;
    if (typeof v === "boolean" || typeof v === "string") return v;
    if (typeof v === "bigint") return { int: v.toString() };
    if (typeof v === "number") return Number.isSafeInteger(v) && !Object.is(v, -0) ? { int: String(v) } : { float: encFloat(v) };
    if (v instanceof torch.serialization.PyFloat) return { float: encFloat(v.value) };
    if (v instanceof torch.Tensor) {
      const seen = tensors.get(v);
      if (seen !== undefined) return { same_tensor: seen };
      tensors.set(v, tensors.size);
      if (!storages.has(v._storage)) storages.set(v._storage, storages.size);
      const flat = v.numel() && v.dtype !== "int64" ? (v.reshape(-1).tolist() as (number | boolean)[]) : [];
      const values = v.dtype === "int64"
        ? (v.reshape(-1).numel() ? [...v.contiguous().numpy() as BigInt64Array].map((x) => x.toString()) : [])
        : flat.map((x) => (typeof x === "boolean" ? x : encFloat(Number(x))));
      return {
        tensor: v.dtype, shape: v.shape, stride: v.stride(), offset: v.storageOffset(), storage: storages.get(v._storage)!,
        requires_grad: v.requiresGrad, parameter: v instanceof Parameter, values,
      };
    }
    if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString("hex") };
    if (Array.isArray(v)) return isTuple(v) ? { tuple: v.map(go) } : { list: v.map(go) };
    if (v instanceof Map) return { dict: [...v.entries()].map(([k, x]) => [go(k), go(x)]), ordered: false };
    if (typeof v === "object") {
      const o = v as Record<string, unknown>;
      // optimizer state: torch.save writes int keys (see src/serialization/pickler.ts)
      if (Array.isArray(o["param_groups"]) && o["state"] && typeof o["state"] === "object" && !(o["state"] instanceof Map)) {
        const perParam = (y: unknown): Desc => ({ dict: Object.entries(y as object).map(([k2, z]) => [k2, go(z)]), ordered: false });
        return { dict: Object.entries(o).map(([k, x]) => [k, k === "state" ? { dict: Object.entries(x as object).map(([i, y]) => [{ int: i }, perParam(y)]), ordered: false } : go(x)]), ordered: false };
      }
      const ordered = savesAsOrderedDict(o);
      const d: { [k: string]: Desc } = { dict: Object.entries(o).map(([k, x]) => [k, go(x)]), ordered };
      const meta = (o as { _metadata?: unknown })._metadata;
      if (meta !== undefined && !Object.keys(o).includes("_metadata")) d["metadata"] = go(meta);
      return d;
    }
    throw new Error(`cannot describe ${typeof v}`);
  };
  return go(root);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const here = dirname(fileURLToPath(import.meta.url));
  const out = process.argv[2] ?? join(here, "..", "..", "test", "fixtures", "checkpoints");
  mkdirSync(out, { recursive: true });
  for (const [name, obj] of Object.entries(buildCheckpoints())) {
    torch.save(obj, join(out, `${name}.pt`));
    writeFileSync(join(out, `${name}.expected.json`), JSON.stringify(describe(obj)) + "\n");
    console.log(`wrote ${join(out, name)}.pt`);
  }
}
