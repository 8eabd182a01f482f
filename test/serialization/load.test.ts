// SPDX-License-Identifier: BSD-3-Clause
// torch.load of real PyTorch 1.13 files (reliability.md §6 CKPT-R1..R4): every good fixture equals
// MANIFEST.json bit for bit; sharing, views, legacy format, prefixes, mapLocation, Parameters.
import assert from "node:assert/strict";
import { test } from "node:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../../src/index.js";
import { nn, optim } from "../../src/index.js";
import { fixturePath } from "../helpers.js";
import { ZipWriter } from "../../src/serialization/zip.js";
import { Parameter } from "../../src/nn/parameter.js";
import { native } from "../../src/backends/cpu/native.js";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const MANIFEST = JSON.parse(readFileSync(fixturePath("checkpoints/MANIFEST.json"), "utf8").replace(/\bNaN\b/g, '"NaN"').replace(/-Infinity\b/g, '"-Infinity"').replace(/([^-])Infinity\b/g, '$1"Infinity"')) as Record<string, Json>;
const fx = (name: string): string => fixturePath(`checkpoints/${name}`);

function num(v: Json): number {
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  return v as number;
}

/** The tensor's elements in row-major order, read through its strides. */
function elements(t: torch.Tensor): (number | boolean)[] {
  const flat = t.reshape(-1).tolist() as (number | boolean)[];
  return t.dtype === "float16" || t.dtype === "bfloat16" ? flat.map(Number) : flat;
}

function checkTensor(t: unknown, spec: { [k: string]: Json }, where: string): void {
  assert.ok(t instanceof torch.Tensor, `${where} is a tensor`);
  assert.equal(`torch.${t.dtype}`, spec["dtype"], `${where} dtype`);
  assert.deepEqual(t.shape, spec["shape"], `${where} shape`);
  assert.deepEqual(t.stride(), spec["stride"], `${where} stride`);
  assert.equal(t.storageOffset(), spec["storage_offset"], `${where} offset`);
  assert.equal(t.requiresGrad, spec["requires_grad"], `${where} requires_grad`);
  const want = (spec["values"] as Json[]).map((v) => (typeof v === "boolean" ? v : num(v)));
  const got = elements(t);
  assert.equal(got.length, want.length, `${where} numel`);
  got.forEach((g, i) => assert.ok(Object.is(g, want[i]) || (typeof g === "number" && g === want[i]), `${where}[${i}]: ${String(g)} vs ${String(want[i])}`));
  // bit for bit: -0.0 stays -0.0 and NaN stays NaN
  got.forEach((g, i) => { if (typeof g === "number" && (Object.is(want[i], -0) || Number.isNaN(want[i]))) assert.ok(Object.is(g, want[i]), `${where}[${i}] sign/NaN`); });
}

function checkValue(v: unknown, spec: Json, where: string): void {
  if (spec !== null && typeof spec === "object" && !Array.isArray(spec) && spec["tensor"] === true) return checkTensor(v, spec, where);
  if (Array.isArray(spec)) {
    assert.ok(Array.isArray(v), `${where} is an array`);
    assert.equal(v.length, spec.length);
    spec.forEach((s, i) => checkValue((v as unknown[])[i], s, `${where}[${i}]`));
    return;
  }
  if (spec !== null && typeof spec === "object") {
    const keys = Object.keys(spec);
    const get = (k: string): unknown => v instanceof Map ? v.get(/^\d+$/.test(k) && !v.has(k) ? Number(k) : k) : (v as Record<string, unknown>)[k];
    const size = v instanceof Map ? v.size : Object.keys(v as object).length;
    assert.equal(size, keys.length, `${where} keys`);
    for (const k of keys) checkValue(get(k), spec[k]!, `${where}.${k}`);
    return;
  }
  assert.ok(Object.is(v, num(spec)) || v === spec, `${where}: ${String(v)} vs ${String(spec)}`);
}

for (const name of ["state_dict_module.pt", "state_dict_dtypes.pt", "noncontiguous.pt", "shared_storage.pt", "optimizer_adam.pt", "parameter.pt", "state_dict.legacy.pt"]) {
  test(`CKPT-R1: ${name} equals MANIFEST.json`, () => {
    checkValue(torch.load(fx(name)), MANIFEST[name]!, name);
    // from bytes too (copied, not aliased)
    checkValue(torch.load(readFileSync(fx(name))), MANIFEST[name]!, name);
  });
}

test("CKPT-R1: module state dict is an OrderedDict with _metadata preserved", () => {
  const sd = torch.load(fx("state_dict_module.pt")) as Record<string, torch.Tensor> & { _metadata: unknown };
  assert.ok(torch.serialization.isOrderedDict(sd));
  assert.deepEqual(JSON.parse(JSON.stringify(sd._metadata)), { "": { version: 1 }, fc: { version: 1 }, bn: { version: 2 } });
  assert.ok(!Object.keys(sd).includes("_metadata"), "_metadata is not a state key");
  assert.deepEqual(Object.keys(sd), ["fc.weight", "fc.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]);
});

test("CKPT-R2: shared storages stay shared, tied tensors are one object", () => {
  const sd = torch.load(fx("shared_storage.pt")) as Record<string, torch.Tensor>;
  assert.equal(sd["tied1"], sd["tied2"]);
  assert.equal(sd["a"]!._storage, sd["b"]!._storage);
  sd["a"]!.index(1, 1).fill_(42); // element 4 of the storage, which is b[0]
  assert.equal(sd["b"]!.index(0).item(), 42);
  const nc = torch.load(fx("noncontiguous.pt")) as Record<string, torch.Tensor>;
  assert.deepEqual(nc["t"]!.stride(), [1, 4]);
  assert.equal(nc["t"]!._storage, nc["slice"]!._storage);
});

test("CKPT-R3: the legacy format loads to the same values as the zip format", () => {
  const legacy = torch.load(fx("state_dict.legacy.pt")) as Record<string, torch.Tensor>;
  const zip = torch.load(fx("state_dict_dtypes.pt")) as Record<string, torch.Tensor>;
  for (const k of ["f32", "i64", "bool"]) assert.deepEqual(legacy[k]!.tolist(), zip[k]!.tolist());
});

test("CKPT-R4: prefixes 'archive/' and '<basename>/' load; an entry outside the prefix is refused", () => {
  assert.ok(torch.load(fx("state_dict_module.pt"))); // prefix state_dict_module/
  const buf = torch.serialization.saveToBuffer({ x: torch.ones(2) });
  assert.equal(buf.subarray(30, 38).toString(), "archive/");
  assert.deepEqual((torch.load(buf) as Record<string, torch.Tensor>)["x"]!.tolist(), [1, 1]);
  const chunks: Uint8Array[] = [];
  const z = new ZipWriter((c) => chunks.push(c));
  z.addRecord("archive/data.pkl", [Uint8Array.from([0x80, 2, 0x7d, 0x2e])]);
  z.addRecord("other/version", [new TextEncoder().encode("3\n")]);
  z.finish();
  assert.throws(() => torch.load(Buffer.concat(chunks)), (e: unknown) =>
    e instanceof torch.serialization.CheckpointError && e.code === "E_ZIP_NAME" && /outside the archive prefix 'archive\/'/.test(e.message));
});

test("Parameters load as tensors (weightsOnly) or as Parameters (weightsOnly: false)", () => {
  const a = torch.load(fx("parameter.pt")) as Record<string, torch.Tensor>;
  assert.ok(!(a["p"] instanceof Parameter));
  assert.equal(a["p"]!.requiresGrad, true);
  const b = torch.load(fx("parameter.pt"), { weightsOnly: false }) as Record<string, torch.Tensor>;
  assert.ok(b["p"] instanceof Parameter);
  assert.equal(b["p"]!.requiresGrad, true);
});

test("tuples load as arrays marked as tuples; int keys make a Map", () => {
  const o = torch.load(fx("optimizer_adam.pt")) as { state: Map<number, unknown>; param_groups: Record<string, unknown>[] };
  assert.ok(o.state instanceof Map);
  assert.deepEqual([...o.state.keys()], [0, 1]);
  const betas = o.param_groups[0]!["betas"];
  assert.ok(torch.serialization.isTuple(betas));
  assert.deepEqual(betas, [0.9, 0.999]);
  assert.ok(!torch.serialization.isTuple(o.param_groups[0]!["params"]));
});

test("mapLocation: 'cpu', a device, a table and a function; CUDA locations are refused without a GPU", () => {
  for (const mapLocation of ["cpu", torch.device("cpu"), { cpu: "cpu" }] as const) {
    assert.ok(torch.load(fx("parameter.pt"), { mapLocation }));
  }
  const seen: string[] = [];
  torch.load(fx("state_dict_module.pt"), { mapLocation: (s, loc) => { seen.push(loc); return s; } });
  assert.equal(seen.length, 7);
  assert.ok(seen.every((l) => l === "cpu"));
  assert.throws(() => torch.load(fx("parameter.pt"), { mapLocation: "cuda" }), (e: unknown) =>
    e instanceof torch.serialization.CheckpointError && e.code === "E_DEVICE" && /Attempting to deserialize object on a CUDA device/.test(e.message));
});

test("zero-copy: tensors loaded from a path view the file buffer; from bytes they are copies", () => {
  const sd = torch.load(fx("state_dict_dtypes.pt")) as Record<string, torch.Tensor>;
  const buffers = new Set(Object.values(sd).map((t) => t._storage.data.buffer));
  assert.equal(buffers.size, 1, "every tensor views the one file buffer");
  const bytes = readFileSync(fx("state_dict_dtypes.pt"));
  const sd2 = torch.load(bytes) as Record<string, torch.Tensor>;
  assert.ok(Object.values(sd2).every((t) => t._storage.data.buffer !== bytes.buffer));
});

test("loadAsync equals load; mmap: true is accepted", async () => {
  const a = await torch.loadAsync(fx("state_dict_module.pt"), { mmap: true });
  checkValue(a, MANIFEST["state_dict_module.pt"]!, "async");
});

class ModuleNet extends nn.Module {
  fc = new nn.Linear(3, 2);
  bn = new nn.BatchNorm1d(2);
}

test("Module.loadStateDict and Optimizer.loadStateDict take PyTorch's checkpoints", () => {
  const net = new ModuleNet();
  const sd = torch.load(fx("state_dict_module.pt")) as Record<string, torch.Tensor>;
  net.loadStateDict(sd);
  assert.deepEqual(net.fc.weight.tolist(), sd["fc.weight"]!.tolist());
  const p = [new Parameter(torch.zeros(2, 2)), new Parameter(torch.zeros(2))];
  const opt = new optim.Adam(p, { lr: 0.1 });
  opt.loadStateDict(torch.load(fx("optimizer_adam.pt")) as never);
  assert.equal(opt.paramGroups[0]!.lr, 0.001);
  const back = opt.stateDict();
  assert.deepEqual((back.state[0]!["exp_avg"] as torch.Tensor).tolist(), [[0.10000000149011612, 0.10000000149011612], [0.10000000149011612, 0.10000000149011612]]);
});

test("mmap: true maps the file copy-on-write: values load, writes never reach the file", () => {
  assert.equal(typeof native.mmapFile, "function", "the native addon exports mmapFile");
  const dir = mkdtempSync(join(tmpdir(), "torchts-mmap-"));
  try {
    const file = join(dir, "m.pt");
    torch.save({ x: torch.arange(1000, { dtype: "float32" }), y: torch.ones(3, { dtype: "int64" }) }, file);
    const before = readFileSync(file);
    const m = torch.load(file, { mmap: true }) as Record<string, torch.Tensor>;
    assert.equal(m["x"]!.index(999).item(), 999);
    assert.equal(m["x"]!._storage.data.buffer, m["y"]!._storage.data.buffer, "both view the one mapping");
    assert.notEqual(m["x"]!._storage.data.buffer.byteLength, 0);
    m["x"]!.fill_(-1);
    assert.equal(m["x"]!.index(0).item(), -1);
    assert.ok(readFileSync(file).equals(before), "the file is unchanged");
    checkValue(torch.load(fx("state_dict_dtypes.pt"), { mmap: true }), MANIFEST["state_dict_dtypes.pt"]!, "mmap");
    // structure is still checked when mapped
    assert.throws(() => torch.load(fx("mal_storage_size_mismatch.pt"), { mmap: true }), (e: unknown) => e instanceof torch.serialization.CheckpointError && e.code === "E_STORAGE");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
