// SPDX-License-Identifier: BSD-3-Clause
// Every native convolution path (native/cpu/conv.cc and conv_direct.h) against a float64
// reference computed here with naive loops: the direct stride-1 float32 kernels (forward, input
// gradient as a padded correlation with flipped weights or, on narrow planes, as col = W^T gradOut
// + col2im, forward and weight gradient with output channels in the lanes on narrow planes, weight
// gradient along the padded grid),
// the 1x1 pointwise GEMM path, depthwise and the im2col + GEMM path; odd channel and spatial sizes
// (1, 7, 63, 65), strides, padding (also larger than the dilated kernel), dilation, groups,
// non-contiguous inputs, batches longer than one weight-gradient chunk, and 1 vs 2 threads giving
// bit-identical results on the direct paths.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { flatValues } from "../helpers.js";

const F = nn.functional;
type T = torch.Tensor;

interface Case {
  N: number; C: number; H: number; W: number; OC: number; KH: number; KW: number;
  s?: [number, number]; p?: [number, number]; d?: [number, number]; G?: number; bias?: boolean;
  nonContig?: boolean; name: string;
}

const vals = (t: T): number[] => flatValues(t) as number[];

/** Naive float64 conv2d forward and backward; also the sums of |terms| for an error bound. */
function reference(c: Case, x: number[], w: number[], b: number[] | null, gy: number[]) {
  const [SH, SW] = c.s ?? [1, 1], [PH, PW] = c.p ?? [0, 0], [DH, DW] = c.d ?? [1, 1], G = c.G ?? 1;
  const OH = Math.floor((c.H + 2 * PH - DH * (c.KH - 1) - 1) / SH) + 1, OW = Math.floor((c.W + 2 * PW - DW * (c.KW - 1) - 1) / SW) + 1;
  const Cg = c.C / G, OCg = c.OC / G;
  const out = new Float64Array(c.N * c.OC * OH * OW), outAbs = new Float64Array(out.length);
  const gx = new Float64Array(x.length), gxAbs = new Float64Array(x.length);
  const gw = new Float64Array(w.length), gwAbs = new Float64Array(w.length);
  const gb = new Float64Array(c.OC), gbAbs = new Float64Array(c.OC);
  for (let n = 0; n < c.N; n++)
    for (let o = 0; o < c.OC; o++) {
      const g = Math.floor(o / OCg);
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const oi = ((n * c.OC + o) * OH + oh) * OW + ow, go = gy[oi]!;
          let acc = b ? b[o]! : 0, abs = b ? Math.abs(b[o]!) : 0;
          gb[o]! += go; gbAbs[o]! += Math.abs(go);
          for (let ci = 0; ci < Cg; ci++)
            for (let ki = 0; ki < c.KH; ki++) {
              const ih = oh * SH - PH + ki * DH;
              if (ih < 0 || ih >= c.H) continue;
              for (let kj = 0; kj < c.KW; kj++) {
                const iw = ow * SW - PW + kj * DW;
                if (iw < 0 || iw >= c.W) continue;
                const xi = ((n * c.C + g * Cg + ci) * c.H + ih) * c.W + iw, wi = ((o * Cg + ci) * c.KH + ki) * c.KW + kj;
                acc += x[xi]! * w[wi]!; abs += Math.abs(x[xi]! * w[wi]!);
                gx[xi]! += go * w[wi]!; gxAbs[xi]! += Math.abs(go * w[wi]!);
                gw[wi]! += go * x[xi]!; gwAbs[wi]! += Math.abs(go * x[xi]!);
              }
            }
          out[oi] = acc; outAbs[oi] = abs;
        }
    }
  return { shape: [c.N, c.OC, OH, OW], out, outAbs, gx, gxAbs, gw, gwAbs, gb, gbAbs };
}

/** |actual - expected| <= tol * (sum of |terms|) + tiny, elementwise. */
function near(actual: T | null | undefined, expected: Float64Array, abs: Float64Array, tol: number, what: string): void {
  assert.ok(actual, `${what}: missing`);
  const a = vals(actual);
  assert.equal(a.length, expected.length, `${what}: length`);
  const bad: string[] = [];
  for (let i = 0; i < a.length && bad.length < 5; i++)
    if (!(Math.abs(a[i]! - expected[i]!) <= tol * abs[i]! + 1e-30)) bad.push(`[${i}] ${a[i]} != ${expected[i]}`);
  assert.equal(bad.length, 0, `${what}: ${bad.join(", ")}`);
}

/** A tensor with the given values in a non-contiguous (channels-last) layout when asked. */
function layout(t: T, nonContig: boolean): T {
  if (!nonContig) return t;
  const r = t.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
  return r;
}

function runCase(c: Case, dtype: "float32" | "float64"): { y: T; gx: T; gw: T; gb: T | null } {
  const G = c.G ?? 1;
  torch.manualSeed(c.N * 1000 + c.C * 100 + c.OC);
  const x0 = torch.randn([c.N, c.C, c.H, c.W], { dtype });
  const w0 = torch.randn([c.OC, c.C / G, c.KH, c.KW], { dtype });
  const b0 = c.bias === false ? null : torch.randn([c.OC], { dtype });
  const x = layout(x0, !!c.nonContig).requiresGrad_(), w = layout(w0, !!c.nonContig).requiresGrad_();
  const b = b0 ? b0.clone().requiresGrad_() : null;
  if (c.nonContig) assert.ok(!x.isContiguous() || c.C === 1 || c.H * c.W === 1, `${c.name}: expected a non-contiguous input`);
  const y = F.conv2d(x, w, b, { stride: c.s ?? 1, padding: c.p ?? 0, dilation: c.d ?? 1, groups: G });
  const gy = torch.randn(y.shape, { dtype });
  y.backward(gy);
  const ref = reference(c, vals(x0), vals(w0), b0 ? vals(b0) : null, vals(gy));
  assert.deepEqual(y.shape, ref.shape, `${c.name}: shape`);
  const tol = dtype === "float32" ? 2e-6 : 1e-14;
  near(y, ref.out, ref.outAbs, tol, `${c.name} ${dtype} out`);
  near(x.grad, ref.gx, ref.gxAbs, tol, `${c.name} ${dtype} grad input`);
  near(w.grad, ref.gw, ref.gwAbs, tol, `${c.name} ${dtype} grad weight`);
  if (b) near(b.grad, ref.gb, ref.gbAbs, tol, `${c.name} ${dtype} grad bias`);
  return { y, gx: x.grad!, gw: w.grad!, gb: b ? b.grad! : null };
}

const CASES: Case[] = [
  // the CIFAR-10 tutorial Net (LeNet) layers; batch 10 spans two weight-gradient chunks of 8
  { name: "lenet conv1", N: 10, C: 3, H: 32, W: 32, OC: 6, KH: 5, KW: 5 },
  { name: "lenet conv2", N: 3, C: 6, H: 14, W: 14, OC: 16, KH: 5, KW: 5 },
  // the benchmark's batch 4: the lanes weight gradient splits its taps over tasks (pads and
  // transposes made once for all of them)
  { name: "lenet conv2 batch 4", N: 4, C: 6, H: 14, W: 14, OC: 16, KH: 5, KW: 5 },
  // enough samples for one task per sample (forward, input gradient) and per 8-sample chunk of the
  // weight gradient (partials summed in chunk order) also with 2 threads; the last chunk partial
  { name: "lenet conv2 batch 33", N: 33, C: 6, H: 14, W: 14, OC: 16, KH: 5, KW: 5 },
  // odd sizes: 1, 7, 63, 65 channels / spatial
  { name: "1 channel 1 out", N: 2, C: 1, H: 7, W: 7, OC: 1, KH: 3, KW: 3 },
  { name: "65 in 7 out 3x3 pad 1", N: 2, C: 65, H: 9, W: 7, OC: 7, KH: 3, KW: 3, p: [1, 1] },
  { name: "7 in 65 out", N: 1, C: 7, H: 7, W: 9, OC: 65, KH: 3, KW: 3, p: [1, 1] },
  { name: "63 wide", N: 2, C: 3, H: 5, W: 63, OC: 7, KH: 3, KW: 3, p: [1, 1] },
  { name: "65 high, 1 wide", N: 1, C: 2, H: 65, W: 1, OC: 3, KH: 3, KW: 1, p: [1, 0] },
  { name: "1x1 output", N: 3, C: 4, H: 3, W: 3, OC: 5, KH: 3, KW: 3 },
  { name: "kernel 1x7 pad 0x3", N: 2, C: 5, H: 6, W: 11, OC: 7, KH: 1, KW: 7, p: [0, 3] },
  // padding larger than the dilated kernel reach (the input gradient crops the padded gradOut)
  { name: "pad 3 on 3x3", N: 2, C: 3, H: 5, W: 6, OC: 4, KH: 3, KW: 3, p: [3, 2] },
  { name: "dilation 2 pad 2", N: 2, C: 4, H: 11, W: 10, OC: 6, KH: 3, KW: 3, p: [2, 2], d: [2, 2] },
  { name: "dilation 3x1 pad 1x2", N: 1, C: 3, H: 13, W: 9, OC: 5, KH: 3, KW: 5, p: [1, 2], d: [3, 1] },
  // narrow planes: the input gradient as col = W^T gradOut + col2im (groups, padding, rows wider than 16)
  { name: "col input grad, groups 2, 5x5", N: 3, C: 4, H: 9, W: 8, OC: 6, KH: 5, KW: 5, G: 2 },
  { name: "col input grad, groups 2, 5x5 pad 1x2", N: 3, C: 4, H: 9, W: 8, OC: 6, KH: 5, KW: 5, p: [1, 2], G: 2 },
  { name: "col input grad, 7x7 pad 1 on 6x21", N: 2, C: 2, H: 6, W: 21, OC: 5, KH: 7, KW: 7, p: [1, 1] },
  // narrow planes, 16k output channels: forward and weight gradient with channels in the lanes (valid positions only)
  { name: "lanes forward, 32 out per group, pad 1x2, dilation 2x1, groups 2", N: 2, C: 4, H: 7, W: 5, OC: 64, KH: 3, KW: 3, p: [1, 2], d: [2, 1], G: 2 },
  // groups (not depthwise)
  { name: "groups 2", N: 2, C: 6, H: 9, W: 8, OC: 10, KH: 3, KW: 3, p: [1, 1], G: 2 },
  { name: "groups 3, 7 out per group", N: 1, C: 9, H: 7, W: 7, OC: 21, KH: 5, KW: 3, p: [2, 1], G: 3 },
  // strided (im2col + GEMM), with and without padding and dilation
  { name: "stride 2 pad 1", N: 2, C: 5, H: 9, W: 10, OC: 7, KH: 3, KW: 3, s: [2, 2], p: [1, 1] },
  { name: "stride 2x1 dilation 2", N: 2, C: 3, H: 11, W: 9, OC: 4, KH: 3, KW: 3, s: [2, 1], d: [2, 2] },
  { name: "1x1 stride 2", N: 2, C: 7, H: 7, W: 7, OC: 5, KH: 1, KW: 1, s: [2, 2] },
  // 1x1 stride 1 (pointwise GEMM, no im2col), with groups and 65 channels
  { name: "pointwise 65 -> 7", N: 3, C: 65, H: 5, W: 7, OC: 7, KH: 1, KW: 1 },
  { name: "pointwise groups 5", N: 2, C: 10, H: 3, W: 3, OC: 15, KH: 1, KW: 1, G: 5 },
  { name: "1x1 pad 1 (direct)", N: 2, C: 3, H: 4, W: 5, OC: 2, KH: 1, KW: 1, p: [1, 1] },
  // depthwise (its own direct kernel)
  { name: "depthwise 7", N: 2, C: 7, H: 9, W: 9, OC: 7, KH: 3, KW: 3, p: [1, 1], G: 7 },
  // non-contiguous input and weight, no bias
  { name: "channels-last lenet conv2", N: 2, C: 6, H: 14, W: 14, OC: 16, KH: 5, KW: 5, nonContig: true, bias: false },
  { name: "channels-last pointwise", N: 2, C: 7, H: 5, W: 5, OC: 3, KH: 1, KW: 1, nonContig: true },
];

test("conv2d paths against a float64 reference: forward, grad input, grad weight, grad bias", () => {
  for (const c of CASES) {
    runCase(c, "float32");
    runCase(c, "float64");
  }
});

test("conv1d over the direct and pointwise paths", () => {
  for (const [k, p, d, C, OC, L] of [[5, 2, 1, 7, 3, 63], [3, 0, 2, 1, 65, 20], [1, 0, 1, 65, 7, 9]] as const) {
    torch.manualSeed(k * 7 + C);
    const x = torch.randn([2, C, L]).requiresGrad_(), w = torch.randn([OC, C, k]).requiresGrad_(), b = torch.randn([OC]).requiresGrad_();
    const y = F.conv1d(x, w, b, { padding: p, dilation: d });
    const gy = torch.randn(y.shape);
    y.backward(gy);
    // the same convolution as a 2-d one of height 1 on float64 copies
    const x2 = x.detach().to("float64").unsqueeze(2).requiresGrad_(), w2 = w.detach().to("float64").unsqueeze(2).requiresGrad_();
    const b2 = b.detach().to("float64").requiresGrad_();
    const y2 = F.conv2d(x2, w2, b2, { padding: [0, p], dilation: [1, d] });
    y2.backward(gy.to("float64").unsqueeze(2));
    const c: Case = { name: `conv1d k${k} p${p} d${d}`, N: 2, C, H: 1, W: L, OC, KH: 1, KW: k, p: [0, p], d: [1, d] };
    const ref = reference(c, vals(x.detach()), vals(w.detach()), vals(b.detach()), vals(gy));
    near(y, ref.out, ref.outAbs, 2e-6, `${c.name} out`);
    near(x.grad, ref.gx, ref.gxAbs, 2e-6, `${c.name} gx`);
    near(w.grad, ref.gw, ref.gwAbs, 2e-6, `${c.name} gw`);
    near(b.grad, ref.gb, ref.gbAbs, 2e-6, `${c.name} gb`);
    near(y2.squeeze(2), ref.out, ref.outAbs, 1e-14, `${c.name} float64 out`);
  }
});

test("convTranspose2d with stride 1 (the direct input-gradient kernel as a forward)", () => {
  for (const [C, OC, k, p, d, G] of [[6, 3, 5, 0, 1, 1], [4, 6, 3, 1, 2, 2], [65, 7, 3, 2, 1, 1]] as const) {
    torch.manualSeed(C + OC + k);
    const x = torch.randn([2, C, 9, 8]), w = torch.randn([C, OC / G, k, k]);
    const y = F.convTranspose2d(x, w, null, { padding: p, dilation: d, groups: G });
    // the transposed convolution is the input gradient of conv2d(., w) at gradOut = x
    const H = y.shape[2]!, W = y.shape[3]!;
    const c: Case = { name: `convT C${C}`, N: 2, C: OC, H, W, OC: C, KH: k, KW: k, p: [p, p], d: [d, d], G };
    const ref = reference(c, new Array(2 * OC * H * W).fill(0), vals(w), null, vals(x));
    near(y, ref.gx, ref.gxAbs, 2e-6, `${c.name} out`);
  }
});

test("direct paths give bit-identical results with 1 and 2 threads", () => {
  const saved = torch.getNumThreads();
  try {
    const cases = CASES.filter((c) => !c.s && !(c.KH === 1 && c.KW === 1 && !c.p) && c.G !== c.C);
    // large enough to be split across threads
    cases.push({ name: "wide 16 ch", N: 9, C: 16, H: 16, W: 16, OC: 20, KH: 3, KW: 3, p: [1, 1] });
    for (const c of cases) {
      torch.setNumThreads(1);
      const a = runCase(c, "float32");
      torch.setNumThreads(2);
      const b = runCase(c, "float32");
      for (const k of ["y", "gx", "gw"] as const) assert.deepEqual(vals(a[k]), vals(b[k]), `${c.name} ${k}`);
    }
  } finally {
    torch.setNumThreads(saved);
  }
});

/** Naive max pool (dilation 1, padding, ceil mode): PyTorch's rule, a later element wins if greater or NaN. */
function maxPoolRef(x: number[], P: number, H: number, W: number, k: number, s: number, pad = 0, ceil = false) {
  const size = (n: number): number => {
    let o = (ceil ? Math.ceil((n + 2 * pad - k) / s) : Math.floor((n + 2 * pad - k) / s)) + 1;
    if (ceil && (o - 1) * s >= n + pad) o--;
    return o;
  };
  const OH = size(H), OW = size(W);
  const out: number[] = [], ind: number[] = [];
  for (let p = 0; p < P; p++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++) {
        const hs = Math.max(oh * s - pad, 0), he = Math.min(oh * s - pad + k, H);
        const ws = Math.max(ow * s - pad, 0), we = Math.min(ow * s - pad + k, W);
        let m = -Infinity, best = hs * W + ws;
        for (let h = hs; h < he; h++)
          for (let w = ws; w < we; w++) {
            const v = x[p * H * W + h * W + w]!;
            if (v > m || Number.isNaN(v)) { m = v; best = h * W + w; }
          }
        out.push(m); ind.push(best);
      }
  return { out, ind, OH, OW };
}

test("maxPool2d fast paths (2x2 stride 2 and stride 2 with padding vectorized, windows inside the plane): values, indices, ties, NaN, gradient", () => {
  for (const dtype of ["float32", "float64"] as const)
    for (const [H, W, k, s, pad, ceil] of [
      [28, 28, 2, 2, 0, false], [10, 10, 2, 2, 0, false], [7, 35, 2, 2, 0, false], [9, 65, 2, 2, 0, false], [2, 2, 2, 2, 0, false],
      [12, 13, 3, 3, 0, false], [11, 11, 3, 2, 0, false], [8, 9, 2, 1, 0, false], [9, 9, 4, 3, 0, false],
      // stride 2 with padding (ResNet's 3x3/2 pad 1), wide rows for the vector blocks, ceil mode
      [56, 56, 3, 2, 1, false], [9, 65, 3, 2, 1, false], [7, 40, 3, 2, 0, false], [8, 47, 5, 2, 2, false], [6, 37, 2, 2, 1, false],
      [9, 45, 3, 2, 1, true], [10, 44, 3, 2, 0, true], [5, 5, 3, 2, 1, true],
    ] as const) {
      torch.manualSeed(H * 100 + W);
      // small integers make ties common; a few NaN and -inf
      let x = torch.randint(-3, 4, [2, 3, H, W]).to(dtype);
      const flat = vals(x);
      for (let i = 0; i < flat.length; i += 17) flat[i] = i % 34 === 0 ? NaN : -Infinity;
      x = torch.tensor(flat, { dtype }).reshape([2, 3, H, W]).requiresGrad_();
      const [y, ind] = F.maxPool2dWithIndices(x, k, { stride: s, padding: pad, ceilMode: ceil });
      const ref = maxPoolRef(flat, 6, H, W, k, s, pad, ceil);
      const what = `maxPool2d ${dtype} ${H}x${W} k${k} s${s} p${pad}${ceil ? " ceil" : ""}`;
      assert.deepEqual(y.shape, [2, 3, ref.OH, ref.OW], `${what} shape`);
      const got = vals(y);
      for (let i = 0; i < got.length; i++)
        assert.ok(Object.is(got[i], ref.out[i]) || got[i] === ref.out[i], `${what} out[${i}] ${got[i]} != ${ref.out[i]}`);
      assert.deepEqual(flatValues(ind).map(Number), ref.ind, `${what} indices`);
      const gy = torch.randn(y.shape, { dtype });
      y.backward(gy);
      const gx = new Array(flat.length).fill(0), g = vals(gy);
      const rnd = dtype === "float32" ? Math.fround : (v: number) => v;  // the kernel adds in output order in the tensor's precision
      ref.ind.forEach((j, i) => { const p = Math.floor(i / (ref.OH * ref.OW)); gx[p * H * W + j] = rnd(gx[p * H * W + j] + g[i]!); });
      assert.deepEqual(vals(x.grad!), gx, `${what} grad`);
    }
});

test("direct forward over several sample chunks (padded scratch capped) equals per-sample results", () => {
  torch.manualSeed(7);
  // 2 x 1102 x 1102 padded floats per sample: the scratch holds 3 samples, so 4 samples take two chunks
  const x = torch.randn([4, 2, 1100, 1100]), w = torch.randn([2, 2, 3, 3]), b = torch.randn([2]);
  const y = F.conv2d(x, w, b, { padding: 1 });
  for (let n = 0; n < 4; n++) {
    const yn = F.conv2d(x.narrow(0, n, 1), w, b, { padding: 1 });
    assert.ok(torch.equal(y.narrow(0, n, 1), yn), `sample ${n}`);
  }
});
