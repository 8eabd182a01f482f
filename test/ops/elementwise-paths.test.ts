// SPDX-License-Identifier: BSD-3-Clause
// The fast paths of the elementwise and reduction kernels (native/cpu/elementwise.cc, reduce.cc):
// sizes around the vector width (8 float32 lanes, 16-element sum blocks) and the thread split
// (32768-element grain, 16384 for the vectorised activations, 32768-element reduction blocks),
// NaN / -0.0 / infinities, integer dtypes, non-contiguous and broadcast operands, and 1 vs 2
// threads. Promises checked here:
// - clamp / relu / add / mul are exact (the reference is computed in JS with Math.fround), NaN
//   passes through clamp and relu, relu(-0.0) is -0.0 (as PyTorch);
// - the vectorised float32 activations (exp, tanh, sigmoid, silu, gelu tanh, silu backward) are
//   within a few float ulp of a float64 reference, and give bit-identical results for any layout
//   (contiguous or strided), any size, and 1 or 2 threads;
// - sum / mean / var / amax / argmax give bit-identical results with 1 and 2 threads (long
//   reductions are cut into fixed blocks combined in order, whatever the thread count).
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";

import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

const F = torch.nn.functional;
const SIZES = [1, 7, 8, 9, 15, 16, 17, 1023, 1025, 16385, 32769, 65537, (1 << 20) + 3];
const threads0 = torch.getNumThreads();
after(() => torch.setNumThreads(threads0));

/** Deterministic float32 values with the awkward ones sprinkled in. */
function values(n: number, scale = 4, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  const special = [NaN, -0, 0, Infinity, -Infinity, -1e-30, 1e-30, 0.625, -0.625, 88.8, -104, 20, -20];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = i % 97 === 5 ? special[(i / 97 | 0) % special.length]! : ((s / 2 ** 32) - 0.5) * 2 * scale;
  }
  return out;
}
const f32 = (a: Float32Array): Tensor => torch.fromTypedArray(a.slice());
const arr = (t: Tensor): Float32Array => t.contiguous().numpy() as Float32Array;
/** The same values, every other element of a twice-as-long storage. */
const strided = (t: Tensor): Tensor => torch.stack([t, t], -1).select(-1, 0);

function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length), ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (ua[i] === ub[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i]))) continue;
    assert.fail(`${what}: element ${i} differs: ${a[i]} vs ${b[i]}`);
  }
}
function exact(got: Float32Array, want: (i: number) => number, what: string): void {
  for (let i = 0; i < got.length; i++) {
    const w = Math.fround(want(i));
    if (Object.is(got[i], w) || (Number.isNaN(got[i]) && Number.isNaN(w))) continue;
    assert.fail(`${what}: element ${i}: got ${got[i]}, want ${w}`);
  }
}
function withThreads<R>(n: number, fn: () => R): R {
  const was = torch.getNumThreads();
  torch.setNumThreads(n);
  try { return fn(); } finally { torch.setNumThreads(was); }
}

describe("clamp and relu (branch-free paths)", () => {
  for (const n of SIZES) {
    test(`float32, n = ${n}`, () => {
      const xv = values(n), x = f32(xv);
      exact(arr(torch.relu(x)), (i) => (xv[i]! < 0 ? 0 : xv[i]!), "relu");
      exact(arr(torch.clamp(x, 0)), (i) => (xv[i]! < 0 ? 0 : xv[i]!), "clamp(min=0)");
      exact(arr(torch.clamp(x, -1, 1)), (i) => (Number.isNaN(xv[i]!) ? NaN : Math.min(Math.max(xv[i]!, -1), 1)), "clamp(-1, 1)");
      exact(arr(torch.clamp(x, undefined, 0.5)), (i) => (xv[i]! > 0.5 ? 0.5 : xv[i]!), "clamp(max=0.5)");
      // out= into a preallocated tensor, and a non-contiguous input and output
      const out = torch.empty(n);
      torch.clamp(x, 0, undefined, { out });
      exact(arr(out), (i) => (xv[i]! < 0 ? 0 : xv[i]!), "clamp(min=0, out=)");
      const sx = strided(x), sout = strided(torch.zeros(n));
      torch.clamp(sx, -1, 1, { out: sout });
      if (n > 1) assert.ok(!sx.isContiguous() && !sout.isContiguous());
      exact(arr(sout), (i) => (Number.isNaN(xv[i]!) ? NaN : Math.min(Math.max(xv[i]!, -1), 1)), "strided clamp");
      exact(arr(torch.relu(sx)), (i) => (xv[i]! < 0 ? 0 : xv[i]!), "strided relu");
    });
  }

  test("NaN passes through, -0.0 keeps its sign, as PyTorch", () => {
    const x = torch.tensor([NaN, -0, 0, -1, 2, -Infinity, Infinity]);
    const r = arr(torch.relu(x));
    assert.ok(Number.isNaN(r[0]));
    assert.ok(Object.is(r[1], -0) && Object.is(r[2], 0) && Object.is(r[3], 0) && r[4] === 2 && Object.is(r[5], 0) && r[6] === Infinity);
    const c = arr(torch.clamp(x, 0, 1));
    assert.ok(Number.isNaN(c[0]) && Object.is(c[1], -0) && c[5] === 0 && c[6] === 1);
    // lo > hi: hi wins, as PyTorch
    assert.deepEqual(Array.from(arr(torch.clamp(torch.tensor([-5, 0.5, 5]), 1, 0))), [0, 0, 0]);
    const inplace = torch.tensor([NaN, -0, -3]);
    inplace.relu_();
    const v = arr(inplace);
    assert.ok(Number.isNaN(v[0]) && Object.is(v[1], -0) && Object.is(v[2], 0));
  });

  test("integer dtypes and float64", () => {
    for (const dtype of ["int8", "uint8", "int16", "int32", "int64", "float64"] as const) {
      for (const n of [1, 17, 33, 1025, 40000]) {
        const src = Array.from({ length: n }, (_, i) => ((i * 37) % 101) - (dtype === "uint8" ? 0 : 50));
        const x = torch.tensor(src, { dtype });
        const want = (lo: number | undefined, hi: number | undefined) =>
          src.map((v) => (lo !== undefined && v < lo ? lo : hi !== undefined && v > hi ? hi : v));
        const flat = (t: Tensor) => (t.tolist() as (number | bigint)[]).map(Number);
        assert.deepEqual(flat(torch.clamp(x, 3, 60)), want(3, 60).map((v) => Math.min(v, 60)), `${dtype} clamp ${n}`);
        assert.deepEqual(flat(torch.clamp(x, 10)), want(10, undefined), `${dtype} clamp min ${n}`);
        assert.deepEqual(flat(torch.clamp(x, undefined, 10)), want(undefined, 10), `${dtype} clamp max ${n}`);
        assert.deepEqual(flat(torch.relu(x)), src.map((v) => Math.max(v, 0)), `${dtype} relu ${n}`);
        assert.deepEqual(flat(torch.clamp(strided(x), 3, 60)), want(3, 60).map((v) => Math.min(v, 60)), `${dtype} strided clamp ${n}`);
      }
    }
  });
});

describe("add and mul (out=, broadcast, strided)", () => {
  for (const n of SIZES) {
    test(`float32, n = ${n}`, () => {
      const av = values(n, 4, 1), bv = values(n, 4, 2), a = f32(av), b = f32(bv);
      const out = torch.empty(n);
      torch.add(a, b, { out });
      exact(arr(out), (i) => av[i]! + bv[i]!, "add out=");
      torch.mul(a, b, { out });
      exact(arr(out), (i) => av[i]! * bv[i]!, "mul out=");
      exact(arr(torch.add(strided(a), b)), (i) => av[i]! + bv[i]!, "add strided");
      exact(arr(torch.mul(a, 3)), (i) => av[i]! * 3, "mul scalar");
      exact(arr(torch.add(a, torch.tensor([0.5]))), (i) => av[i]! + 0.5, "add broadcast");
      sameBits(withThreads(1, () => arr(torch.add(a, b))), withThreads(2, () => arr(torch.add(a, b))), "add 1 vs 2 threads");
    });
  }
});

// ---- the vectorised float32 activations -------------------------------------------------------------------------

const sig = (v: number) => 1 / (1 + Math.exp(-v));
const geluTanhRef = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
const ACTIVATIONS: [string, (t: Tensor) => Tensor, (v: number) => number, number, number][] = [
  // name, op, float64 reference, rtol, atol
  ["exp", (t) => t.exp(), Math.exp, 3e-7, 1.5e-45],
  ["tanh", (t) => t.tanh(), Math.tanh, 3e-7, 0],
  ["sigmoid", (t) => t.sigmoid(), sig, 5e-7, 1e-38],
  ["silu", (t) => F.silu(t), (v) => v * sig(v), 6e-7, 1e-37],
  // 1 + tanh cancels for x < -2 (an ulp of tanh near -1 is 6e-8): an absolute bound, as for the scalar formula
  ["gelu tanh", (t) => F.gelu(t, { approximate: "tanh" }), geluTanhRef, 1e-6, 5e-7],
];

function closeTo(got: Float32Array, xv: Float32Array, ref: (v: number) => number, rtol: number, atol: number, what: string): void {
  for (let i = 0; i < got.length; i++) {
    const w = ref(xv[i]!), g = got[i]!;
    if (Number.isNaN(w)) { assert.ok(Number.isNaN(g), `${what}(${xv[i]}): got ${g}, want NaN`); continue; }
    const wf = Math.fround(w);
    if (!Number.isFinite(wf)) { assert.equal(g, wf, `${what}(${xv[i]})`); continue; }
    assert.ok(g === wf || Math.abs(g - w) <= atol + rtol * Math.abs(w), `${what}(${xv[i]}): got ${g}, want ${w}`);
  }
}

describe("vectorised float32 activations", () => {
  for (const [name, op, ref, rtol, atol] of ACTIVATIONS) {
    for (const n of SIZES) {
      test(`${name}, n = ${n}: accuracy, strided = contiguous, 1 thread = 2 threads`, () => {
        const xv = values(n, name === "exp" ? 30 : 8), x = f32(xv);
        const y1 = withThreads(1, () => arr(op(x)));
        closeTo(y1, xv, ref, rtol, atol, name);
        sameBits(y1, withThreads(2, () => arr(op(x))), `${name}: 1 vs 2 threads`);
        sameBits(y1, arr(op(strided(x))), `${name}: strided input`);
        if (n > 8) sameBits(y1.subarray(3), arr(op(x.narrow(0, 3, n - 3))), `${name}: shifted start`);
      });
    }
  }

  test("edge values", () => {
    const e = arr(torch.tensor([-Infinity, Infinity, NaN, 88.72, 89, -103, -104, -200, 0, -0]).exp());
    assert.deepEqual(Array.from(e.subarray(0, 2)), [0, Infinity]);
    assert.ok(Number.isNaN(e[2]) && Number.isFinite(e[3]) && e[4] === Infinity && e[5]! > 0 && e[6] === 0 && e[7] === 0);
    assert.ok(e[8] === 1 && e[9] === 1);
    const t = arr(torch.tensor([-0, 0, Infinity, -Infinity, NaN, 1e-30, -1e-30, 10, -10]).tanh());
    assert.ok(Object.is(t[0], -0) && Object.is(t[1], 0) && t[2] === 1 && t[3] === -1 && Number.isNaN(t[4]));
    assert.ok(t[5] === Math.fround(1e-30) && t[6] === Math.fround(-1e-30) && t[7] === 1 && t[8] === -1);
    const s = arr(torch.tensor([-Infinity, Infinity, NaN, 0, -200]).sigmoid());
    assert.ok(s[0] === 0 && s[1] === 1 && Number.isNaN(s[2]) && s[3] === 0.5 && s[4] === 0);
  });

  test("silu backward: accuracy and 1 vs 2 threads", () => {
    for (const n of [7, 17, 1025, (1 << 20) + 3]) {
      const xv = values(n, 8), gv = values(n, 1, 9);
      const grad = () => {
        const x = f32(xv).requiresGrad_(true);
        F.silu(x).backward(f32(gv));
        return arr(x.grad!);
      };
      const g1 = withThreads(1, grad);
      sameBits(g1, withThreads(2, grad), "silu backward 1 vs 2 threads");
      for (let i = 0; i < n; i++) {
        const v = xv[i]!, s = sig(v), w = gv[i]! * s * (1 + v * (1 - s));
        if (!Number.isFinite(w)) continue;
        assert.ok(Math.abs(g1[i]! - w) <= 1e-6 * Math.abs(gv[i]!) + 1e-6 * Math.abs(w), `silu'(${v}): ${g1[i]} vs ${w}`);
      }
    }
  });

  test("float64 and float16 inputs keep the scalar formulas", () => {
    const x = torch.tensor([-3, -0.5, 0, 0.5, 3], { dtype: "float64" });
    const y = x.tanh().tolist() as number[];
    [-3, -0.5, 0, 0.5, 3].forEach((v, i) => assert.ok(Math.abs(y[i]! - Math.tanh(v)) < 1e-15));
    const h = torch.tensor([-3, 0, 3], { dtype: "float16" }).sigmoid().float().tolist() as number[];
    [-3, 0, 3].forEach((v, i) => assert.ok(Math.abs(h[i]! - sig(v)) < 1e-3));
  });
});

// ---- reductions ------------------------------------------------------------------------------------------------------

describe("reductions: fixed blocks, 1 thread = 2 threads", () => {
  for (const n of SIZES) {
    test(`sum / mean / amax / argmax, n = ${n}`, () => {
      const xv = values(n, 4).map((v) => (Number.isFinite(v) ? v : 0.25));
      const x = f32(xv);
      let exactSum = 0;
      for (const v of xv) exactSum += v;
      const s1 = withThreads(1, () => x.sum().item() as number);
      assert.ok(Math.abs(s1 - exactSum) <= 1e-6 * Math.max(1, Math.abs(exactSum)) + n * 1e-12, `sum ${s1} vs ${exactSum}`);
      const both = (f: () => number | boolean) => assert.equal(withThreads(1, f), withThreads(2, f));
      both(() => x.sum().item() as number);
      both(() => x.mean().item() as number);
      both(() => x.amax().item() as number);
      both(() => x.argmax().item() as number);
      both(() => x.double().sum().item() as number);
      both(() => x.var().item() as number);
      both(() => x.to("int32").sum().item() as number);
      both(() => strided(x).sum().item() as number);
    });
  }

  test("NaN: sum is NaN, amax / argmax take the first NaN, with 1 and 2 threads", () => {
    const n = (1 << 20) + 3;
    const xv = values(n, 4).map((v) => (Number.isFinite(v) ? v : 0));
    xv[700001] = NaN;
    xv[900001] = NaN;
    const x = f32(xv);
    for (const t of [1, 2]) {
      withThreads(t, () => {
        assert.ok(Number.isNaN(x.sum().item() as number));
        assert.ok(Number.isNaN(x.amax().item() as number));
        assert.equal(x.argmax().item(), 700001);
        assert.equal(x.nansum().item(), withThreads(1, () => x.nansum().item()));
      });
    }
  });

  test("sum of ones is exact (double accumulation)", () => {
    assert.equal(torch.ones(10_000_000).sum().item(), 1e7);
    assert.equal(withThreads(2, () => torch.ones((1 << 20) + 3).sum().item()), (1 << 20) + 3);
  });

  test("row and column sums agree with 1 and 2 threads", () => {
    const x = f32(values(300 * 1100, 2).map((v) => (Number.isFinite(v) ? v : 1))).reshape(300, 1100);
    for (const dim of [0, 1]) {
      sameBits(withThreads(1, () => arr(x.sum(dim))), withThreads(2, () => arr(x.sum(dim))), `sum(${dim})`);
      const want = arr(x.double().sum(dim).float());
      const got = arr(x.sum(dim));
      for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-5 * Math.abs(want[i]!) + 1e-5);
    }
  });
});
