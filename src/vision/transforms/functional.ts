// SPDX-License-Identifier: BSD-3-Clause
// torchvision.transforms.functional, on tensors (..., C, H, W) of any dtype (torchvision's tensor
// path, computed the same way: uint8 goes through float32 and is rounded back) and on `Image`s
// (converted to uint8 (C, H, W), transformed the same way, and converted back).
import { RuntimeError, ValueError } from "../../errors.js";
import { tensor, full, linspace, zerosLike, onesLike, arange } from "../../ops/creation.js";
import { cat, stack } from "../../ops/join.js";
import { where } from "../../ops/math.js";
import { conv2d } from "../../nn/functional/conv.js";
import { type DTypeLike, isFloatingPoint, toDType } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { Image, type ImageMode } from "../image.js";
import { affineGrid, gridSample, resizeFloat, type Interpolation } from "./resample.js";

export type { Interpolation };
export type Img = Tensor | Image;
export const InterpolationMode = { NEAREST: "nearest", BILINEAR: "bilinear", BICUBIC: "bicubic" } as const;
export type PaddingMode = "constant" | "edge" | "reflect" | "symmetric";

/** Python's round(): half to even. */
export const pyRound = (v: number): number => {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

/** Applies a tensor function to an Image through its uint8 (C, H, W) tensor. */
function lift(img: Img, fn: (t: Tensor) => Tensor): Img {
  if (img instanceof Image) return Image.fromTensor(fn(img.toTensor()), img.mode);
  assertImageTensor(img);
  return fn(img);
}

function assertImageTensor(t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`img should be Tensor or Image. Got ${typeof t}`);
  if (t.ndim < 2) throw new TypeError("Tensor is not a torch image.");
}

/** [channels, height, width] */
export function getDimensions(img: Img): [number, number, number] {
  if (img instanceof Image) return [img.channels, img.height, img.width];
  assertImageTensor(img);
  return [img.ndim === 2 ? 1 : img.size(-3), img.size(-2), img.size(-1)];
}
/** [width, height] */
export function getImageSize(img: Img): [number, number] { const [, h, w] = getDimensions(img); return [w, h]; }
export function getImageNumChannels(img: Img): number { return getDimensions(img)[0]; }

const bound = (t: Tensor) => (isFloatingPoint(t.dtype) ? 1 : 255);

/** Float ops on integer images, as torchvision's _cast_squeeze_in / _cast_squeeze_out. */
function viaFloat(t: Tensor, fn: (x: Tensor) => Tensor, clampUint8 = false): Tensor {
  if (isFloatingPoint(t.dtype)) return fn(t);
  let y = fn(t.float());
  if (clampUint8 && t.dtype === "uint8") y = y.clamp(0, 255);
  return y.round().to(t.dtype);
}

// ---------------------------------------------------------------- conversions
/** Image (or uint8 (H, W[, C]) tensor, as a NumPy array) -> float32 (C, H, W) in [0, 1]. */
export function toTensor(pic: Img): Tensor {
  if (pic instanceof Image) return pic.toTensor().float().div(255);
  if (!(pic instanceof Tensor)) throw new TypeError(`pic should be PIL Image or ndarray. Got ${typeof pic}`);
  if (pic.ndim !== 2 && pic.ndim !== 3) throw new ValueError(`pic should be 2/3 dimensional. Got ${pic.ndim} dimensions.`);
  const chw = (pic.ndim === 2 ? pic.unsqueeze(2) : pic).permute(2, 0, 1).contiguous();
  return isFloatingPoint(chw.dtype) ? chw : chw.dtype === "uint8" ? chw.float().div(255) : chw;
}

export function pilToTensor(pic: Image): Tensor {
  if (!(pic instanceof Image)) throw new TypeError(`pic should be PIL Image. Got ${typeof pic}`);
  return pic.toTensor();
}

/** (C, H, W) tensor (floats are scaled by 255 and cast, as ToPILImage does) -> Image. */
export function toPilImage(pic: Tensor, mode?: ImageMode): Image {
  if (!(pic instanceof Tensor)) throw new TypeError(`pic should be Tensor or ndarray. Got ${typeof pic}.`);
  if (pic.ndim !== 2 && pic.ndim !== 3) throw new ValueError(`pic should be 2/3 dimensional. Got ${pic.ndim} dimensions.`);
  const c = pic.ndim === 2 ? 1 : pic.size(0);
  if (c > 4) throw new ValueError(`pic should not have > 4 channels. Got ${c} channels.`);
  const bytes = isFloatingPoint(pic.dtype) ? pic.mul(255).to("uint8") : pic.to("uint8");
  return Image.fromTensor(bytes, mode);
}

export function convertImageDtype(image: Tensor, dtype: DTypeLike = "float32"): Tensor {
  const to = toDType(dtype);
  if (image.dtype === to) return image;
  const max = (d: string) => ({ uint8: 255, int8: 127, int16: 32767, int32: 2147483647, int64: 9223372036854775807, bool: 1 } as Record<string, number>)[d]!;
  if (isFloatingPoint(image.dtype)) {
    if (isFloatingPoint(to)) return image.to(to);
    if ((image.dtype === "float32" && (to === "int32" || to === "int64")) || (image.dtype === "float64" && to === "int64"))
      throw new RuntimeError(`The cast from ${image.dtype} to ${to} cannot be performed safely.`);
    return image.mul(max(to) + 1 - 1e-3).to(to);
  }
  if (isFloatingPoint(to)) return image.to(to).div(max(image.dtype));
  const iMax = max(image.dtype), oMax = max(to);
  if (iMax > oMax) return image.div(Math.floor((iMax + 1) / (oMax + 1)), { roundingMode: "floor" }).to(to);
  return image.to(to).mul(Math.floor((oMax + 1) / (iMax + 1)));
}

export function normalize(t: Tensor, mean: readonly number[], std: readonly number[], inplace = false): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`img should be Tensor Image. Got ${typeof t}`);
  if (!isFloatingPoint(t.dtype)) throw new TypeError(`Input tensor should be a float tensor. Got ${t.dtype}.`);
  if (t.ndim < 3) throw new ValueError(`Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = [${t.shape.join(", ")}]`);
  const m = tensor([...mean], { dtype: t.dtype }), s = tensor([...std], { dtype: t.dtype });
  if (s.eq(0).any().item()) throw new ValueError(`std evaluated to zero after conversion to ${t.dtype}, leading to division by zero.`);
  const mv = m.reshape(-1, 1, 1), sv = s.reshape(-1, 1, 1);
  return inplace ? t.sub_(mv).div_(sv) : t.sub(mv).div(sv);
}

// ---------------------------------------------------------------- geometry
/** torchvision's _compute_resized_output_size: [h, w]. */
export function computeResizedOutputSize(h: number, w: number, size: number | readonly number[], maxSize?: number): [number, number] {
  const s = typeof size === "number" ? [size] : size;
  if (s.length === 1) {
    const [short, long] = w <= h ? [w, h] : [h, w];
    let newShort = s[0]!, newLong = Math.trunc((s[0]! * long) / short);
    if (maxSize !== undefined) {
      if (maxSize <= s[0]!) throw new ValueError(`max_size = ${maxSize} must be strictly greater than the requested size for the smaller edge size = ${JSON.stringify(size)}`);
      if (newLong > maxSize) { newShort = Math.trunc((maxSize * newShort) / newLong); newLong = maxSize; }
    }
    return w <= h ? [newLong, newShort] : [newShort, newLong];
  }
  if (maxSize !== undefined) throw new ValueError("maxSize should only be passed if size specifies the length of the smaller edge, i.e. size should be an int or a sequence of length 1 in torchscript mode.");
  return [s[0]!, s[1]!];
}

export function resize(img: Img, size: number | readonly number[], interpolation: Interpolation = "bilinear", maxSize?: number, antialias = false): Img {
  if (typeof size !== "number" && (size.length < 1 || size.length > 2)) throw new ValueError(`Size must be an int or a 1 or 2 element tuple/list, not a ${size.length} element tuple/list`);
  if (antialias && interpolation === "nearest") throw new ValueError("Antialias option is supported for bilinear and bicubic interpolation modes only");
  const [, h, w] = getDimensions(img);
  const [oh, ow] = computeResizedOutputSize(h, w, size, maxSize);
  if (oh === h && ow === w) return img;
  return lift(img, (t) => viaFloat(t, (x) => resizeFloat(x, oh, ow, interpolation, antialias), interpolation === "bicubic"));
}

/** [left, right, top, bottom] from torchvision's padding forms. */
function parsePadding(padding: number | readonly number[]): [number, number, number, number] {
  const p = typeof padding === "number" ? [padding] : padding;
  if (p.length === 1) return [p[0]!, p[0]!, p[0]!, p[0]!];
  if (p.length === 2) return [p[0]!, p[0]!, p[1]!, p[1]!];
  if (p.length === 4) return [p[0]!, p[2]!, p[1]!, p[3]!];
  throw new ValueError(`Padding must be an int or a 1, 2, or 4 element tuple, not a ${p.length} element tuple`);
}

function padIndex(i: number, n: number, mode: PaddingMode): number {
  if (mode === "edge") return Math.min(Math.max(i, 0), n - 1);
  if (mode === "reflect") return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
  return i < 0 ? -i - 1 : i >= n ? 2 * n - 1 - i : i;   // symmetric
}

export function pad(img: Img, padding: number | readonly number[], fill: number = 0, paddingMode: PaddingMode = "constant"): Img {
  if (!["constant", "edge", "reflect", "symmetric"].includes(paddingMode)) throw new ValueError("Padding mode should be either constant, edge, reflect or symmetric");
  const [l, r, t, b] = parsePadding(padding);
  return lift(img, (x) => {
    const h = x.size(-2), w = x.size(-1);
    // negative padding crops
    const top = Math.max(-t, 0), left = Math.max(-l, 0);
    x = x.narrow(-2, top, h - top - Math.max(-b, 0)).narrow(-1, left, w - left - Math.max(-r, 0));
    const [pl, pr, pt, pb] = [l, r, t, b].map((v) => Math.max(v, 0)) as [number, number, number, number];
    if (pl + pr + pt + pb === 0) return x;
    const H = x.size(-2), W = x.size(-1);
    if (paddingMode === "reflect" && (pt >= H || pb >= H || pl >= W || pr >= W))
      throw new RuntimeError(`Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (${pl}, ${pr}) at dimension 3 of input [${x.shape.join(", ")}]`);
    if (paddingMode === "constant") {
      const shape = x.shape;
      const band = (rows: number) => full([...shape.slice(0, -2), rows, W + pl + pr], fill, { dtype: x.dtype });
      const side = (cols: number) => full([...shape.slice(0, -2), H, cols], fill, { dtype: x.dtype });
      const mid = cat([side(pl), x, side(pr)], -1);
      return cat([band(pt), mid, band(pb)], -2);
    }
    const rows = Array.from({ length: H + pt + pb }, (_, i) => padIndex(i - pt, H, paddingMode));
    const cols = Array.from({ length: W + pl + pr }, (_, i) => padIndex(i - pl, W, paddingMode));
    return x.indexSelect(-2, rows).indexSelect(-1, cols);
  });
}

export function crop(img: Img, top: number, left: number, height: number, width: number): Img {
  return lift(img, (x) => {
    const h = x.size(-2), w = x.size(-1), right = left + width, bottom = top + height;
    if (left < 0 || top < 0 || right > w || bottom > h) {
      const t0 = Math.max(top, 0), l0 = Math.max(left, 0);
      const inner = x.narrow(-2, t0, Math.max(Math.min(bottom, h) - t0, 0)).narrow(-1, l0, Math.max(Math.min(right, w) - l0, 0));
      return pad(inner, [Math.max(-left, 0), Math.max(-top, 0), Math.max(right - w, 0), Math.max(bottom - h, 0)], 0) as Tensor;
    }
    return x.narrow(-2, top, height).narrow(-1, left, width);
  });
}

const pair = (s: number | readonly number[]): [number, number] =>
  typeof s === "number" ? [s, s] : s.length === 1 ? [s[0]!, s[0]!] : [s[0]!, s[1]!];

export function centerCrop(img: Img, outputSize: number | readonly number[]): Img {
  const [ch, cw] = pair(outputSize);
  let [, h, w] = getDimensions(img);
  if (cw > w || ch > h) {
    img = pad(img, [cw > w ? (cw - w) >> 1 : 0, ch > h ? (ch - h) >> 1 : 0, cw > w ? (cw - w + 1) >> 1 : 0, ch > h ? (ch - h + 1) >> 1 : 0], 0);
    [, h, w] = getDimensions(img);
    if (cw === w && ch === h) return img;
  }
  return crop(img, pyRound((h - ch) / 2), pyRound((w - cw) / 2), ch, cw);
}

export function resizedCrop(img: Img, top: number, left: number, height: number, width: number, size: number | readonly number[],
  interpolation: Interpolation = "bilinear", antialias = false): Img {
  return resize(crop(img, top, left, height, width), size, interpolation, undefined, antialias);
}

export const hflip = (img: Img): Img => lift(img, (x) => x.flip(-1));
export const vflip = (img: Img): Img => lift(img, (x) => x.flip(-2));

/** torchvision's _get_inverse_affine_matrix */
export function inverseAffineMatrix(center: [number, number], angle: number, translate: [number, number], scale: number, shear: [number, number]): number[] {
  const rad = Math.PI / 180, rot = angle * rad, sx = shear[0] * rad, sy = shear[1] * rad, [cx, cy] = center, [tx, ty] = translate;
  const a = Math.cos(rot - sy) / Math.cos(sy);
  const b = (-Math.cos(rot - sy) * Math.tan(sx)) / Math.cos(sy) - Math.sin(rot);
  const c = Math.sin(rot - sy) / Math.cos(sy);
  const d = (-Math.sin(rot - sy) * Math.tan(sx)) / Math.cos(sy) + Math.cos(rot);
  const m = [d, -b, 0, -c, a, 0].map((v) => v / scale);
  m[2] = m[2]! + m[0]! * (-cx - tx) + m[1]! * (-cy - ty);
  m[5] = m[5]! + m[3]! * (-cx - tx) + m[4]! * (-cy - ty);
  m[2] = m[2]! + cx;
  m[5] = m[5]! + cy;
  return m;
}

function gridTransform(x: Tensor, matrix: number[], ow: number, oh: number, mode: "nearest" | "bilinear", fill: number | readonly number[] | null): Tensor {
  return viaFloat(x, (f) => {
    const grid = affineGrid(matrix, f.size(-1), f.size(-2), ow, oh);
    if (fill === null) return gridSample(f, grid, oh, ow, mode);
    const lead = f.shape.slice(0, -3), c = f.ndim === 2 ? 1 : f.size(-3);
    const x3 = f.ndim === 2 ? f.unsqueeze(0) : f;
    const withMask = cat([x3, onesLike(x3.narrow(-3, 0, 1))], -3);
    const s = gridSample(withMask, grid, oh, ow, mode);
    const img = s.narrow(-3, 0, c), mask = s.narrow(-3, c, 1).expand(img.shape);
    const fills = typeof fill === "number" ? [fill] : [...fill];
    if (fills.length !== 1 && fills.length !== c)
      throw new ValueError(`The number of elements in 'fill' does not match the number of channels of the image (${fills.length} != ${c})`);
    const fillImg = tensor(fills, { dtype: f.dtype }).reshape(fills.length, 1, 1).expand(img.shape);
    const out = mode === "nearest" ? where(mask.lt(0.5), fillImg, img) : img.mul(mask).add(mask.neg().add(1).mul(fillImg));
    return f.ndim === 2 ? out.squeeze(0) : lead.length + 3 === out.ndim ? out : out;
  });
}

function checkInterp(mode: Interpolation): "nearest" | "bilinear" {
  if (mode !== "nearest" && mode !== "bilinear") throw new ValueError(`Interpolation mode '${mode}' is unsupported with Tensor input`);
  return mode;
}

export function rotate(img: Img, angle: number, interpolation: Interpolation = "nearest", expand = false,
  center?: [number, number], fill: number | readonly number[] | null = null): Img {
  const mode = checkInterp(interpolation);
  return lift(img, (x) => {
    const w = x.size(-1), h = x.size(-2);
    const c: [number, number] = center ? [center[0] - w * 0.5, center[1] - h * 0.5] : [0, 0];
    const m = inverseAffineMatrix(c, -angle, [0, 0], 1, [0, 0]);
    let ow = w, oh = h;
    if (expand) {   // _compute_affine_output_size, in float32
      const f = Math.fround, tol = 1e-4, pts = [[-0.5 * w, -0.5 * h], [-0.5 * w, 0.5 * h], [0.5 * w, 0.5 * h], [0.5 * w, -0.5 * h]];
      const mm = m.map(f);
      const xs = pts.map(([px, py]) => f(f(f(px! * mm[0]!) + f(py! * mm[1]!)) + mm[2]!));
      const ys = pts.map(([px, py]) => f(f(f(px! * mm[3]!) + f(py! * mm[4]!)) + mm[5]!));
      const size = (vs: number[], half: number) => {
        const mx = f(Math.max(...vs) + half), mn = f(Math.min(...vs) + half);
        return Math.ceil(f(Math.trunc(f(mx / tol)) * tol)) - Math.floor(f(Math.trunc(f(mn / tol)) * tol));
      };
      ow = size(xs, w * 0.5);
      oh = size(ys, h * 0.5);
    }
    return gridTransform(x, m, ow, oh, mode, fill);
  });
}

export function affine(img: Img, angle: number, translate: readonly number[], scale: number, shear: number | readonly number[],
  interpolation: Interpolation = "nearest", fill: number | readonly number[] | null = null, center?: [number, number]): Img {
  const mode = checkInterp(interpolation);
  if (translate.length !== 2) throw new ValueError("Argument translate should be a sequence of length 2");
  if (scale <= 0) throw new ValueError("Argument scale should be positive");
  const sh: [number, number] = typeof shear === "number" ? [shear, 0] : shear.length === 1 ? [shear[0]!, 0] : [shear[0]!, shear[1]!];
  return lift(img, (x) => {
    const w = x.size(-1), h = x.size(-2);
    const c: [number, number] = center ? [center[0] - w * 0.5, center[1] - h * 0.5] : [0, 0];
    const m = inverseAffineMatrix(c, angle, [translate[0]!, translate[1]!], scale, sh);
    return gridTransform(x, m, w, h, mode, fill);
  });
}

// ---------------------------------------------------------------- color
function blend(a: Tensor, b: Tensor, ratio: number): Tensor {
  return a.mul(ratio).add(b.mul(1 - ratio)).clamp(0, bound(a)).to(a.dtype);
}

export function rgbToGrayscale(img: Img, numOutputChannels: 1 | 3 = 1): Img {
  if (numOutputChannels !== 1 && numOutputChannels !== 3) throw new ValueError("num_output_channels should be either 1 or 3");
  if (img instanceof Image) {
    const t = rgbToGrayscale(img.toTensor(), numOutputChannels) as Tensor;
    return Image.fromTensor(t, numOutputChannels === 1 ? "L" : "RGB");
  }
  const c = getImageNumChannels(img);
  if (c !== 1 && c !== 3) throw new TypeError(`Input image tensor permitted channel values are [1, 3], but found ${c}`);
  if (c === 1) return numOutputChannels === 3 ? img.expand([...img.shape.slice(0, -3), 3, img.size(-2), img.size(-1)]).contiguous() : img.clone();
  const [r, g, b] = img.unbind(-3) as [Tensor, Tensor, Tensor];
  const l = r.mul(0.2989).add(g.mul(0.587)).add(b.mul(0.114)).to(img.dtype).unsqueeze(-3);
  return numOutputChannels === 3 ? l.expand(img.shape).contiguous() : l;
}

const checkFactor = (v: number, name: string) => { if (v < 0) throw new ValueError(`${name} (${v}) is not non-negative.`); };

export function adjustBrightness(img: Img, brightnessFactor: number): Img {
  checkFactor(brightnessFactor, "brightness_factor");
  return lift(img, (x) => blend(x, zerosLike(x), brightnessFactor));
}

export function adjustContrast(img: Img, contrastFactor: number): Img {
  checkFactor(contrastFactor, "contrast_factor");
  return lift(img, (x) => {
    const c = getImageNumChannels(x), dtype = isFloatingPoint(x.dtype) ? x.dtype : "float32";
    const gray = c === 3 ? (rgbToGrayscale(x) as Tensor) : x;
    return blend(x, gray.to(dtype).mean([-3, -2, -1], { keepdim: true }), contrastFactor);
  });
}

export function adjustSaturation(img: Img, saturationFactor: number): Img {
  checkFactor(saturationFactor, "saturation_factor");
  return lift(img, (x) => (getImageNumChannels(x) === 1 ? x : blend(x, rgbToGrayscale(x) as Tensor, saturationFactor)));
}

function rgb2hsv(img: Tensor): Tensor {
  const [r, g, b] = img.unbind(-3) as [Tensor, Tensor, Tensor];
  const maxc = img.amax(-3), minc = img.amin(-3), eqc = maxc.eq(minc), cr = maxc.sub(minc), ones = onesLike(maxc);
  const s = cr.div(where(eqc, ones, maxc)), crd = where(eqc, ones, cr);
  const rc = maxc.sub(r).div(crd), gc = maxc.sub(g).div(crd), bc = maxc.sub(b).div(crd);
  const hr = maxc.eq(r).mul(bc.sub(gc));
  const hg = maxc.eq(g).logicalAnd(maxc.ne(r)).mul(rc.add(2).sub(bc));
  const hb = maxc.ne(g).logicalAnd(maxc.ne(r)).mul(gc.add(4).sub(rc));
  const h = hr.add(hg).add(hb).div(6).add(1).fmod(1);
  return stack([h, s, maxc], -3);
}

function hsv2rgb(img: Tensor): Tensor {
  const [h, s, v] = img.unbind(-3) as [Tensor, Tensor, Tensor];
  const h6 = h.mul(6), i0 = h6.floor(), f = h6.sub(i0), i = i0.to("int32").remainder(6);
  const p = v.mul(s.neg().add(1)).clamp(0, 1), q = v.mul(s.mul(f).neg().add(1)).clamp(0, 1);
  const t = v.mul(s.mul(f.neg().add(1)).neg().add(1)).clamp(0, 1);
  const mask = i.unsqueeze(-3).eq(arange(6).reshape(-1, 1, 1)).to(img.dtype);
  const a = [stack([v, q, p, p, t, v], -3), stack([t, v, v, q, p, p], -3), stack([p, p, t, v, v, q], -3)];
  return stack(a.map((ai) => mask.mul(ai).sum(-3)), -3);
}

export function adjustHue(img: Img, hueFactor: number): Img {
  if (!(hueFactor >= -0.5 && hueFactor <= 0.5)) throw new ValueError(`hue_factor (${hueFactor}) is not in [-0.5, 0.5].`);
  return lift(img, (x) => {
    if (getImageNumChannels(x) === 1) return x;
    const orig = x.dtype, f = orig === "uint8" ? x.float().div(255) : x;
    const hsv = rgb2hsv(f), [h, s, v] = hsv.unbind(-3) as [Tensor, Tensor, Tensor];
    const out = hsv2rgb(stack([h.add(hueFactor).remainder(1), s, v], -3));
    return orig === "uint8" ? out.mul(255).to(orig) : out;
  });
}

export function gaussianBlur(img: Img, kernelSize: number | readonly number[], sigma?: number | readonly number[]): Img {
  const ks = pair(kernelSize);
  for (const k of ks) if (k % 2 === 0 || k < 0) throw new ValueError(`kernel_size should have odd and positive integers. Got ${JSON.stringify(kernelSize)}`);
  const sg = sigma === undefined ? ks.map((k) => k * 0.15 + 0.35) : pair(sigma);
  for (const s of sg) if (s <= 0) throw new ValueError(`sigma should have positive values. Got ${JSON.stringify(sigma)}`);
  return lift(img, (x) => {
    const dtype = isFloatingPoint(x.dtype) ? x.dtype : "float32";
    const k1 = (k: number, s: number) => {
      const half = (k - 1) * 0.5, pdf = linspace(-half, half, k).div(s).pow(2).mul(-0.5).exp();
      return pdf.div(pdf.sum()).to(dtype);
    };
    const kx = k1(ks[0], sg[0]!), ky = k1(ks[1], sg[1]!);
    const c = getImageNumChannels(x);
    const kernel = ky.unsqueeze(1).matmul(kx.unsqueeze(0)).expand(c, 1, ks[1], ks[0]).contiguous();
    return viaFloat(x, (f) => {
      const lead = f.shape.slice(0, -3), f4 = f.reshape(-1, c, f.size(-2), f.size(-1));
      const padded = pad(f4, [ks[0] >> 1, ks[1] >> 1], 0, "reflect") as Tensor;
      return conv2d(padded, kernel, null, { groups: c }).reshape([...lead, c, f.size(-2), f.size(-1)]);
    });
  });
}

export function erase(img: Tensor, i: number, j: number, h: number, w: number, v: Tensor | number, inplace = false): Tensor {
  if (!(img instanceof Tensor)) throw new TypeError(`img should be Tensor Image. Got ${typeof img}`);
  const out = inplace ? img : img.clone();
  const region = out.narrow(-2, i, h).narrow(-1, j, w);
  if (typeof v === "number") region.fill_(v);
  else region.copy_(v.to(out.dtype).expand(region.shape));
  return out;
}
