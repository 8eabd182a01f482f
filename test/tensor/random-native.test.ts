// SPDX-License-Identifier: BSD-3-Clause
// The CPU generator against PyTorch 1.13: every step of test/fixtures/random.json (written by
// scripts/gen_random_fixtures.py) must come out bit for bit, and so must the generator state.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { DTYPE_CODE, type DType, type TypedArray, allocTyped } from "../../src/tensor/dtype.js";
import {
  GENERATOR_STATE_BYTES,
  Generator,
  type RandomKind,
  defaultGenerator,
  fillBernoulliTensor,
  fillRandom,
  getRngState,
  initialSeed,
  manualSeed,
  multinomialInto,
  randpermInto,
  setRngState,
} from "../../src/tensor/random.js";

type Value = number | string;

interface Step {
  op: string;
  call: string;
  dtype: DType;
  n: number;
  params?: (number | string)[];
  probsDtype?: DType;
  probs?: number[];
  rows?: number;
  cols?: number;
  numSamples?: number;
  replacement?: boolean;
  sha256: string;
  values?: Value[];
  head?: Value[];
}

interface Case {
  name: string;
  seed: string;
  steps: Step[];
  stateSha256: string;
}

interface Fixture {
  torch: string;
  defaultSeed: string;
  anchors: { rand4: number[]; randn4: number[] };
  stateAfterSeed0: string;
  stateAfterSeed0Randn1: string;
  cases: Case[];
}

/** The repository root: the nearest directory above this file that holds package.json. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("package.json not found above " + import.meta.url);
    dir = parent;
  }
  return dir;
}

const fixture = JSON.parse(readFileSync(join(repoRoot(), "test", "fixtures", "random.json"), "utf8")) as Fixture;

function sha256(a: ArrayBufferView): string {
  return createHash("sha256").update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest("hex");
}

function halfBitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  if (exp === 0) return sign * man * 2 ** -24;
  if (exp === 31) return man ? NaN : sign * Infinity;
  return sign * (1 + man / 1024) * 2 ** (exp - 15);
}

function bfloat16BitsToNumber(b: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, b << 16);
  return view.getFloat32(0);
}

/** Element i of a typed array as the JSON fixture writes it. */
function valueAt(a: TypedArray, dtype: DType, i: number): Value {
  const v = a[i];
  if (typeof v === "bigint") return v.toString();
  if (v === undefined) throw new Error(`index ${i} out of range`);
  if (dtype === "float16") return halfBitsToNumber(v);
  if (dtype === "bfloat16") return bfloat16BitsToNumber(v);
  return v;
}

function floatArray(values: number[], dtype: DType): TypedArray {
  if (dtype === "float32") return Float32Array.from(values);
  if (dtype === "float64") return Float64Array.from(values);
  throw new Error(`unsupported probability dtype ${dtype}`);
}

function runStep(gen: Generator, step: Step): TypedArray {
  const out = allocTyped(step.dtype, step.n);
  const code = DTYPE_CODE[step.dtype];
  const params = (step.params ?? []).map((p) => (typeof p === "string" ? BigInt(p) : p));
  switch (step.op) {
    case "bernoulliTensor": {
      const probsDtype = step.probsDtype ?? "float32";
      fillBernoulliTensor(gen, out, code, floatArray(step.probs ?? [], probsDtype), DTYPE_CODE[probsDtype], step.n);
      return out;
    }
    case "randperm":
      randpermInto(gen, out, code, step.n);
      return out;
    case "multinomial": {
      const probsDtype = step.probsDtype ?? "float32";
      multinomialInto(gen, out as BigInt64Array, floatArray(step.probs ?? [], probsDtype), DTYPE_CODE[probsDtype],
        step.rows ?? 1, step.cols ?? 0, step.numSamples ?? 0, step.replacement ?? false);
      return out;
    }
    default:
      fillRandom(step.op as RandomKind, gen, out, code, 0, step.n, params);
      return out;
  }
}

function checkStep(gen: Generator, step: Step, where: string): void {
  const out = runStep(gen, step);
  const expected = step.values ?? step.head ?? [];
  for (let i = 0; i < expected.length; i++) {
    const got = valueAt(out, step.dtype, i);
    if (!Object.is(got, expected[i]))
      assert.fail(`${where} ${step.call}: element ${i} is ${String(got)}, PyTorch gives ${String(expected[i])}`);
  }
  assert.equal(sha256(out), step.sha256, `${where} ${step.call}: the ${step.n} outputs differ from PyTorch's`);
}

for (const c of fixture.cases) {
  test(`matches PyTorch ${fixture.torch}: ${c.name}`, () => {
    const gen = new Generator().manualSeed(BigInt(c.seed));
    c.steps.forEach((step, k) => checkStep(gen, step, `step ${k}`));
    // the state after the whole sequence is byte-identical to torch.get_rng_state()
    assert.equal(sha256(gen.getState()), c.stateSha256, "generator state differs from torch.get_rng_state()");
  });
}

test("the documented anchors: torch.manual_seed(0); torch.rand(4); torch.randn(4); randint; randperm", () => {
  manualSeed(0);
  const r = new Float32Array(4);
  fillRandom("uniform", undefined, r, DTYPE_CODE.float32, 0, 4, [0, 1]);
  assert.deepEqual(Array.from(r), fixture.anchors.rand4);
  manualSeed(0);
  const n = new Float32Array(4);
  fillRandom("normal", undefined, n, DTYPE_CODE.float32, 0, 4, [0, 1]);
  assert.deepEqual(Array.from(n), fixture.anchors.randn4);
  manualSeed(0);
  const i = new BigInt64Array(6);
  fillRandom("randomRange", undefined, i, DTYPE_CODE.int64, 0, 6, [0, 10]);
  assert.deepEqual(Array.from(i, Number), [4, 9, 3, 0, 3, 9]);
  manualSeed(0);
  const p = new BigInt64Array(6);
  randpermInto(undefined, p, DTYPE_CODE.int64, 6);
  assert.deepEqual(Array.from(p, Number), [2, 5, 3, 0, 1, 4]);
});

test("state bytes are torch.get_rng_state(), including the cached normal sample", () => {
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
  manualSeed(0);
  assert.equal(GENERATOR_STATE_BYTES, 5056);
  assert.equal(hex(getRngState()), fixture.stateAfterSeed0);
  fillRandom("normal", undefined, new Float64Array(1), DTYPE_CODE.float64, 0, 1, [0, 1]);
  assert.equal(hex(getRngState()), fixture.stateAfterSeed0Randn1);
  // a state taken from PyTorch restores the same stream, cached sample and all
  setRngState(Uint8Array.from(Buffer.from(fixture.stateAfterSeed0Randn1, "hex")));
  const a = new Float64Array(3);
  fillRandom("normal", undefined, a, DTYPE_CODE.float64, 0, 3, [0, 1]);
  setRngState(Uint8Array.from(Buffer.from(fixture.stateAfterSeed0Randn1, "hex")));
  const b = new Float64Array(3);
  fillRandom("normal", undefined, b, DTYPE_CODE.float64, 0, 3, [0, 1]);
  assert.deepEqual(a, b);
});

test("seeds: PyTorch's default, 64-bit seeds, negative seeds wrap, reseeding drops the cached sample", () => {
  assert.equal(new Generator().initialSeed(), BigInt(fixture.defaultSeed));
  const g = new Generator();
  assert.equal(g.manualSeed(2n ** 40n + 3n).initialSeed(), 2n ** 40n + 3n);
  assert.equal(g.manualSeed(-1).initialSeed(), 2n ** 64n - 1n);
  assert.equal(manualSeed(5), defaultGenerator);
  assert.equal(initialSeed(), 5n);
  assert.throws(() => g.manualSeed(2n ** 64n), RangeError);
  assert.throws(() => g.manualSeed(NaN), TypeError);
  const s = g.seed();
  assert.ok(s >= 0n && s < 2n ** 64n);
  assert.equal(g.initialSeed(), s);
  // only the low 32 bits of a seed reach mt19937, as in PyTorch
  const x = new Float64Array(3), y = new Float64Array(3);
  fillRandom("uniform", g.manualSeed(2n ** 40n + 3n), x, DTYPE_CODE.float64, 0, 3, [0, 1]);
  fillRandom("uniform", g.manualSeed(3), y, DTYPE_CODE.float64, 0, 3, [0, 1]);
  assert.deepEqual(x, y);
  // randn(1) leaves a spare sample; manualSeed must drop it
  fillRandom("normal", g.manualSeed(9), x, DTYPE_CODE.float64, 0, 1, [0, 1]);
  fillRandom("normal", g.manualSeed(9), y, DTYPE_CODE.float64, 0, 1, [0, 1]);
  assert.equal(x[0], y[0]);
});

test("getState/setState are copies; bad states are refused", () => {
  const g = new Generator().manualSeed(123);
  const saved = g.getState();
  const a = new Float32Array(40);
  fillRandom("normal", g, a, DTYPE_CODE.float32, 0, 40, [0, 1]);
  const b = new Float32Array(40);
  g.setState(saved);
  const kept = saved.slice();
  saved.fill(0);  // setState copied: clobbering the caller's bytes changes nothing
  g.getState().fill(0);  // and getState handed out a copy
  fillRandom("normal", g, b, DTYPE_CODE.float32, 0, 40, [0, 1]);
  assert.deepEqual(a, b);
  saved.set(kept);
  // PyTorch also accepts the legacy 5048-byte layout
  g.setState(saved.subarray(0, 5048));
  fillRandom("normal", g, b, DTYPE_CODE.float32, 0, 40, [0, 1]);
  assert.deepEqual(a, b);
  assert.throws(() => g.setState(new Uint8Array(100)), /size 5056 but found the input RNG state size to be 100/);
  assert.throws(() => g.setState(new Uint8Array(5056)), /Invalid mt19937 state/);
  fillRandom("normal", g, b, DTYPE_CODE.float32, 0, 40, [0, 1]);  // the refused states changed nothing
  assert.notDeepEqual(a, b);
});

test("offset and numel fill only their slice", () => {
  const g = new Generator().manualSeed(0);
  const whole = new Float64Array(8).fill(-1);
  fillRandom("uniform", g, whole, DTYPE_CODE.float64, 3, 4, [0, 1]);
  assert.deepEqual(Array.from(whole.subarray(0, 3)), [-1, -1, -1]);
  assert.equal(whole[7], -1);
  const direct = new Float64Array(4);
  fillRandom("uniform", g.manualSeed(0), direct, DTYPE_CODE.float64, 0, 4, [0, 1]);
  assert.deepEqual(whole.subarray(3, 7), direct);
  assert.throws(() => fillRandom("uniform", g, whole, DTYPE_CODE.float64, 6, 4, [0, 1]), /too small/);
  // the other fills take element offsets too
  const probs = Float64Array.of(9, 9, 0.25, 0.5, 0.75, 1);
  const b1 = new Float32Array(6), b2 = new Float32Array(4);
  fillBernoulliTensor(g.manualSeed(1), b1, DTYPE_CODE.float32, probs, DTYPE_CODE.float64, 4, 2, 2);
  fillBernoulliTensor(g.manualSeed(1), b2, DTYPE_CODE.float32, probs.subarray(2), DTYPE_CODE.float64, 4);
  assert.deepEqual(b1.subarray(2), b2);
  const p1 = new BigInt64Array(9), p2 = new BigInt64Array(6);
  randpermInto(g.manualSeed(2), p1, DTYPE_CODE.int64, 6, 3);
  randpermInto(g.manualSeed(2), p2, DTYPE_CODE.int64, 6);
  assert.deepEqual(p1.subarray(3), p2);
  const m1 = new BigInt64Array(5), m2 = new BigInt64Array(3);
  multinomialInto(g.manualSeed(3), m1, probs, DTYPE_CODE.float64, 1, 4, 3, false, 2, 2);
  multinomialInto(g.manualSeed(3), m2, probs.subarray(2), DTYPE_CODE.float64, 1, 4, 3, false);
  assert.deepEqual(m1.subarray(2), m2);
});

test("invalid arguments throw JS errors with PyTorch's messages", () => {
  const g = new Generator();
  const f = new Float32Array(4), l = new BigInt64Array(4);
  assert.throws(() => fillRandom("uniform", g, f, DTYPE_CODE.float32, 0, 4, [2, 1]), /\[from, to\) range/);
  assert.throws(() => fillRandom("uniform", g, l, DTYPE_CODE.int64, 0, 4, [0, 1]), /floating-point/);
  assert.throws(() => fillRandom("normal", g, f, DTYPE_CODE.float32, 0, 4, [0, -1]), /std >= 0.0/);
  assert.throws(() => fillRandom("randomRange", g, l, DTYPE_CODE.int64, 0, 4, [5, 5]), /'from' to be less than 'to'/);
  assert.throws(() => fillRandom("randomRange", g, new Uint8Array(4), DTYPE_CODE.uint8, 0, 4, [0, 300]), /out of bounds/);
  assert.throws(() => fillRandom("bernoulli", g, f, DTYPE_CODE.float32, 0, 4, [1.5]), /p to be in \[0, 1\]/);
  assert.throws(() => fillRandom("exponential", g, f, DTYPE_CODE.float32, 0, 4, [-1]), /lambda >= 0.0/);
  assert.throws(() => fillBernoulliTensor(g, f, DTYPE_CODE.float32, Float32Array.of(0.5, 2, 0, 0), DTYPE_CODE.float32, 4),
    /p_in >= 0 && p_in <= 1/);
  const probs = Float32Array.of(0.2, 0.3, 0.5);
  assert.throws(() => multinomialInto(g, l, probs, DTYPE_CODE.float32, 1, 3, 4, false), /without replacement/);
  assert.throws(() => multinomialInto(g, l, probs, DTYPE_CODE.float32, 1, 3, 0, true), /n_sample <= 0/);
  assert.throws(() => multinomialInto(g, l, Float32Array.of(0, 0, 0), DTYPE_CODE.float32, 1, 3, 2, false),
    /sum of probabilities <= 0/);
  assert.throws(() => multinomialInto(g, l, Float32Array.of(0.1, -1, 0), DTYPE_CODE.float32, 1, 3, 2, true),
    /probability entry < 0/);
  assert.throws(() => randpermInto(g, new Uint16Array(3000), DTYPE_CODE.float16, 3000), /2049 for Half/);
  assert.throws(() => randpermInto(g, l, DTYPE_CODE.int64, 10), /too small/);
});
