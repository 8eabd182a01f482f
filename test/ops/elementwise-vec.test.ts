// SPDX-License-Identifier: BSD-3-Clause
// The AVX2 float32 forms of log, erf, elu (selu), softplus, gelu (erf), mish, logsigmoid and the
// backward of elu, softplus and gelu (erf) (native/cpu/elementwise.cc on common/simd.h's exp, log,
// log1p and erf): within a few float ulp of the float64 kernels (plus the cancellation the formula
// itself has, e.g. 1 + erf(x) for negative x in gelu, as in PyTorch), NaN / infinities / signed
// zeros as the scalar forms, and the same bits for any layout, size and thread count.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";

import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

const F = torch.nn.functional;
const threads0 = torch.getNumThreads();
after(() => torch.setNumThreads(threads0));
const EPS = 2 ** -24;

function values(n: number, scale: number, seed: number, positive = false): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  const special = [NaN, -0, 0, Infinity, -Infinity, 1e-30, -1e-30, 1e-40, 1, -1, 0.5, 20, -20, 88, -88, 100, -110];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const u = s / 2 ** 32;
    out[i] = i % 53 === 7 ? special[(i / 53 | 0) % special.length]! : positive ? Math.exp((u - 0.5) * 2 * scale) : (u - 0.5) * 2 * scale;
  }
  return out;
}

/** abs(x): the absolute error scale the formula's own cancellation allows; ulps: relative error allowed (default 4). */
interface Case { name: string; positive?: boolean; scale: number; f: (x: Tensor) => Tensor; abs: (x: number) => number; ulps?: number }
const cases: Case[] = [
  { name: "log", positive: true, scale: 40, f: (x) => x.log(), abs: () => 0 },
  { name: "erf", scale: 5, f: (x) => x.erf(), abs: () => 0 },
  { name: "elu", scale: 10, f: (x) => F.elu(x), abs: () => 1 },
  { name: "elu alpha 0.3", scale: 10, f: (x) => F.elu(x, 0.3), abs: () => 0.3 },
  { name: "selu", scale: 10, f: (x) => F.selu(x), abs: () => 1.76 },
  { name: "softplus", scale: 30, f: (x) => F.softplus(x), abs: () => 0 },
  { name: "softplus beta 2 threshold 5", scale: 10, f: (x) => F.softplus(x, 2, 5), abs: () => 0 },
  { name: "gelu", scale: 8, f: (x) => F.gelu(x), abs: (x) => Math.abs(x) },
  { name: "mish", scale: 30, f: (x) => F.mish(x), abs: (x) => Math.abs(x) },
  { name: "logsigmoid", scale: 30, f: (x) => F.logsigmoid(x), abs: () => 0 },
];
// backward kernels through autograd (the gradient does not need grad: the native backward runs)
const backward = (f: (x: Tensor) => Tensor) => (x: Tensor): Tensor => {
  const xr = x.detach().requiresGrad_(true);
  const g = x.detach().abs().add(1).reciprocal().mul(-1.5);  // elementwise: the same for any view
  f(xr).backward(g);
  return xr.grad!;
};
cases.push(
  { name: "elu backward", scale: 10, f: backward((x) => F.elu(x)), abs: () => 2, ulps: 8 },
  { name: "softplus backward", scale: 30, f: backward((x) => F.softplus(x)), abs: () => 0, ulps: 8 },
  { name: "gelu backward", scale: 8, f: backward((x) => F.gelu(x)), abs: (x) => 2 * (1 + Math.abs(x)), ulps: 8 },
);

function check(got: Float32Array, want: Float64Array, xs: Float32Array, c: Case): void {
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (Number.isNaN(w)) { assert.ok(Number.isNaN(g), `${c.name}(${xs[i]}): got ${g}, want NaN`); continue; }
    if (!Number.isFinite(w) || w === 0) {
      if (Object.is(g, Math.fround(w)) || Math.abs(g - w) <= 8 * EPS * c.abs(xs[i]!)) continue;
      assert.fail(`${c.name}(${xs[i]}): got ${g}, want ${w}`);
    }
    const tol = (c.ulps ?? 4) * EPS * Math.abs(w) + 4 * EPS * c.abs(xs[i]!) + 1e-44;
    assert.ok(Math.abs(g - w) <= tol, `${c.name}(${xs[i]}): got ${g}, want ${w} (${Math.abs(g - w) / (EPS * Math.abs(w))} ulp)`);
  }
}
function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length), ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++)
    if (ua[i] !== ub[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) assert.fail(`${what}: element ${i}: ${a[i]} vs ${b[i]}`);
}
const arr = (t: Tensor): Float32Array => t.contiguous().numpy() as Float32Array;

describe("vectorised float32 log / erf / elu / softplus / gelu / mish / logsigmoid", () => {
  for (const c of cases) {
    test(`${c.name}: a few ulp of float64, any layout and thread count`, () => {
      const n = 20000;
      const xv = values(n, c.scale, c.name.length * 7 + 1, c.positive);
      const x = torch.fromTypedArray(xv.slice());
      const got = arr(c.f(x));
      check(got, c.f(x.double()).contiguous().numpy() as Float64Array, xv, c);
      // sizes around the 8 lanes, a strided view, 1 and 2 threads: the same bits
      for (const m of [1, 7, 8, 9, 17]) sameBits(arr(c.f(x.narrow(0, 3, m))), got.subarray(3, 3 + m), `${c.name} n=${m}`);
      const strided = torch.stack([x, x], -1).select(-1, 0);
      assert.ok(!strided.isContiguous());
      sameBits(arr(c.f(strided)), got, `${c.name} strided`);
      const big = torch.fromTypedArray(values((1 << 17) + 5, c.scale, 3, c.positive));
      torch.setNumThreads(1);
      const one = arr(c.f(big));
      torch.setNumThreads(2);
      sameBits(arr(c.f(big)), one, `${c.name} 1 vs 2 threads`);
      torch.setNumThreads(threads0);
    });
  }
});
