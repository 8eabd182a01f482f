// SPDX-License-Identifier: BSD-3-Clause
// torch.save -> torch.load is bit exact for every dtype and nested objects; the written file has
// PyTorch's layout (CKPT-W1: STORED records, 64-byte aligned data, protocol 2, no STACK_GLOBAL).
import assert from "node:assert/strict";
import { test } from "node:test";
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import * as torch from "../../src/index.js";
import { nn, optim } from "../../src/index.js";
import { readZip } from "../../src/serialization/zip.js";
import { OPCODE_NAMES } from "../../src/serialization/unpickler.js";
import { ALL_DTYPES } from "../../src/tensor/dtype.js";

const { tuple, isTuple, saveToBuffer, float } = torch.serialization;
const dir = mkdtempSync(join(tmpdir(), "torchts-ser-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

function rawBytes(t: torch.Tensor): Buffer {
  const c = t.contiguous();
  const d = c._storage.data;
  return Buffer.from(d.buffer, d.byteOffset + c._offset * c.itemsize, c.numel() * c.itemsize);
}

/** Every dtype with awkward values: NaN, -0, inf, subnormals, extremes. */
function dtypeZoo(): Record<string, torch.Tensor> {
  const out: Record<string, torch.Tensor> = {};
  const floats = [0, -0, 1.5, -2.25, NaN, Infinity, -Infinity, 1e-40, 3.4e38, 65504];
  for (const d of ALL_DTYPES) {
    let t: torch.Tensor;
    if (d === "int64") t = torch.tensor([0n, -1n, 9007199254740993n, -(2n ** 63n), 2n ** 63n - 1n], { dtype: "int64" });
    else if (d === "bool") t = torch.tensor([true, false, true]);
    else if (d.startsWith("float") || d === "bfloat16") t = torch.tensor(floats, { dtype: "float64" }).to(d);
    else t = torch.tensor([0, 1, -1, 127, -128, 255, 32767, -32768, 2147483647], { dtype: "int64" }).to(d);
    out[d] = t;
  }
  return out;
}

test("CKPT-W1: round trip is bit exact for every dtype, shape, stride and offset", () => {
  const zoo = dtypeZoo();
  const base = torch.arange(24, { dtype: "float64" }).reshape(2, 3, 4);
  const views = {
    t: base.transpose(0, 2), s: base.index(":", 1), step: base.index("...", "::2"), scalar: torch.tensor(3.5),
    empty: torch.zeros(0, 4), offset: base.reshape(-1).index("5:9"),
  };
  const file = join(dir, "zoo.pt");
  torch.save({ ...zoo, ...views }, file);
  const back = torch.load(file) as Record<string, torch.Tensor>;
  for (const [k, t] of Object.entries({ ...zoo, ...views })) {
    const b = back[k]!;
    assert.equal(b.dtype, t.dtype, k);
    assert.deepEqual(b.shape, t.shape, k);
    assert.deepEqual(b.stride(), t.stride(), k);
    assert.equal(b.storageOffset(), t.storageOffset(), k);
    assert.ok(rawBytes(b).equals(rawBytes(t)), `${k} bytes`);
  }
  assert.equal(back["t"]!._storage, back["s"]!._storage, "views of one storage share one record");
  assert.equal(back["t"]!._storage, back["step"]!._storage);
});

test("CKPT-W1: the file has PyTorch's layout", () => {
  const file = join(dir, "layout.pt");
  const a = torch.randn(3, 5);
  torch.save({ a, b: a.index(1), c: torch.ones(7, { dtype: "int32" }), lr: 0.001 }, file);
  const buf = readFileSync(file);
  const z = readZip(buf);
  assert.equal(z.prefix, "layout");
  assert.deepEqual([...z.entries.keys()], ["layout/data.pkl", "layout/.format_version", "layout/.storage_alignment", "layout/byteorder", "layout/data/0", "layout/data/1", "layout/version"]);
  for (const e of z.entries.values()) assert.equal(e.dataOffset % 64, 0, `${e.name} aligned`);
  // STORED everywhere: method field of every central directory entry is 0
  for (let i = buf.indexOf("PK\x01\x02", 0, "latin1"); i >= 0; i = buf.indexOf("PK\x01\x02", i + 4, "latin1")) assert.equal(buf.readUInt16LE(i + 10), 0);
  const p = z.entries.get("layout/data.pkl")!;
  const pickle = buf.subarray(p.dataOffset, p.dataOffset + p.size);
  assert.deepEqual([...pickle.subarray(0, 2)], [0x80, 2], "protocol 2");
  assert.equal(pickle.indexOf(0x93), -1, "no STACK_GLOBAL byte at all");
  assert.equal(buf.subarray(z.entries.get("layout/version")!.dataOffset, z.entries.get("layout/version")!.dataOffset + 2).toString(), "3\n");
  assert.equal(buf.subarray(z.entries.get("layout/byteorder")!.dataOffset, z.entries.get("layout/byteorder")!.dataOffset + 6).toString(), "little");
  void OPCODE_NAMES;
});

test("nested Python values round trip: dict/list/tuple/int/float/bigint/str/bool/None/bytes/set/Map", () => {
  const obj = {
    ints: [0, 1, 255, 256, 65535, 65536, -1, -(2 ** 31), 2 ** 31, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER],
    big: [2n ** 64n, -(2n ** 100n), 2n ** 53n + 1n],
    floats: [0.5, -0, NaN, Infinity, -Infinity, 1e-300, float(2)],
    str: ["", "héllo ✓", "a\nb", "__proto__"],
    flags: [true, false, null],
    tup: tuple([1, tuple([2, 3]), "x"]),
    bytes: new Uint8Array([0, 1, 254, 255]),
    set: new Set([1, "a"]),
    map: new Map<unknown, unknown>([[1, "one"], [2, "two"]]),
    intLikeOrder: new Map([["b", 1], ["1", 2]]),
    nested: { a: { b: { c: [[], {}, tuple([])] } } },
  };
  const back = torch.load(saveToBuffer(obj)) as typeof obj;
  assert.deepEqual(back.ints, obj.ints);
  assert.deepEqual(back.big, [2n ** 64n, -(2n ** 100n), 2n ** 53n + 1n]);
  assert.ok(Object.is(back.floats[1], -0));
  assert.ok(Number.isNaN(back.floats[2]));
  assert.deepEqual(back.floats.slice(3, 6), [Infinity, -Infinity, 1e-300]);
  assert.equal(back.floats[6], 2);
  assert.deepEqual(back.str, obj.str);
  assert.deepEqual(back.flags, obj.flags);
  assert.ok(isTuple(back.tup) && isTuple(back.tup[1]));
  assert.deepEqual([...back.tup], [1, [2, 3], "x"]);
  assert.deepEqual([...back.bytes], [0, 1, 254, 255]);
  assert.deepEqual([...back.set], [1, "a"]);
  assert.ok(back.map instanceof Map);
  assert.deepEqual([...back.map], [[1, "one"], [2, "two"]]);
  // string keys a plain object would reorder come back as a Map, in order
  assert.ok(back.intLikeOrder instanceof Map);
  assert.deepEqual([...back.intLikeOrder.keys()], ["b", "1"]);
  assert.deepEqual(back.nested.a.b.c.length, 3);
  assert.ok(isTuple(back.nested.a.b.c[2]));
  // "__proto__" as a key is just a key
  const proto = torch.load(saveToBuffer(new Map([["__proto__", 1]]))) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(proto, "__proto__")?.value, 1);
});

test("the same object saved twice loads as one object; shared lists stay shared", () => {
  const t = torch.ones(2);
  const list = [1, 2];
  const back = torch.load(saveToBuffer({ a: t, b: t, l1: list, l2: list })) as Record<string, unknown>;
  assert.equal(back["a"], back["b"]);
  assert.equal(back["l1"], back["l2"]);
});

test("stateDict() of a module saves as an OrderedDict; _metadata round trips", () => {
  const net = new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2));
  const sd = net.stateDict();
  const back = torch.load(saveToBuffer(sd)) as Record<string, torch.Tensor>;
  assert.ok(torch.serialization.isOrderedDict(back));
  assert.deepEqual(Object.keys(back), Object.keys(sd));
  const net2 = new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2));
  net2.loadStateDict(back);
  assert.deepEqual(net2.stateDict()["0.weight"]!.tolist(), sd["0.weight"]!.tolist());
  const meta = { "": { version: 1 }, "0": { version: 1 }, "1": { version: 2 } };
  const withMeta = torch.serialization.orderedDict({ ...sd }, torch.serialization.orderedDict(meta));
  const back2 = torch.load(saveToBuffer(withMeta)) as { _metadata: unknown };
  assert.deepEqual(JSON.parse(JSON.stringify(back2._metadata)), meta);
});

test("optimizer stateDict() round trips with int state keys and tuple betas", () => {
  const w = new nn.Parameter(torch.randn(2, 2));
  const opt = new optim.Adam([w], { lr: 0.01, betas: [0.9, 0.99] });
  w.grad = torch.ones(2, 2);
  opt.step();
  const back = torch.load(saveToBuffer(opt.stateDict())) as { state: Map<number, Record<string, unknown>>; param_groups: Record<string, unknown>[] };
  assert.ok(back.state instanceof Map);
  assert.deepEqual([...back.state.keys()], [0]);
  const opt2 = new optim.Adam([new nn.Parameter(torch.zeros(2, 2))], { lr: 0.5 });
  opt2.loadStateDict(back as never);
  assert.equal(opt2.paramGroups[0]!.lr, 0.01);
  assert.deepEqual((opt2.stateDict().state[0]!["exp_avg"] as torch.Tensor).tolist(), (opt.stateDict().state[0]!["exp_avg"] as torch.Tensor).tolist());
});

test("saveAsync/loadAsync, writables, atomic replacement keeps the file mode", async () => {
  const file = join(dir, "async.pt");
  await torch.saveAsync({ x: torch.arange(5) }, file);
  const back = (await torch.loadAsync(file)) as Record<string, torch.Tensor>;
  assert.deepEqual(back["x"]!.tolist(), [0, 1, 2, 3, 4]);
  chmodSync(file, 0o600);
  torch.save({ y: torch.ones(1) }, file);
  assert.equal(statSync(file).mode & 0o777, 0o600, "mode kept");
  await torch.saveAsync({ y: torch.ones(2) }, file);
  assert.equal(statSync(file).mode & 0o777, 0o600, "mode kept (async)");
  assert.deepEqual((torch.load(file) as Record<string, torch.Tensor>)["y"]!.tolist(), [1, 1]);
  const chunks: Buffer[] = [];
  const w = new Writable({ write(c: Buffer, _e, cb) { chunks.push(c); cb(); } });
  await torch.saveAsync({ x: torch.arange(5) }, w);
  torch.save({ x: torch.arange(5) }, { write: (c: Uint8Array) => { chunks.push(Buffer.from(c)); } });
  const half = Buffer.concat(chunks);
  assert.ok(half.subarray(0, half.length / 2).equals(saveToBuffer({ x: torch.arange(5) })));
  assert.ok(half.subarray(half.length / 2).equals(saveToBuffer({ x: torch.arange(5) })));
  assert.ok(readdirSync(dir).every((n) => !n.endsWith(".torchts-tmp")), "no temp files left");
});

test("what cannot be saved is refused with E_SAVE", () => {
  const bad = (v: unknown, re: RegExp): void =>
    assert.throws(() => saveToBuffer(v), (e: unknown) => e instanceof torch.serialization.CheckpointError && e.code === "E_SAVE" && re.test(e.message));
  bad({ f: () => 1 }, /cannot save a function/);
  bad({ d: new Date() }, /class Date/);
  bad({ a: new Float32Array(2) }, /Float32Array.*fromTypedArray/);
  const t = tuple([] as unknown[]);
  t.push(t);
  bad(t, /tuple that contains itself/);
});
