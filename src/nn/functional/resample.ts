// SPDX-License-Identifier: BSD-3-Clause
// F.interpolate (nearest, nearest-exact, linear, bilinear, bicubic, trilinear, area) as separable
// tap tables for the native sepmap kernel, with PyTorch's index/weight rules
// (aten/src/ATen/native/UpSample.h: area_pixel_compute_source_index, nearest_idx, cubic
// coefficients with A = -0.75); F.pixelShuffle / F.pixelUnshuffle as views.
import { RuntimeError, ValueError } from "../../errors.js";
import type { Tensor } from "../../tensor/tensor.js";
import { NotImplementedError, sepmap, type TapDim, tapDim } from "./sepmap.js";

export type InterpolateMode = "nearest" | "nearest-exact" | "linear" | "bilinear" | "bicubic" | "trilinear" | "area";

export interface InterpolateOptions {
  size?: number | readonly number[] | null;
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
  antialias?: boolean;
}

const f32 = Math.fround;
const ident = (x: number): number => x;

/** compute_scales_value / area_pixel_compute_scale. */
function areaScale(I: number, O: number, align: boolean, scale: number | null, r: (x: number) => number): number {
  if (align) return O > 1 ? r((I - 1) / (O - 1)) : 0;
  return scale !== null && scale > 0 ? r(1 / scale) : r(I / O);
}

function nearestDim(I: number, O: number, scale: number | null, exact: boolean): TapDim {
  const s = scale !== null && scale > 0 ? f32(1 / scale) : f32(f32(I) / O);
  return tapDim(I, O, 1, (o, idx, w) => {
    let i: number;
    if (!exact && O === I) i = o;
    else if (!exact && O === 2 * I) i = o >> 1;
    else i = Math.min(Math.floor(f32(exact ? (o + 0.5) * s : f32(o * s))), I - 1);
    idx.push(i); w.push(1);
  });
}

function linearDim(I: number, O: number, align: boolean, scale: number | null, r: (x: number) => number): TapDim {
  const ratio = areaScale(I, O, align, scale, r);
  return tapDim(I, O, 2, (o, idx, w) => {
    if (O === I && !align) { idx.push(o, o); w.push(1, 0); return; }
    let real = align ? r(ratio * o) : r(ratio * (o + 0.5) - 0.5);
    if (real < 0) real = 0;
    const i0 = Math.trunc(real), i1 = i0 + (i0 < I - 1 ? 1 : 0);
    const l1 = Math.min(Math.max(r(real - i0), 0), 1), l0 = r(1 - l1);
    idx.push(i0, i1); w.push(l0, l1);
  });
}

function cubicDim(I: number, O: number, align: boolean, scale: number | null, r: (x: number) => number): TapDim {
  const ratio = areaScale(I, O, align, scale, r), A = -0.75;
  const c1 = (x: number): number => r(r(r((A + 2) * x - (A + 3)) * x * x) + 1);
  const c2 = (x: number): number => r(((A * x - 5 * A) * x + 8 * A) * x - 4 * A);
  return tapDim(I, O, 4, (o, idx, w) => {
    const real = align ? r(ratio * o) : r(ratio * (o + 0.5) - 0.5);
    const i = Math.floor(real), t = r(real - i);
    w.push(c2(r(t + 1)), c1(t), c1(r(1 - t)), c2(r(r(1 - t) + 1)));
    for (let k = 0; k < 4; k++) idx.push(Math.min(Math.max(i - 1 + k, 0), I - 1));
  });
}

/** Window taps of adaptive average pooling: output i averages [floor(i*I/O), ceil((i+1)*I/O)). */
export function adaptiveAvgDim(I: number, O: number): TapDim {
  let T = 1;
  for (let o = 0; o < O; o++) T = Math.max(T, Math.ceil(((o + 1) * I) / O) - Math.floor((o * I) / O));
  return tapDim(I, O, T, (o, idx, w) => {
    const s = Math.floor((o * I) / O), e = Math.ceil(((o + 1) * I) / O);
    for (let i = s; i < e; i++) { idx.push(i); w.push(1 / (e - s)); }
  });
}

const MODE_RANK: Record<string, number> = { linear: 3, bilinear: 4, bicubic: 4, trilinear: 5 };

/**
 * F.interpolate(input, { size, scaleFactor, mode = "nearest", alignCorners, recomputeScaleFactor,
 * antialias = false }); also F.interpolate(input, size, scaleFactor, mode, alignCorners, ...).
 */
export function interpolate(input: Tensor, size?: InterpolateOptions | number | readonly number[] | null, scaleFactor?: number | readonly number[] | null,
  mode?: InterpolateMode, alignCorners?: boolean | null, recomputeScaleFactor?: boolean | null, antialias?: boolean): Tensor {
  const o: InterpolateOptions = size !== null && typeof size === "object" && !Array.isArray(size)
    ? (size as InterpolateOptions) : { size: size as number | number[] | null | undefined, scaleFactor, mode, alignCorners, recomputeScaleFactor, antialias };
  const m = o.mode ?? "nearest";
  let align = o.alignCorners ?? null;
  if (m === "nearest" || m === "nearest-exact" || m === "area") {
    if (align !== null) throw new ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear");
  } else align ??= false;
  const dim = input.ndim - 2;
  let outSize: number[] | null = null, scales: number[] | null = null;
  const sz = o.size ?? null, sf = o.scaleFactor ?? null;
  if (sz !== null && sf !== null) throw new ValueError("only one of size or scale_factor should be defined");
  else if (sz !== null) {
    if (typeof sz !== "number") {
      if (sz.length !== dim)
        throw new ValueError(`Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of [${input.shape.slice(2).join(", ")}] and output size of (${sz.join(", ")}). Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`);
      outSize = [...sz];
    } else outSize = Array(dim).fill(sz) as number[];
  } else if (sf !== null) {
    if (typeof sf !== "number") {
      if (sf.length !== dim)
        throw new ValueError(`Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of [${input.shape.slice(2).join(", ")}] and scale_factor of shape (${sf.join(", ")}). Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.`);
      scales = [...sf];
    } else scales = Array(dim).fill(sf) as number[];
  } else throw new ValueError("either size or scale_factor should be defined");
  if (o.recomputeScaleFactor && sz !== null) throw new ValueError("recompute_scale_factor is not meaningful with an explicit size.");
  const recompute = o.recomputeScaleFactor === true || (m === "area" && outSize === null);
  if (recompute && scales !== null) {
    outSize = scales.map((s, i) => Math.floor(input.shape[i + 2]! * s));
    scales = null;
  }
  if (o.antialias) throw new ValueError("Anti-alias option is not supported by this build (antialias=False only)");
  if (input.ndim < 3 || input.ndim > 5)
    throw new NotImplementedError(`Input Error: Only 3D, 4D and 5D input Tensors supported (got ${input.ndim}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${m})`);
  const need = MODE_RANK[m];
  if (need !== undefined && need !== input.ndim)
    throw new NotImplementedError(`Got ${input.ndim}D input, but ${m} mode needs ${need}D input`);
  if (m === "bicubic" && input.ndim !== 4) throw new NotImplementedError(`Got ${input.ndim}D input, but bicubic mode needs 4D input`);
  const inSp = input.shape.slice(2);
  const outSp = outSize ?? inSp.map((v, i) => Math.floor(v * scales![i]!));
  if (outSp.some((v) => v <= 0) || inSp.some((v) => v <= 0))
    throw new ValueError(`Input and output sizes should be greater than 0, but got input (${inSp.join(", ")}) output (${outSp.join(", ")})`);
  const r = input.dtype === "float32" ? f32 : ident;
  const sc = (i: number): number | null => (scales ? scales[i]! : null);
  let taps: TapDim[], name: string;
  const R = `${dim}D`;
  switch (m) {
    case "nearest": taps = inSp.map((I, i) => nearestDim(I, outSp[i]!, sc(i), false)); name = `UpsampleNearest${R}Backward1`; break;
    case "nearest-exact": taps = inSp.map((I, i) => nearestDim(I, outSp[i]!, sc(i), true)); name = `UpsampleNearestExact${R}Backward1`; break;
    case "linear": case "bilinear": case "trilinear":
      taps = inSp.map((I, i) => linearDim(I, outSp[i]!, align!, sc(i), r)); name = `Upsample${m === "linear" ? "Linear" : m === "bilinear" ? "Bilinear" : "Trilinear"}${R}Backward1`; break;
    case "bicubic": taps = inSp.map((I, i) => cubicDim(I, outSp[i]!, align!, sc(i), r)); name = "UpsampleBicubic2DBackward1"; break;
    case "area": taps = inSp.map((I, i) => adaptiveAvgDim(I, outSp[i]!)); name = `AdaptiveAvgPool${R}Backward0`; break;
    default: throw new NotImplementedError(`Input Error: Only 3D, 4D and 5D input Tensors supported (got ${input.ndim}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${String(m)})`);
  }
  return sepmap(input, taps, null, name);
}

/** F.upsample (deprecated in PyTorch): interpolate. */
export const upsample = interpolate;

/** F.upsampleNearest(input, size?, scaleFactor?). */
export function upsampleNearest(input: Tensor, size: number | readonly number[] | null = null, scaleFactor: number | readonly number[] | null = null): Tensor {
  return interpolate(input, { size, scaleFactor, mode: "nearest" });
}

/** F.upsampleBilinear(input, size?, scaleFactor?): bilinear with alignCorners = true. */
export function upsampleBilinear(input: Tensor, size: number | readonly number[] | null = null, scaleFactor: number | readonly number[] | null = null): Tensor {
  return interpolate(input, { size, scaleFactor, mode: "bilinear", alignCorners: true });
}

/** F.pixelShuffle(input, upscaleFactor): (*, C*r*r, H, W) -> (*, C, H*r, W*r). */
export function pixelShuffle(input: Tensor, upscaleFactor: number): Tensor {
  if (input.ndim < 3)
    throw new RuntimeError(`pixel_shuffle expects input to have at least 3 dimensions, but got input with ${input.ndim} dimension(s)`);
  const r = upscaleFactor;
  if (r <= 0) throw new RuntimeError(`pixel_shuffle expects a positive upscale_factor, but got ${r}`);
  const s = input.shape, lead = s.slice(0, -3), [C, H, W] = s.slice(-3) as [number, number, number];
  if (C % (r * r) !== 0)
    throw new RuntimeError(`pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=${C} is not divisible by ${r * r}`);
  const oc = C / (r * r), n = lead.length;
  return input.reshape([...lead, oc, r, r, H, W])
    .permute([...lead.map((_, i) => i), n, n + 3, n + 1, n + 4, n + 2])
    .reshape([...lead, oc, H * r, W * r]);
}

/** F.pixelUnshuffle(input, downscaleFactor): (*, C, H*r, W*r) -> (*, C*r*r, H, W). */
export function pixelUnshuffle(input: Tensor, downscaleFactor: number): Tensor {
  if (input.ndim < 3)
    throw new RuntimeError(`pixel_unshuffle expects input to have at least 3 dimensions, but got input with ${input.ndim} dimension(s)`);
  const r = downscaleFactor;
  if (r <= 0) throw new RuntimeError(`pixel_unshuffle expects a positive downscale_factor, but got ${r}`);
  const s = input.shape, lead = s.slice(0, -3), [C, H, W] = s.slice(-3) as [number, number, number];
  if (H % r !== 0) throw new RuntimeError(`pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)=${H} is not divisible by ${r}`);
  if (W % r !== 0) throw new RuntimeError(`pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)=${W} is not divisible by ${r}`);
  const n = lead.length;
  return input.reshape([...lead, C, H / r, r, W / r, r])
    .permute([...lead.map((_, i) => i), n, n + 2, n + 4, n + 1, n + 3])
    .reshape([...lead, C * r * r, H / r, W / r]);
}
