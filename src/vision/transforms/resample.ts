// SPDX-License-Identifier: BSD-3-Clause
// The resampling behind resize, rotate and affine, as torch.nn.functional.interpolate and
// grid_sample compute it (align_corners=False). Resizing is separable, so it is two matrix
// products with interpolation-weight matrices (out = Wh @ x @ Ww^T); the weights are PyTorch's
// (upsample_bilinear2d, upsample_bicubic2d with A = -0.75, upsample_nearest2d, and the
// antialiased PIL-style kernels of _upsample_bilinear2d_aa / _upsample_bicubic2d_aa). Grid
// sampling computes each output pixel's source coordinates in float32 as grid_sample does and
// gathers with indexSelect.
import { fromTypedArray, full } from "../../ops/creation.js";
import { cat } from "../../ops/join.js";
import type { Tensor } from "../../tensor/tensor.js";

export type Interpolation = "nearest" | "bilinear" | "bicubic";
const f32 = Math.fround;

function cubic1(x: number, a: number) { return ((a + 2) * x - (a + 3)) * x * x + 1; }
function cubic2(x: number, a: number) { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a; }

/** The (out, in) matrix whose row i holds the weights output i takes from each input. */
export function resizeWeights(inSize: number, outSize: number, mode: Interpolation, antialias: boolean): Float32Array {
  const w = new Float32Array(outSize * inSize);
  const scale = f32(inSize / outSize);
  if (mode === "nearest") {
    for (let i = 0; i < outSize; i++) w[i * inSize + Math.min(Math.floor(f32(i * scale)), inSize - 1)] = 1;
    return w;
  }
  if (antialias && scale > 1) {   // PIL's resampling filters, widened by the scale
    const interp = mode === "bilinear" ? 2 : 4, support = (interp / 2) * scale, inv = 1 / scale;
    const filter = mode === "bilinear" ? (x: number) => Math.max(0, 1 - Math.abs(x))
      : (x: number) => { x = Math.abs(x); return x < 1 ? cubic1(x, -0.5) : x < 2 ? cubic2(x, -0.5) : 0; };
    for (let i = 0; i < outSize; i++) {
      const center = scale * (i + 0.5);
      const xmin = Math.max(Math.trunc(center - support + 0.5), 0), xmax = Math.min(Math.trunc(center + support + 0.5), inSize);
      let total = 0;
      const ws: number[] = [];
      for (let j = xmin; j < xmax; j++) { const v = filter((j - center + 0.5) * inv); ws.push(v); total += v; }
      ws.forEach((v, k) => { w[i * inSize + xmin + k] = total !== 0 ? v / total : 0; });
    }
    return w;
  }
  for (let i = 0; i < outSize; i++) {
    const real = f32(f32(scale * (i + 0.5)) - 0.5);
    if (mode === "bilinear") {
      const src = Math.max(real, 0), i0 = Math.floor(src), i1 = i0 + (i0 < inSize - 1 ? 1 : 0);
      const l1 = f32(src - i0), l0 = f32(1 - l1);
      w[i * inSize + i0] = w[i * inSize + i0]! + l0;
      w[i * inSize + i1] = w[i * inSize + i1]! + l1;
    } else {
      const x0 = Math.floor(real), t = f32(real - x0), a = -0.75;
      const c = [cubic2(t + 1, a), cubic1(t, a), cubic1(1 - t, a), cubic2(2 - t, a)];
      for (let k = 0; k < 4; k++) { const o = i * inSize + Math.min(Math.max(x0 - 1 + k, 0), inSize - 1); w[o] = w[o]! + c[k]!; }
    }
  }
  return w;
}

/** Resizes the last two dims of a float tensor to (oh, ow). */
export function resizeFloat(x: Tensor, oh: number, ow: number, mode: Interpolation, antialias: boolean): Tensor {
  const h = x.size(-2), w = x.size(-1);
  if (mode === "nearest") {   // a gather: exact for any dtype
    const rows = Array.from({ length: oh }, (_, i) => Math.min(Math.floor(f32(i * f32(h / oh))), h - 1));
    const cols = Array.from({ length: ow }, (_, i) => Math.min(Math.floor(f32(i * f32(w / ow))), w - 1));
    return x.indexSelect(-2, rows).indexSelect(-1, cols);
  }
  const wh = fromTypedArray(resizeWeights(h, oh, mode, antialias), [oh, h]).to(x.dtype);
  const ww = fromTypedArray(resizeWeights(w, ow, mode, antialias), [ow, w]).to(x.dtype);
  return wh.matmul(x).matmul(ww.t());
}

/** torchvision's _gen_affine_grid: for each output pixel, the (x, y) grid_sample coordinates, float32. */
export function affineGrid(theta: number[], w: number, h: number, ow: number, oh: number): Float32Array {
  const lin = (start: number, end: number, steps: number) => {   // torch.linspace in float32
    const out = new Float32Array(steps), step = steps > 1 ? (end - start) / (steps - 1) : 0, half = Math.floor(steps / 2);
    for (let i = 0; i < steps; i++) out[i] = i < half ? start + step * i : end - step * (steps - i - 1);
    return out;
  };
  const xs = lin(-ow * 0.5 + 0.5, ow * 0.5 + 0.5 - 1, ow), ys = lin(-oh * 0.5 + 0.5, oh * 0.5 + 0.5 - 1, oh);
  const t = theta.map(f32), sx = f32(0.5 * w), sy = f32(0.5 * h);
  const r = [f32(t[0]! / sx), f32(t[1]! / sx), f32(t[2]! / sx), f32(t[3]! / sy), f32(t[4]! / sy), f32(t[5]! / sy)];
  const grid = new Float32Array(oh * ow * 2);
  for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
    const x = xs[j]!, y = ys[i]!, o = 2 * (i * ow + j);
    grid[o] = f32(f32(f32(x * r[0]!) + f32(y * r[1]!)) + r[2]!);
    grid[o + 1] = f32(f32(f32(x * r[3]!) + f32(y * r[4]!)) + r[5]!);
  }
  return grid;
}

const roundHalfEven = (v: number) => { const r = Math.round(v); return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r; };

/**
 * grid_sample(x, grid, mode, padding_mode="zeros", align_corners=False) on a float (..., C, H, W)
 * tensor; grid is (oh, ow, 2) as from affineGrid.
 */
export function gridSample(x: Tensor, grid: Float32Array, oh: number, ow: number, mode: "nearest" | "bilinear"): Tensor {
  const h = x.size(-2), w = x.size(-1), n = oh * ow, zero = h * w;
  const flat = cat([x.flatten(-2), full([...x.shape.slice(0, -2), 1], 0, { dtype: x.dtype })], -1);  // index h*w reads 0
  // ATen's vectorised CPU grid sampler: (g + 1) * (size / 2) - 0.5, in float32
  const ix = (k: number) => f32(f32(f32(grid[2 * k]! + 1) * f32(w / 2)) - 0.5);
  const iy = (k: number) => f32(f32(f32(grid[2 * k + 1]! + 1) * f32(h / 2)) - 0.5);
  const out = [...x.shape.slice(0, -2), oh, ow];
  if (mode === "nearest") {
    const idx = new Array<number>(n);
    for (let k = 0; k < n; k++) {
      const xi = roundHalfEven(ix(k)), yi = roundHalfEven(iy(k));
      idx[k] = xi >= 0 && xi < w && yi >= 0 && yi < h ? yi * w + xi : zero;
    }
    return flat.indexSelect(-1, idx).reshape(out);
  }
  const idx = [0, 1, 2, 3].map(() => new Array<number>(n)), wt = [0, 1, 2, 3].map(() => new Float32Array(n));
  for (let k = 0; k < n; k++) {
    const fx = ix(k), fy = iy(k), x0 = Math.floor(fx), y0 = Math.floor(fy);
    const e = f32(fx - x0), s = f32(fy - y0), we = f32(1 - e), ns = f32(1 - s);
    const corners: [number, number, number][] = [[x0, y0, f32(we * ns)], [x0 + 1, y0, f32(e * ns)], [x0, y0 + 1, f32(we * s)], [x0 + 1, y0 + 1, f32(e * s)]];
    corners.forEach(([cx, cy, cw], c) => {
      const inside = cx >= 0 && cx < w && cy >= 0 && cy < h;
      idx[c]![k] = inside ? cy * w + cx : zero;
      wt[c]![k] = inside ? cw : 0;
    });
  }
  let acc: Tensor | null = null;
  for (let c = 0; c < 4; c++) {
    const term = flat.indexSelect(-1, idx[c]!).mul(fromTypedArray(wt[c]!).to(x.dtype));
    acc = acc === null ? term : acc.add(term);
  }
  return acc!.reshape(out);
}
