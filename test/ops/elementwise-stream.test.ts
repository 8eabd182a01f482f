// SPDX-License-Identifier: BSD-3-Clause
// Outputs larger than the last-level cache are written with streaming (non-temporal) stores
// (native/cpu/elementwise.cc, streamOut): the values must be exactly those of the cached path, for
// any alignment of the output, in place, with a scalar operand, for clamp/relu, and for 1 and 2
// threads. The references are computed on pieces small enough to take the cached path.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";

import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

const threads0 = torch.getNumThreads();
after(() => torch.setNumThreads(threads0));

// 36 MiB of float32 traffic for a unary op, 54 MiB for a binary one (above a 32 MiB cache), odd
const N = (9 << 20) / 2 + 7 | 0;

function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = i % 101 === 3 ? NaN : ((s / 2 ** 32) - 0.5) * 8;
  }
  return out;
}
/** f applied piecewise on chunks of 64K elements (each far below the streaming threshold). */
function piecewise(n: number, f: (lo: number, len: number) => Tensor): Float32Array {
  const out = new Float32Array(n);
  for (let lo = 0; lo < n; lo += 65536) out.set(f(lo, Math.min(65536, n - lo)).contiguous().numpy() as Float32Array, lo);
  return out;
}
function sameBits(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length, what);
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length), w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < g.length; i++) if (g[i] !== w[i]) assert.fail(`${what}: element ${i}: ${got[i]} vs ${want[i]}`);
}

describe("streaming stores for large outputs", () => {
  const a = torch.fromTypedArray(values(N + 5, 1)), b = torch.fromTypedArray(values(N + 5, 2));
  for (const threads of [1, 2]) {
    for (const off of [0, 1, 3]) {  // offset 1 and 3: the output's start is not 16-byte aligned
      test(`add/mul/sub/div/relu/clamp, ${threads} thread(s), offset ${off}`, () => {
        torch.setNumThreads(threads);
        const x = a.narrow(0, off, N), y = b.narrow(0, 5 - off, N);
        const outBase = torch.empty(N + 4), out = outBase.narrow(0, off, N);
        const cases: [string, () => Tensor, (lo: number, len: number) => Tensor][] = [
          ["add", () => torch.add(x, y, { out }), (lo, len) => torch.add(x.narrow(0, lo, len), y.narrow(0, lo, len))],
          ["add alpha", () => torch.add(x, y, { alpha: 0.3, out }), (lo, len) => torch.add(x.narrow(0, lo, len), y.narrow(0, lo, len), { alpha: 0.3 })],
          ["mul", () => torch.mul(x, y, { out }), (lo, len) => torch.mul(x.narrow(0, lo, len), y.narrow(0, lo, len))],
          ["sub", () => torch.sub(x, y), (lo, len) => torch.sub(x.narrow(0, lo, len), y.narrow(0, lo, len))],
          ["div", () => torch.div(x, y), (lo, len) => torch.div(x.narrow(0, lo, len), y.narrow(0, lo, len))],
          ["mul scalar", () => torch.mul(x, 1.7), (lo, len) => torch.mul(x.narrow(0, lo, len), 1.7)],
          ["relu", () => torch.relu(x), (lo, len) => torch.relu(x.narrow(0, lo, len))],
          ["clamp out", () => torch.clamp(x, -1, 2, { out }), (lo, len) => torch.clamp(x.narrow(0, lo, len), -1, 2)],
          ["neg", () => torch.neg(x), (lo, len) => torch.neg(x.narrow(0, lo, len))],
        ];
        for (const [name, big, small] of cases) sameBits(big().contiguous().numpy() as Float32Array, piecewise(N, small), name);
      });
    }
    test(`in place add_, float64 and int32, ${threads} thread(s)`, () => {
      torch.setNumThreads(threads);
      const x = a.narrow(0, 1, N).clone(), y = b.narrow(0, 0, N);
      const want = piecewise(N, (lo, len) => torch.add(x.narrow(0, lo, len), y.narrow(0, lo, len)));
      x.add_(y);
      sameBits(x.numpy() as Float32Array, want, "add_");
      const xd = a.narrow(0, 0, N).double(), yd = b.narrow(0, 0, N).double();
      const d = xd.mul(yd).numpy() as Float64Array, xa = xd.numpy() as Float64Array, ya = yd.numpy() as Float64Array;
      for (let i = 0; i < N; i += 9973) assert.ok(Object.is(d[i], xa[i]! * ya[i]!) || Number.isNaN(d[i]!), `f64 ${i}`);
      const xi = torch.arange(N, { dtype: "int32" }), s = xi.add(xi).numpy() as Int32Array;
      for (let i = 0; i < N; i += 7919) assert.equal(s[i], 2 * i, `i32 ${i}`);
    });
  }
});
