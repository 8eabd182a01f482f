// SPDX-License-Identifier: BSD-3-Clause
// torchvision.transforms. Each transform has `forward(img)` and torchvision's repr. Inputs are
// `Image`s (what datasets return, like PIL images) or tensors (..., C, H, W) of any dtype, as
// torchvision's tensor path; ToTensor also takes uint8 (H, W[, C]) tensors, as it takes NumPy
// arrays. Random transforms draw from torch's global generator with the same calls as
// torchvision 0.14, so torch.manualSeed(s) gives the same crops, flips and angles.
import { ValueError } from "../../errors.js";
import { type DTypeLike, isFloatingPoint, toDType } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { empty, rand, randint, randn, randperm, tensor } from "../../ops/creation.js";
import { Image, type ImageMode } from "../image.js";
import * as F from "./functional.js";
import type { Img, Interpolation, PaddingMode } from "./functional.js";

export * as functional from "./functional.js";
export { InterpolationMode } from "./functional.js";
export { Image };

export interface Transform<A = unknown, B = unknown> { forward(x: A): B }
type TransformLike = Transform<any, any> | ((x: any) => any);
const call = (t: TransformLike, x: unknown): unknown => (typeof t === "function" ? t(x) : t.forward(x));

/** Python's repr of a number, tuple or list. */
const py = (v: unknown): string => Array.isArray(v) ? `(${v.map(py).join(", ")}${v.length === 1 ? "," : ""})`
  : typeof v === "number" ? (Number.isInteger(v) && !Object.is(v, -0) ? String(v) : String(v)) : v === undefined || v === null ? "None"
  : typeof v === "boolean" ? (v ? "True" : "False") : String(v);
/** Python's repr of a float. */
const pyf = (v: number): string => (Number.isInteger(v) ? `${v}.0` : String(v));
const pyfs = (vs: readonly number[]): string => `(${vs.map(pyf).join(", ")})`;
/** A list of floats, and what a user's array is in Python: a list. */
const pyfl = (vs: readonly number[]): string => `[${vs.map(pyf).join(", ")}]`;
const pyl = (v: number | readonly number[]): string => (typeof v === "number" ? String(v) : `[${v.join(", ")}]`);
/** torchvision's _setup_size: a number becomes a tuple, a pair stays as given (a list here). */
const sizeRepr = (given: number | readonly number[], size: [number, number]): string =>
  typeof given !== "number" && given.length === 2 ? `[${given.join(", ")}]` : py(size);
const uniform = (a: number, b: number): number => empty(1).uniform_(a, b).item() as number;
const draw = (): number => rand(1).item() as number;
const randInt = (lo: number, hi: number): number => randint(lo, hi, [1]).item() as number;

function setupSize(size: number | readonly number[], msg: string): [number, number] {
  if (typeof size === "number") return [size, size];
  if (size.length === 1) return [size[0]!, size[0]!];
  if (size.length !== 2) throw new ValueError(msg);
  return [size[0]!, size[1]!];
}

function checkSequence(v: number | readonly number[], name: string, center = 0): [number, number] {
  if (typeof v === "number") {
    if (v < 0) throw new ValueError(`If ${name} is a single number, it must be positive.`);
    return [center - v, center + v];
  }
  if (v.length !== 2) throw new ValueError(`If ${name} is a sequence, it must be of len 2.`);
  return [v[0]!, v[1]!];
}

export class Compose implements Transform {
  constructor(readonly transforms: readonly TransformLike[]) {}
  forward(x: unknown): unknown { return this.transforms.reduce((v, t) => call(t, v), x); }
  toString(): string { return `Compose(\n${this.transforms.map((t) => `    ${String(t)}`).join("\n")}\n)`; }
}

/** Image or uint8 (H, W[, C]) tensor -> float32 (C, H, W) in [0, 1]; float tensors pass through. */
export class ToTensor implements Transform<Img, Tensor> {
  forward(pic: Img): Tensor {
    if (pic instanceof Tensor && isFloatingPoint(pic.dtype)) return pic;
    return F.toTensor(pic);
  }
  toString(): string { return "ToTensor()"; }
}

export class PILToTensor implements Transform<Image, Tensor> {
  forward(pic: Image): Tensor { return F.pilToTensor(pic); }
  toString(): string { return "PILToTensor()"; }
}

export class ToPILImage implements Transform<Tensor, Image> {
  constructor(readonly mode?: ImageMode) {}
  forward(pic: Tensor): Image { return F.toPilImage(pic, this.mode); }
  toString(): string { return this.mode ? `ToPILImage(mode=${this.mode})` : "ToPILImage()"; }
}

export class ConvertImageDtype implements Transform<Tensor, Tensor> {
  readonly dtype;
  constructor(dtype: DTypeLike) { this.dtype = toDType(dtype); }
  forward(img: Tensor): Tensor { return F.convertImageDtype(img, this.dtype); }
  toString(): string { return `ConvertImageDtype()`; }
}

/** (x - mean[c]) / std[c] per channel of a (..., C, H, W) float tensor. */
export class Normalize implements Transform<Tensor, Tensor> {
  constructor(readonly mean: readonly number[], readonly std: readonly number[], readonly inplace = false) {
    if (std.some((s) => s === 0)) throw new ValueError(`std evaluated to zero after conversion to float32, leading to division by zero.`);
  }
  private cache: { dtype: string; mean: Tensor; std: Tensor } | null = null;
  forward(x: Tensor): Tensor {
    // the (C, 1, 1) mean and std are made once per dtype (one op fewer per image than F.normalize)
    if (!(x instanceof Tensor) || !isFloatingPoint(x.dtype) || x.ndim < 3) return F.normalize(x, this.mean, this.std, this.inplace);
    if (this.cache?.dtype !== x.dtype) {
      this.cache = { dtype: x.dtype, mean: tensor([...this.mean], { dtype: x.dtype }).reshape(-1, 1, 1), std: tensor([...this.std], { dtype: x.dtype }).reshape(-1, 1, 1) };
      if (this.cache.std.eq(0).any().item()) throw new ValueError(`std evaluated to zero after conversion to ${x.dtype}, leading to division by zero.`);
    }
    return this.inplace ? x.sub_(this.cache.mean).div_(this.cache.std) : x.sub(this.cache.mean).div(this.cache.std);
  }
  toString(): string { return `Normalize(mean=(${this.mean.join(", ")}), std=(${this.std.join(", ")}))`; }
}

export class Lambda<A, B> implements Transform<A, B> {
  constructor(readonly lambd: (x: A) => B) {}
  forward(x: A): B { return this.lambd(x); }
  toString(): string { return "Lambda()"; }
}

export interface ResizeOptions { interpolation?: Interpolation; maxSize?: number; antialias?: boolean }

export class Resize implements Transform<Img, Img> {
  readonly size: number | readonly number[];
  readonly interpolation: Interpolation;
  readonly maxSize: number | undefined;
  readonly antialias: boolean | undefined;
  constructor(size: number | readonly number[], opts: ResizeOptions = {}) {
    if (typeof size !== "number" && (size.length < 1 || size.length > 2)) throw new ValueError("If size is a sequence, it should have 1 or 2 values");
    this.size = size;
    this.interpolation = opts.interpolation ?? "bilinear";
    this.maxSize = opts.maxSize;
    this.antialias = opts.antialias;
  }
  forward(img: Img): Img { return F.resize(img, this.size, this.interpolation, this.maxSize, this.antialias ?? false); }
  toString(): string {
    return `Resize(size=${typeof this.size === "number" ? this.size : `[${this.size.join(", ")}]`}, interpolation=${this.interpolation}, max_size=${py(this.maxSize)}, antialias=${py(this.antialias)})`;
  }
}

export class CenterCrop implements Transform<Img, Img> {
  readonly size: [number, number];
  constructor(size: number | readonly number[]) { this.size = setupSize(size, "Please provide only two dimensions (h, w) for size."); }
  forward(img: Img): Img { return F.centerCrop(img, this.size); }
  toString(): string { return `CenterCrop(size=${py(this.size)})`; }
}

export interface PadOptions { fill?: number; paddingMode?: PaddingMode }

export class Pad implements Transform<Img, Img> {
  readonly fill: number;
  readonly paddingMode: PaddingMode;
  constructor(readonly padding: number | readonly number[], opts: PadOptions = {}) {
    if (typeof padding !== "number" && ![1, 2, 4].includes(padding.length))
      throw new ValueError(`Padding must be an int or a 1, 2, or 4 element tuple, not a ${padding.length} element tuple`);
    this.fill = opts.fill ?? 0;
    this.paddingMode = opts.paddingMode ?? "constant";
  }
  forward(img: Img): Img { return F.pad(img, this.padding, this.fill, this.paddingMode); }
  toString(): string { return `Pad(padding=${pyl(this.padding)}, fill=${this.fill}, padding_mode=${this.paddingMode})`; }
}

export interface RandomCropOptions { padding?: number | readonly number[]; padIfNeeded?: boolean; fill?: number; paddingMode?: PaddingMode }

export class RandomCrop implements Transform<Img, Img> {
  readonly size: [number, number];
  readonly padding: number | readonly number[] | undefined;
  readonly padIfNeeded: boolean;
  readonly fill: number;
  readonly paddingMode: PaddingMode;
  constructor(size: number | readonly number[], opts: RandomCropOptions = {}) {
    this.size = setupSize(size, "Please provide only two dimensions (h, w) for size.");
    this.padding = opts.padding;
    this.padIfNeeded = opts.padIfNeeded ?? false;
    this.fill = opts.fill ?? 0;
    this.paddingMode = opts.paddingMode ?? "constant";
  }
  static getParams(img: Img, outputSize: [number, number]): [number, number, number, number] {
    const [, h, w] = F.getDimensions(img), [th, tw] = outputSize;
    if (h + 1 < th || w + 1 < tw) throw new ValueError(`Required crop size (${th}, ${tw}) is larger then input image size (${h}, ${w})`);
    if (w === tw && h === th) return [0, 0, h, w];
    const i = randInt(0, h - th + 1), j = randInt(0, w - tw + 1);
    return [i, j, th, tw];
  }
  forward(img: Img): Img {
    if (this.padding !== undefined) img = F.pad(img, this.padding, this.fill, this.paddingMode);
    const [, h, w] = F.getDimensions(img);
    if (this.padIfNeeded && w < this.size[1]) img = F.pad(img, [this.size[1] - w, 0], this.fill, this.paddingMode);
    if (this.padIfNeeded && h < this.size[0]) img = F.pad(img, [0, this.size[0] - h], this.fill, this.paddingMode);
    const [i, j, th, tw] = RandomCrop.getParams(img, this.size);
    return F.crop(img, i, j, th, tw);
  }
  toString(): string {
    const pad = Array.isArray(this.padding) ? `[${this.padding.join(", ")}]` : py(this.padding);
    return `RandomCrop(size=${py(this.size)}, padding=${pad})`;
  }
}

export interface RandomResizedCropOptions { scale?: [number, number]; ratio?: [number, number]; interpolation?: Interpolation; antialias?: boolean }

export class RandomResizedCrop implements Transform<Img, Img> {
  readonly size: [number, number];
  private readonly givenSize: number | readonly number[];
  readonly scale: [number, number];
  readonly ratio: [number, number];
  readonly interpolation: Interpolation;
  readonly antialias: boolean | undefined;
  constructor(size: number | readonly number[], opts: RandomResizedCropOptions = {}) {
    this.size = setupSize(size, "Please provide only two dimensions (h, w) for size.");
    this.givenSize = size;
    this.scale = opts.scale ?? [0.08, 1.0];
    this.ratio = opts.ratio ?? [3 / 4, 4 / 3];
    this.interpolation = opts.interpolation ?? "bilinear";
    this.antialias = opts.antialias;
  }
  static getParams(img: Img, scale: [number, number], ratio: [number, number]): [number, number, number, number] {
    const [, height, width] = F.getDimensions(img), area = height * width;
    const logRatio = tensor(ratio).log().tolist() as number[];
    for (let k = 0; k < 10; k++) {
      const targetArea = area * uniform(scale[0], scale[1]);
      const aspect = empty(1).uniform_(logRatio[0]!, logRatio[1]!).exp().item() as number;
      const w = F.pyRound(Math.sqrt(targetArea * aspect)), h = F.pyRound(Math.sqrt(targetArea / aspect));
      if (w > 0 && w <= width && h > 0 && h <= height) return [randInt(0, height - h + 1), randInt(0, width - w + 1), h, w];
    }
    const inRatio = width / height;
    let w: number, h: number;
    if (inRatio < Math.min(...ratio)) { w = width; h = F.pyRound(w / Math.min(...ratio)); }
    else if (inRatio > Math.max(...ratio)) { h = height; w = F.pyRound(h * Math.max(...ratio)); }
    else { w = width; h = height; }
    return [Math.floor((height - h) / 2), Math.floor((width - w) / 2), h, w];
  }
  forward(img: Img): Img {
    const [i, j, h, w] = RandomResizedCrop.getParams(img, this.scale, this.ratio);
    return F.resizedCrop(img, i, j, h, w, this.size, this.interpolation, this.antialias ?? false);
  }
  toString(): string {
    const r4 = (v: number) => pyf(Math.round(v * 1e4) / 1e4);
    // torchvision 0.14 prints a stray ")" before antialias
    return `RandomResizedCrop(size=${sizeRepr(this.givenSize, this.size)}, scale=(${this.scale.map(r4).join(", ")}), ratio=(${this.ratio.map(r4).join(", ")}), ` +
      `interpolation=${this.interpolation}), antialias=${py(this.antialias)})`;
  }
}

export class RandomHorizontalFlip implements Transform<Img, Img> {
  constructor(readonly p = 0.5) {}
  forward(img: Img): Img { return draw() < this.p ? F.hflip(img) : img; }
  toString(): string { return `RandomHorizontalFlip(p=${pyf(this.p)})`; }
}

export class RandomVerticalFlip implements Transform<Img, Img> {
  constructor(readonly p = 0.5) {}
  forward(img: Img): Img { return draw() < this.p ? F.vflip(img) : img; }
  toString(): string { return `RandomVerticalFlip(p=${pyf(this.p)})`; }
}

const fillList = (fill: number | readonly number[], channels: number): number[] =>
  typeof fill === "number" ? new Array<number>(channels).fill(fill) : [...fill];

export interface RandomRotationOptions { interpolation?: Interpolation; expand?: boolean; center?: [number, number]; fill?: number | readonly number[] }

export class RandomRotation implements Transform<Img, Img> {
  readonly degrees: [number, number];
  readonly interpolation: Interpolation;
  readonly expand: boolean;
  readonly center: [number, number] | undefined;
  readonly fill: number | readonly number[];
  constructor(degrees: number | readonly number[], opts: RandomRotationOptions = {}) {
    this.degrees = checkSequence(degrees, "degrees");
    this.interpolation = opts.interpolation ?? "nearest";
    this.expand = opts.expand ?? false;
    this.center = opts.center;
    this.fill = opts.fill ?? 0;
  }
  static getParams(degrees: [number, number]): number { return uniform(degrees[0], degrees[1]); }
  forward(img: Img): Img {
    const fill = fillList(this.fill, F.getImageNumChannels(img));
    return F.rotate(img, RandomRotation.getParams(this.degrees), this.interpolation, this.expand, this.center, fill);
  }
  toString(): string {
    return `RandomRotation(degrees=${pyfl(this.degrees)}, interpolation=${this.interpolation}, expand=${py(this.expand)}` +
      `${this.center ? `, center=${py(this.center)}` : ""}, fill=${pyl(this.fill)})`;
  }
}

export interface RandomAffineOptions {
  translate?: [number, number]; scale?: [number, number]; shear?: number | readonly number[];
  interpolation?: Interpolation; fill?: number | readonly number[]; center?: [number, number];
}

export class RandomAffine implements Transform<Img, Img> {
  readonly degrees: [number, number];
  readonly translate: [number, number] | undefined;
  readonly scale: [number, number] | undefined;
  readonly shear: number[] | undefined;
  readonly interpolation: Interpolation;
  readonly fill: number | readonly number[];
  readonly center: [number, number] | undefined;
  constructor(degrees: number | readonly number[], opts: RandomAffineOptions = {}) {
    this.degrees = checkSequence(degrees, "degrees");
    if (opts.translate) for (const t of opts.translate) if (!(t >= 0 && t <= 1)) throw new ValueError("translation values should be between 0 and 1");
    if (opts.scale) for (const s of opts.scale) if (s <= 0) throw new ValueError("scale values should be positive");
    this.translate = opts.translate;
    this.scale = opts.scale;
    const sh = opts.shear;
    this.shear = sh === undefined ? undefined : typeof sh === "number" ? checkSequence(sh, "shear") : sh.length === 2 || sh.length === 4 ? [...sh]
      : (() => { throw new ValueError("shear should be a sequence of length 2 or 4."); })();
    this.interpolation = opts.interpolation ?? "nearest";
    this.fill = opts.fill ?? 0;
    this.center = opts.center;
  }
  static getParams(degrees: [number, number], translate: [number, number] | undefined, scaleRanges: [number, number] | undefined,
    shears: number[] | undefined, imgSize: [number, number]): [number, [number, number], number, [number, number]] {
    const angle = uniform(degrees[0], degrees[1]);
    let tx = 0, ty = 0;
    if (translate) {
      const maxDx = translate[0] * imgSize[0], maxDy = translate[1] * imgSize[1];
      tx = F.pyRound(uniform(-maxDx, maxDx));
      ty = F.pyRound(uniform(-maxDy, maxDy));
    }
    const scale = scaleRanges ? uniform(scaleRanges[0], scaleRanges[1]) : 1.0;
    let sx = 0, sy = 0;
    if (shears) {
      sx = uniform(shears[0]!, shears[1]!);
      if (shears.length === 4) sy = uniform(shears[2]!, shears[3]!);
    }
    return [angle, [tx, ty], scale, [sx, sy]];
  }
  forward(img: Img): Img {
    const fill = fillList(this.fill, F.getImageNumChannels(img));
    const [angle, translate, scale, shear] = RandomAffine.getParams(this.degrees, this.translate, this.scale, this.shear, F.getImageSize(img));
    return F.affine(img, angle, translate, scale, shear, this.interpolation, fill, this.center);
  }
  toString(): string {
    let s = `RandomAffine(degrees=${pyfl(this.degrees)}`;
    if (this.translate) s += `, translate=${pyl(this.translate)}`;
    if (this.scale) s += `, scale=${pyl(this.scale)}`;
    if (this.shear) s += `, shear=${pyfl(this.shear)}`;
    if (this.interpolation !== "nearest") s += `, interpolation=${this.interpolation}`;
    if (this.fill !== 0) s += `, fill=${pyl(this.fill)}`;
    if (this.center) s += `, center=${py(this.center)}`;
    return s + ")";
  }
}

export interface ColorJitterOptions { brightness?: number | [number, number]; contrast?: number | [number, number]; saturation?: number | [number, number]; hue?: number | [number, number] }

export class ColorJitter implements Transform<Img, Img> {
  readonly brightness: [number, number] | null;
  readonly contrast: [number, number] | null;
  readonly saturation: [number, number] | null;
  readonly hue: [number, number] | null;
  constructor(opts: ColorJitterOptions = {}) {
    const check = (v: number | [number, number], name: string, center: number, lo: number, hi: number, clipFirstOnZero: boolean): [number, number] | null => {
      let r: [number, number];
      if (typeof v === "number") {
        if (v < 0) throw new ValueError(`If ${name} is a single number, it must be non negative.`);
        r = [center - v, center + v];
        if (clipFirstOnZero) r[0] = Math.max(r[0], 0);
      } else {
        if (!(lo <= v[0] && v[0] <= v[1] && v[1] <= hi)) throw new ValueError(`${name} values should be between (${lo}, ${hi === Infinity ? "inf" : hi})`);
        r = [v[0], v[1]];
      }
      return r[0] === r[1] && r[0] === center ? null : r;
    };
    this.brightness = check(opts.brightness ?? 0, "brightness", 1, 0, Infinity, true);
    this.contrast = check(opts.contrast ?? 0, "contrast", 1, 0, Infinity, true);
    this.saturation = check(opts.saturation ?? 0, "saturation", 1, 0, Infinity, true);
    this.hue = check(opts.hue ?? 0, "hue", 0, -0.5, 0.5, false);
  }
  static getParams(b: [number, number] | null, c: [number, number] | null, s: [number, number] | null, h: [number, number] | null):
    [number[], number | null, number | null, number | null, number | null] {
    const order = randperm(4).tolist() as number[];
    const pick = (r: [number, number] | null) => (r === null ? null : uniform(r[0], r[1]));
    const bf = pick(b), cf = pick(c), sf = pick(s), hf = pick(h);
    return [order, bf, cf, sf, hf];
  }
  forward(img: Img): Img {
    const [order, b, c, s, h] = ColorJitter.getParams(this.brightness, this.contrast, this.saturation, this.hue);
    for (const k of order) {
      if (k === 0 && b !== null) img = F.adjustBrightness(img, b);
      else if (k === 1 && c !== null) img = F.adjustContrast(img, c);
      else if (k === 2 && s !== null) img = F.adjustSaturation(img, s);
      else if (k === 3 && h !== null) img = F.adjustHue(img, h);
    }
    return img;
  }
  toString(): string {
    const r = (v: [number, number] | null) => (v === null ? "None" : pyfl(v));
    return `ColorJitter(brightness=${r(this.brightness)}, contrast=${r(this.contrast)}, saturation=${r(this.saturation)}, hue=${r(this.hue)})`;
  }
}

export class Grayscale implements Transform<Img, Img> {
  constructor(readonly numOutputChannels: 1 | 3 = 1) {}
  forward(img: Img): Img { return F.rgbToGrayscale(img, this.numOutputChannels); }
  toString(): string { return `Grayscale(num_output_channels=${this.numOutputChannels})`; }
}

export class RandomGrayscale implements Transform<Img, Img> {
  constructor(readonly p = 0.1) {}
  forward(img: Img): Img {
    const c = F.getImageNumChannels(img);
    return draw() < this.p ? F.rgbToGrayscale(img, c as 1 | 3) : img;
  }
  toString(): string { return `RandomGrayscale(p=${pyf(this.p)})`; }
}

export class GaussianBlur implements Transform<Img, Img> {
  readonly kernelSize: [number, number];
  readonly sigma: [number, number];
  constructor(kernelSize: number | readonly number[], sigma: number | [number, number] = [0.1, 2.0]) {
    this.kernelSize = setupSize(kernelSize, "Kernel size should be a tuple/list of two integers");
    for (const k of this.kernelSize) if (k <= 0 || k % 2 === 0) throw new ValueError("Kernel size value should be an odd and positive number.");
    if (typeof sigma === "number") {
      if (sigma <= 0) throw new ValueError("If sigma is a single number, it must be positive.");
      this.sigma = [sigma, sigma];
    } else {
      if (!(0 < sigma[0] && sigma[0] <= sigma[1])) throw new ValueError("sigma values should be positive and of the form (min, max).");
      this.sigma = sigma;
    }
  }
  static getParams(sigmaMin: number, sigmaMax: number): number { return uniform(sigmaMin, sigmaMax); }
  forward(img: Img): Img {
    const s = GaussianBlur.getParams(this.sigma[0], this.sigma[1]);
    return F.gaussianBlur(img, this.kernelSize, [s, s]);
  }
  toString(): string { return `GaussianBlur(kernel_size=${py(this.kernelSize)}, sigma=${pyfs(this.sigma)})`; }
}

export interface RandomErasingOptions { p?: number; scale?: [number, number]; ratio?: [number, number]; value?: number | readonly number[] | "random"; inplace?: boolean }

export class RandomErasing implements Transform<Tensor, Tensor> {
  readonly p: number;
  readonly scale: [number, number];
  readonly ratio: [number, number];
  readonly value: number | readonly number[] | "random";
  readonly inplace: boolean;
  constructor(opts: RandomErasingOptions = {}) {
    this.p = opts.p ?? 0.5;
    this.scale = opts.scale ?? [0.02, 0.33];
    this.ratio = opts.ratio ?? [0.3, 3.3];
    this.value = opts.value ?? 0;
    this.inplace = opts.inplace ?? false;
    if (typeof this.value === "string" && this.value !== "random") throw new ValueError("If value is str, it should be 'random'");
    if (this.scale[0] > this.scale[1] || this.ratio[0] > this.ratio[1]) console.warn("Scale and ratio should be of kind (min, max)");
    if (this.scale[0] < 0 || this.scale[1] > 1) throw new ValueError("Scale should be between 0 and 1");
    if (this.p < 0 || this.p > 1) throw new ValueError("Random erasing probability should be between 0 and 1");
  }
  static getParams(img: Tensor, scale: [number, number], ratio: [number, number], value: number[] | null): [number, number, number, number, Tensor] {
    const c = img.size(-3), ih = img.size(-2), iw = img.size(-1), area = ih * iw;
    const logRatio = tensor(ratio).log().tolist() as number[];
    for (let k = 0; k < 10; k++) {
      const eraseArea = area * uniform(scale[0], scale[1]);
      const aspect = empty(1).uniform_(logRatio[0]!, logRatio[1]!).exp().item() as number;
      const h = F.pyRound(Math.sqrt(eraseArea * aspect)), w = F.pyRound(Math.sqrt(eraseArea / aspect));
      if (!(h < ih && w < iw)) continue;
      const v = value === null ? randn([c, h, w], { dtype: "float32" }) : tensor(value).reshape(-1, 1, 1);
      return [randInt(0, ih - h + 1), randInt(0, iw - w + 1), h, w, v];
    }
    return [0, 0, ih, iw, img];
  }
  forward(img: Tensor): Tensor {
    if (!(draw() < this.p)) return img;
    const value = this.value === "random" ? null : typeof this.value === "number" ? [this.value] : [...this.value];
    if (value !== null && value.length !== 1 && value.length !== img.size(-3))
      throw new ValueError(`If value is a sequence, it should have either a single value or ${img.size(-3)} (number of input channels)`);
    const [x, y, h, w, v] = RandomErasing.getParams(img, this.scale, this.ratio, value);
    return F.erase(img, x, y, h, w, v, this.inplace);
  }
  toString(): string {
    return `RandomErasing(p=${pyf(this.p)}, scale=${pyfs(this.scale)}, ratio=${pyfs(this.ratio)}, value=${typeof this.value === "string" ? this.value : pyl(this.value)}, inplace=${py(this.inplace)})`;
  }
}

export class RandomApply implements Transform {
  constructor(readonly transforms: readonly TransformLike[], readonly p = 0.5) {}
  forward(img: unknown): unknown {
    if (this.p < draw()) return img;
    return this.transforms.reduce((v, t) => call(t, v), img);
  }
  toString(): string { return `RandomApply(\n    p=${this.p}\n${this.transforms.map((t) => `    ${String(t)}`).join("\n")}\n)`; }
}

/**
 * One of the transforms, picked with probabilities p (uniform by default). torchvision draws this
 * with Python's `random`; here it is one torch.rand(1) draw from torch's generator.
 */
export class RandomChoice implements Transform {
  readonly p: number[];
  constructor(readonly transforms: readonly TransformLike[], p?: readonly number[]) {
    if (p !== undefined && p.length !== transforms.length)
      throw new ValueError(`Length of p doesn't match the number of transforms: ${p.length} != ${transforms.length}`);
    this.p = p ? [...p] : transforms.map(() => 1);
  }
  forward(img: unknown): unknown {
    const total = this.p.reduce((a, b) => a + b, 0), u = draw() * total;
    let acc = 0, k = 0;
    while (k < this.p.length - 1 && u >= (acc += this.p[k]!)) k++;
    return call(this.transforms[k]!, img);
  }
  toString(): string { return `RandomChoice(\n${this.transforms.map((t) => `    ${String(t)}`).join("\n")}\n)(p=${py(this.p)})`; }
}
