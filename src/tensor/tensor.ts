// SPDX-License-Identifier: BSD-3-Clause
// Tensor = Storage + layout (shape, strides, offset) + dtype. Methods are one-line delegates to
// src/ops, in the order of the op files.
import { RuntimeError, ValueError } from "../errors.js";
import * as ops from "../ops/index.js";
import type { OutOptions, Scalar, TensorOrScalar } from "../ops/elementwise.js";
import type { SizeArgs } from "../ops/movement.js";
import { type DType, type DTypeLike, ITEMSIZE, type TypedArray, toDType } from "./dtype.js";
import { contiguousStrides, isContiguousLayout, normalizeDim, numelOf } from "./layout.js";
import { formatTensor } from "./print.js";
import { Storage } from "./storage.js";
import { Device, type DeviceLike, toDevice } from "./device.js";
import type { GradHook, Node } from "../autograd/graph.js";
import { type BackwardOptions, backward as autogradBackward } from "../autograd/engine.js";

/** A tuple that also carries names: `const [values, indices] = x.max(1)` or `x.max(1).values`. */
export type ValuesIndices = [Tensor, Tensor] & { values: Tensor; indices: Tensor };
export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  return Object.assign([values, indices] as [Tensor, Tensor], { values, indices });
}

export type ToArgs = [DeviceLike | DTypeLike | Tensor] | [DeviceLike, DTypeLike] | [{ dtype?: DTypeLike; device?: DeviceLike; copy?: boolean }];

export type NestedArray<T> = T | NestedArray<T>[];

/** The hook list of every tensor without hooks (never written: registering a hook replaces it). */
const NO_HOOKS: readonly unknown[] = Object.freeze([]);

/** Counts the tensors Tensor._empty made (see Tensor._allocNr). */
let allocCounter = 0;
/** @internal The number of fresh tensors made so far (autograd's engine compares _allocNr with it). */
export function allocCount(): number { return allocCounter; }

export class Tensor {
  /** @internal */ _storage: Storage;
  /** @internal */ _shape: number[];
  /** @internal */ _strides: number[];
  /** @internal */ _offset: number;
  readonly dtype: DType;
  requiresGrad = false;
  grad: Tensor | null = null;
  /** The autograd node that made this tensor; null for leaves. */
  gradFn: Node | null = null;
  /** @internal Which output of gradFn this tensor is. */
  _outputNr = 0;
  /** @internal A leaf's AccumulateGrad node, made on first use so every edge shares it. */
  _gradAccumulator: Node | null = null;
  /** @internal The tensor this one is a view of (null if it owns its layout). */
  _base: Tensor | null = null;
  /** @internal Hooks on a leaf's incoming gradient, and after its accumulation (a shared empty
   * list until the first hook, so making a tensor allocates no hook arrays). */
  _hooks: GradHook[] = NO_HOOKS as GradHook[];
  _postAccumulateHooks: ((t: Tensor) => void)[] = NO_HOOKS as ((t: Tensor) => void)[];
  /** @internal Nonzero for a tensor made by _empty (its own fresh storage), in creation order; 0
   * for views and tensors over given storage. */
  _allocNr = 0;

  /** @internal Use the creation functions (torch.tensor, torch.zeros, ...). */
  constructor(storage: Storage, shape: number[], strides: number[], offset: number, dtype: DType) {
    this._storage = storage;
    this._shape = shape;
    this._strides = strides;
    this._offset = offset;
    this.dtype = dtype;
  }

  /** @internal A fresh contiguous tensor. */
  static _empty(shape: readonly number[], dtype: DType): Tensor {
    const t = new Tensor(Storage.alloc(dtype, numelOf(shape)), [...shape], contiguousStrides(shape), 0, dtype);
    t._allocNr = ++allocCounter;
    return t;
  }

  /** @internal A fresh contiguous tensor whose elements the caller overwrites (not zero-filled). */
  static _emptyUninit(shape: readonly number[], dtype: DType): Tensor {
    const t = new Tensor(Storage.allocUninit(dtype, numelOf(shape)), [...shape], contiguousStrides(shape), 0, dtype);
    t._allocNr = ++allocCounter;
    return t;
  }

  /** @internal A view over the same storage. */
  _view(shape: number[], strides: number[], offset: number): Tensor {
    const v = new Tensor(this._storage, shape, strides, offset, this.dtype);
    v._base = this._base ?? this;
    return v;
  }

  /** @internal */
  _bumpVersion(): void {
    this._storage.version++;
  }

  /** @internal Replaces the storage with a fresh one of the new shape (out= resizing). */
  _resize(shape: readonly number[]): void {
    this._storage = Storage.alloc(this.dtype, numelOf(shape));
    this._shape = [...shape];
    this._strides = contiguousStrides(shape);
    this._offset = 0;
  }

  /** @internal Writes a JS scalar into a 0-dim or 1-element tensor. */
  _setItem(v: Scalar): void {
    ops.fill_(this, v);
  }

  // ---- attributes -------------------------------------------------------------------------------

  get shape(): number[] { return [...this._shape]; }
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    return dim === undefined ? [...this._shape] : this._shape[normalizeDim(dim, this.ndim)]!;
  }
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    return dim === undefined ? [...this._strides] : this._strides[normalizeDim(dim, this.ndim)]!;
  }
  storageOffset(): number { return this._offset; }
  get ndim(): number { return this._shape.length; }
  dim(): number { return this._shape.length; }
  numel(): number { return numelOf(this._shape); }
  nelement(): number { return this.numel(); }
  elementSize(): number { return ITEMSIZE[this.dtype]; }
  get itemsize(): number { return ITEMSIZE[this.dtype]; }
  get nbytes(): number { return this.numel() * ITEMSIZE[this.dtype]; }
  get device(): Device { return toDevice(this._storage.device); }
  get isCuda(): boolean { return this._storage.device.startsWith("cuda"); }
  get isLeaf(): boolean { return this.gradFn === null; }
  /** The version counter, bumped by in-place ops through any view. */
  get _version(): number { return this._storage.version; }
  isContiguous(): boolean { return isContiguousLayout(this._shape, this._strides); }
  isFloatingPoint(): boolean { return ops.isFloatingPointDtype(this.dtype); }
  isSetTo(other: Tensor): boolean {
    return this._storage === other._storage && this._offset === other._offset &&
      this._shape.join() === other._shape.join() && this._strides.join() === other._strides.join();
  }
  /** A tensor sharing storage with this one, outside the autograd graph. */
  get data(): Tensor { return this.detach(); }
  get T(): Tensor { return ops.reversedDims(this); }
  get mT(): Tensor { return ops.mT(this); }

  requiresGrad_(requiresGrad = true): this {
    if (requiresGrad && !this.isFloatingPoint())
      throw new RuntimeError("only Tensors of floating point and complex dtype can require gradients");
    if (!requiresGrad && this.gradFn !== null)
      throw new RuntimeError("you can only change requires_grad flags of leaf variables. If you want to use a " +
        "computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
    this.requiresGrad = requiresGrad;
    return this;
  }
  /** A tensor sharing storage (and version counter) with this one, outside the graph. */
  detach(): Tensor {
    return new Tensor(this._storage, [...this._shape], [...this._strides], this._offset, this.dtype);
  }
  detach_(): this { this.requiresGrad = false; this.gradFn = null; return this; }

  // ---- autograd (src/autograd) -------------------------------------------------------------------

  backward(gradient?: Tensor | null, opts: BackwardOptions = {}): void { autogradBackward(this, gradient ?? null, opts); }
  /** Keeps .grad on this non-leaf tensor after backward. */
  retainGrad(): void {
    if (!this.requiresGrad) throw new RuntimeError("can't retain_grad on Tensor that has requires_grad=False");
    if (this.gradFn !== null) this.gradFn.retained.set(this._outputNr, new WeakRef(this));
  }
  get retainsGrad(): boolean { return this.gradFn !== null && this.gradFn._retained?.get(this._outputNr)?.deref() === this; }
  /** A hook on the gradient of this tensor; returning a tensor replaces the gradient. */
  registerHook(hook: GradHook): { remove(): void } {
    if (!this.requiresGrad) throw new RuntimeError("cannot register a hook on a tensor that doesn't require gradient");
    if (this.gradFn === null && this._hooks === NO_HOOKS) this._hooks = [];
    const list = this.gradFn !== null
      ? (this.gradFn.outputHooks.get(this._outputNr) ?? this.gradFn.outputHooks.set(this._outputNr, []).get(this._outputNr)!)
      : this._hooks;
    list.push(hook);
    return { remove: () => { const i = list.indexOf(hook); if (i >= 0) list.splice(i, 1); } };
  }
  registerPostAccumulateGradHook(hook: (t: Tensor) => void): { remove(): void } {
    if (this.gradFn !== null) throw new RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors");
    if (this._postAccumulateHooks === NO_HOOKS) this._postAccumulateHooks = [];
    this._postAccumulateHooks.push(hook);
    return { remove: () => { const i = this._postAccumulateHooks.indexOf(hook); if (i >= 0) this._postAccumulateHooks.splice(i, 1); } };
  }

  // ---- conversion -------------------------------------------------------------------------------

  item(opts: { bigint?: boolean } = {}): number | boolean | bigint {
    if (this.numel() !== 1) throw new ValueError("only one element tensors can be converted to Python scalars");
    return ops.readElement(this, this._offset, opts.bigint ?? false);
  }
  tolist(): NestedArray<number | boolean> { return ops.tolist(this); }
  /** A typed array sharing memory with this contiguous CPU tensor (torch's Tensor.numpy()). */
  numpy(): TypedArray { return ops.numpy(this); }
  to(...args: ToArgs): Tensor { return ops.to(this, ...args); }
  type(dtype: DTypeLike): Tensor { return ops.to(this, toDType(dtype)); }
  float(): Tensor { return ops.to(this, "float32"); }
  double(): Tensor { return ops.to(this, "float64"); }
  half(): Tensor { return ops.to(this, "float16"); }
  bfloat16(): Tensor { return ops.to(this, "bfloat16"); }
  long(): Tensor { return ops.to(this, "int64"); }
  int(): Tensor { return ops.to(this, "int32"); }
  short(): Tensor { return ops.to(this, "int16"); }
  char(): Tensor { return ops.to(this, "int8"); }
  byte(): Tensor { return ops.to(this, "uint8"); }
  bool(): Tensor { return ops.to(this, "bool"); }
  cpu(): Tensor { return ops.to(this, "cpu"); }
  cuda(device?: DeviceLike): Tensor { return ops.to(this, device ?? "cuda"); }
  clone(): Tensor { return ops.clone(this); }
  contiguous(): Tensor { return ops.contiguous(this); }
  copy_(src: Tensor | Scalar): this { ops.copy_(this, src); return this; }

  // ---- in-place fills and random fills ---------------------------------------------------------------

  fill_(value: TensorOrScalar): this { ops.fill_(this, value); return this; }
  zero_(): this { ops.fill_(this, 0); return this; }
  uniform_(from = 0, to = 1, opts: ops.GeneratorOption = {}): this { ops.uniform_(this, from, to, opts); return this; }
  normal_(mean = 0, std = 1, opts: ops.GeneratorOption = {}): this { ops.normal_(this, mean, std, opts); return this; }
  random_(...args: ops.RandomArgs): this { ops.random_(this, ...args); return this; }
  bernoulli_(p: number | Tensor = 0.5, opts: ops.GeneratorOption = {}): this { ops.bernoulli_(this, p, opts); return this; }
  exponential_(lambd = 1, opts: ops.GeneratorOption = {}): this { ops.exponential_(this, lambd, opts); return this; }
  bernoulli(opts: ops.GeneratorOption = {}): Tensor { return ops.bernoulli(this, opts); }
  multinomial(numSamples: number, opts: ops.MultinomialOptions = {}): Tensor { return ops.multinomial(this, numSamples, opts); }

  // ---- creation with this tensor's dtype/device ------------------------------------------------------

  newTensor(data: unknown, opts: ops.CreationOptions = {}): Tensor { return ops.tensor(data as never, { dtype: this.dtype, ...opts }); }
  newEmpty(...args: (number | readonly number[] | ops.CreationOptions)[]): Tensor { return ops.withDefaults(ops.empty, this, args); }
  newZeros(...args: (number | readonly number[] | ops.CreationOptions)[]): Tensor { return ops.withDefaults(ops.zeros, this, args); }
  newOnes(...args: (number | readonly number[] | ops.CreationOptions)[]): Tensor { return ops.withDefaults(ops.ones, this, args); }
  newFull(size: readonly number[], fillValue: Scalar, opts: ops.CreationOptions = {}): Tensor {
    return ops.full(size, fillValue, { dtype: this.dtype, ...opts });
  }

  // ---- views (src/ops/movement.ts) --------------------------------------------------------------

  view(...shape: SizeArgs | [DTypeLike]): Tensor {
    if (shape.length === 1 && typeof shape[0] === "string") return ops.viewDtype(this, toDType(shape[0]));
    return ops.view(this, ops.sizesOf(shape as SizeArgs));
  }
  viewAs(other: Tensor): Tensor { return ops.view(this, other._shape); }
  reshape(...shape: SizeArgs): Tensor { return ops.reshape(this, ops.sizesOf(shape)); }
  reshapeAs(other: Tensor): Tensor { return ops.reshape(this, other._shape); }
  flatten(startDim = 0, endDim = -1): Tensor { return ops.flatten(this, startDim, endDim); }
  ravel(): Tensor { return ops.reshape(this, [-1]); }
  unflatten(dim: number, sizes: readonly number[]): Tensor { return ops.unflatten(this, dim, sizes); }
  squeeze(dim?: number | readonly number[]): Tensor { return ops.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return ops.unsqueeze(this, dim); }
  permute(...dims: SizeArgs): Tensor { return ops.permute(this, ops.sizesOf(dims)); }
  transpose(dim0: number, dim1: number): Tensor { return ops.transpose(this, dim0, dim1); }
  swapaxes(dim0: number, dim1: number): Tensor { return ops.transpose(this, dim0, dim1); }
  swapdims(dim0: number, dim1: number): Tensor { return ops.transpose(this, dim0, dim1); }
  t(): Tensor { return ops.t2d(this); }
  expand(...shape: SizeArgs): Tensor { return ops.expand(this, ops.sizesOf(shape)); }
  expandAs(other: Tensor): Tensor { return ops.expand(this, other._shape); }
  broadcastTo(...shape: SizeArgs): Tensor { return ops.expand(this, ops.sizesOf(shape)); }
  narrow(dim: number, start: number, length: number): Tensor { return ops.narrow(this, dim, start, length); }
  select(dim: number, index: number): Tensor { return ops.select(this, dim, index); }
  unbind(dim = 0): Tensor[] { return ops.unbind(this, dim); }
  split(splitSize: number | readonly number[], dim = 0): Tensor[] { return ops.split(this, splitSize, dim); }
  chunk(chunks: number, dim = 0): Tensor[] { return ops.chunk(this, chunks, dim); }
  movedim(source: number | readonly number[], destination: number | readonly number[]): Tensor { return ops.movedim(this, source, destination); }
  moveaxis(source: number | readonly number[], destination: number | readonly number[]): Tensor { return ops.movedim(this, source, destination); }
  asStrided(size: readonly number[], stride: readonly number[], storageOffset?: number): Tensor { return ops.asStrided(this, size, stride, storageOffset); }
  diagonal(offset = 0, dim1 = 0, dim2 = 1): Tensor { return ops.diagonal(this, offset, dim1, dim2); }

  // ---- math (src/ops/math.ts) ------------------------------------------------------------------------

  add(other: TensorOrScalar, opts?: { alpha?: number }): Tensor { return ops.add(this, other, opts); }
  add_(other: TensorOrScalar, opts?: { alpha?: number }): this { ops.add_(this, other, opts); return this; }
  sub(other: TensorOrScalar, opts?: { alpha?: number }): Tensor { return ops.sub(this, other, opts); }
  sub_(other: TensorOrScalar, opts?: { alpha?: number }): this { ops.sub_(this, other, opts); return this; }
  subtract(other: TensorOrScalar, opts?: { alpha?: number }): Tensor { return ops.sub(this, other, opts); }
  subtract_(other: TensorOrScalar, opts?: { alpha?: number }): this { ops.sub_(this, other, opts); return this; }
  rsub(other: TensorOrScalar, opts?: { alpha?: number }): Tensor { return ops.rsub(this, other, opts); }
  mul(other: TensorOrScalar): Tensor { return ops.mul(this, other); }
  mul_(other: TensorOrScalar): this { ops.mul_(this, other); return this; }
  multiply(other: TensorOrScalar): Tensor { return ops.mul(this, other); }
  multiply_(other: TensorOrScalar): this { ops.mul_(this, other); return this; }
  div(other: TensorOrScalar, opts?: { roundingMode?: ops.RoundingMode }): Tensor { return ops.div(this, other, opts); }
  div_(other: TensorOrScalar, opts?: { roundingMode?: ops.RoundingMode }): this { ops.div_(this, other, opts); return this; }
  divide(other: TensorOrScalar, opts?: { roundingMode?: ops.RoundingMode }): Tensor { return ops.div(this, other, opts); }
  divide_(other: TensorOrScalar, opts?: { roundingMode?: ops.RoundingMode }): this { ops.div_(this, other, opts); return this; }
  trueDivide(other: TensorOrScalar): Tensor { return ops.div(this, other); }
  trueDivide_(other: TensorOrScalar): this { ops.trueDivide_(this, other); return this; }
  floorDivide(other: TensorOrScalar): Tensor { return ops.floorDivide(this, other); }
  floorDivide_(other: TensorOrScalar): this { ops.floorDivide_(this, other); return this; }
  remainder(other: TensorOrScalar): Tensor { return ops.remainder(this, other); }
  remainder_(other: TensorOrScalar): this { ops.remainder_(this, other); return this; }
  fmod(other: TensorOrScalar): Tensor { return ops.fmod(this, other); }
  fmod_(other: TensorOrScalar): this { ops.fmod_(this, other); return this; }
  pow(exponent: TensorOrScalar): Tensor { return ops.pow(this, exponent); }
  pow_(exponent: TensorOrScalar): this { ops.pow_(this, exponent); return this; }
  floatPower(exponent: TensorOrScalar): Tensor { return ops.floatPower(this, exponent); }
  floatPower_(exponent: TensorOrScalar): this { ops.floatPower_(this, exponent); return this; }
  atan2(other: TensorOrScalar): Tensor { return ops.atan2(this, other); }
  atan2_(other: TensorOrScalar): this { ops.atan2_(this, other); return this; }
  arctan2(other: TensorOrScalar): Tensor { return ops.atan2(this, other); }
  arctan2_(other: TensorOrScalar): this { ops.atan2_(this, other); return this; }
  hypot(other: TensorOrScalar): Tensor { return ops.hypot(this, other); }
  hypot_(other: TensorOrScalar): this { ops.hypot_(this, other); return this; }
  copysign(other: TensorOrScalar): Tensor { return ops.copysign(this, other); }
  copysign_(other: TensorOrScalar): this { ops.copysign_(this, other); return this; }
  logaddexp(other: TensorOrScalar): Tensor { return ops.logaddexp(this, other); }
  logaddexp2(other: TensorOrScalar): Tensor { return ops.logaddexp2(this, other); }
  maximum(other: Tensor): Tensor { return ops.maximum(this, other); }
  minimum(other: Tensor): Tensor { return ops.minimum(this, other); }
  fmax(other: Tensor): Tensor { return ops.fmax(this, other); }
  fmin(other: Tensor): Tensor { return ops.fmin(this, other); }
  neg(): Tensor { return ops.neg(this); }
  neg_(): this { ops.neg_(this); return this; }
  negative(): Tensor { return ops.neg(this); }
  negative_(): this { ops.neg_(this); return this; }
  abs(): Tensor { return ops.abs(this); }
  abs_(): this { ops.abs_(this); return this; }
  absolute(): Tensor { return ops.abs(this); }
  absolute_(): this { ops.abs_(this); return this; }
  sign(): Tensor { return ops.sign(this); }
  sign_(): this { ops.sign_(this); return this; }
  sgn(): Tensor { return ops.sign(this); }
  sgn_(): this { ops.sign_(this); return this; }
  signbit(): Tensor { return ops.signbit(this); }
  exp(): Tensor { return ops.exp(this); }
  exp_(): this { ops.exp_(this); return this; }
  exp2(): Tensor { return ops.exp2(this); }
  exp2_(): this { ops.exp2_(this); return this; }
  expm1(): Tensor { return ops.expm1(this); }
  expm1_(): this { ops.expm1_(this); return this; }
  log(): Tensor { return ops.log(this); }
  log_(): this { ops.log_(this); return this; }
  log2(): Tensor { return ops.log2(this); }
  log2_(): this { ops.log2_(this); return this; }
  log10(): Tensor { return ops.log10(this); }
  log10_(): this { ops.log10_(this); return this; }
  log1p(): Tensor { return ops.log1p(this); }
  log1p_(): this { ops.log1p_(this); return this; }
  sqrt(): Tensor { return ops.sqrt(this); }
  sqrt_(): this { ops.sqrt_(this); return this; }
  rsqrt(): Tensor { return ops.rsqrt(this); }
  rsqrt_(): this { ops.rsqrt_(this); return this; }
  square(): Tensor { return ops.square(this); }
  square_(): this { ops.square_(this); return this; }
  reciprocal(): Tensor { return ops.reciprocal(this); }
  reciprocal_(): this { ops.reciprocal_(this); return this; }
  sin(): Tensor { return ops.sin(this); }
  sin_(): this { ops.sin_(this); return this; }
  cos(): Tensor { return ops.cos(this); }
  cos_(): this { ops.cos_(this); return this; }
  tan(): Tensor { return ops.tan(this); }
  tan_(): this { ops.tan_(this); return this; }
  asin(): Tensor { return ops.asin(this); }
  asin_(): this { ops.asin_(this); return this; }
  acos(): Tensor { return ops.acos(this); }
  acos_(): this { ops.acos_(this); return this; }
  atan(): Tensor { return ops.atan(this); }
  atan_(): this { ops.atan_(this); return this; }
  arcsin(): Tensor { return ops.asin(this); }
  arcsin_(): this { ops.asin_(this); return this; }
  arccos(): Tensor { return ops.acos(this); }
  arccos_(): this { ops.acos_(this); return this; }
  arctan(): Tensor { return ops.atan(this); }
  arctan_(): this { ops.atan_(this); return this; }
  sinh(): Tensor { return ops.sinh(this); }
  sinh_(): this { ops.sinh_(this); return this; }
  cosh(): Tensor { return ops.cosh(this); }
  cosh_(): this { ops.cosh_(this); return this; }
  tanh(): Tensor { return ops.tanh(this); }
  tanh_(): this { ops.tanh_(this); return this; }
  asinh(): Tensor { return ops.asinh(this); }
  asinh_(): this { ops.asinh_(this); return this; }
  acosh(): Tensor { return ops.acosh(this); }
  acosh_(): this { ops.acosh_(this); return this; }
  atanh(): Tensor { return ops.atanh(this); }
  atanh_(): this { ops.atanh_(this); return this; }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  sigmoid_(): this { ops.sigmoid_(this); return this; }
  erf(): Tensor { return ops.erf(this); }
  erf_(): this { ops.erf_(this); return this; }
  erfc(): Tensor { return ops.erfc(this); }
  erfc_(): this { ops.erfc_(this); return this; }
  erfinv(): Tensor { return ops.erfinv(this); }
  erfinv_(): this { ops.erfinv_(this); return this; }
  lgamma(): Tensor { return ops.lgamma(this); }
  lgamma_(): this { ops.lgamma_(this); return this; }
  floor(): Tensor { return ops.floor(this); }
  floor_(): this { ops.floor_(this); return this; }
  ceil(): Tensor { return ops.ceil(this); }
  ceil_(): this { ops.ceil_(this); return this; }
  round(opts?: { decimals?: number }): Tensor { return ops.round(this, opts); }
  round_(opts?: { decimals?: number }): this { ops.round_(this, opts); return this; }
  trunc(): Tensor { return ops.trunc(this); }
  trunc_(): this { ops.trunc_(this); return this; }
  fix(): Tensor { return ops.trunc(this); }
  fix_(): this { ops.trunc_(this); return this; }
  frac(): Tensor { return ops.frac(this); }
  frac_(): this { ops.frac_(this); return this; }
  relu(): Tensor { return ops.relu(this); }
  relu_(): this { ops.relu_(this); return this; }
  clamp(min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor { return ops.clamp(this, min, max); }
  clamp_(min?: TensorOrScalar | null, max?: TensorOrScalar | null): this { ops.clamp_(this, min, max); return this; }
  clip(min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor { return ops.clamp(this, min, max); }
  clip_(min?: TensorOrScalar | null, max?: TensorOrScalar | null): this { ops.clamp_(this, min, max); return this; }
  clampMin(min: TensorOrScalar): Tensor { return ops.clampMin(this, min); }
  clampMin_(min: TensorOrScalar): this { ops.clamp_(this, min, null); return this; }
  clampMax_(max: TensorOrScalar): this { ops.clamp_(this, null, max); return this; }
  clampMax(max: TensorOrScalar): Tensor { return ops.clampMax(this, max); }
  nanToNum(opts: { nan?: number; posinf?: number | null; neginf?: number | null } = {}): Tensor { return ops.nanToNum(this, opts.nan, opts.posinf, opts.neginf); }
  nanToNum_(opts: { nan?: number; posinf?: number | null; neginf?: number | null } = {}): this { ops.nanToNum(this, opts.nan, opts.posinf, opts.neginf, true); return this; }
  lerp(end: Tensor, weight: TensorOrScalar): Tensor { return ops.lerp(this, end, weight); }
  lerp_(end: Tensor, weight: TensorOrScalar): this { ops.lerp_(this, end, weight); return this; }
  addcmul(t1: Tensor, t2: Tensor, opts?: { value?: number }): Tensor { return ops.addcmul(this, t1, t2, opts); }
  addcmul_(t1: Tensor, t2: Tensor, opts?: { value?: number }): this { ops.addcmul_(this, t1, t2, opts); return this; }
  addcdiv(t1: Tensor, t2: Tensor, opts?: { value?: number }): Tensor { return ops.addcdiv(this, t1, t2, opts); }
  addcdiv_(t1: Tensor, t2: Tensor, opts?: { value?: number }): this { ops.addcdiv_(this, t1, t2, opts); return this; }
  where(condition: Tensor, other: TensorOrScalar): Tensor { return ops.where(condition, this, other); }
  eq(other: TensorOrScalar): Tensor { return ops.eq(this, other); }
  eq_(other: TensorOrScalar): this { ops.eq_(this, other); return this; }
  ne(other: TensorOrScalar): Tensor { return ops.ne(this, other); }
  ne_(other: TensorOrScalar): this { ops.ne_(this, other); return this; }
  lt(other: TensorOrScalar): Tensor { return ops.lt(this, other); }
  lt_(other: TensorOrScalar): this { ops.lt_(this, other); return this; }
  le(other: TensorOrScalar): Tensor { return ops.le(this, other); }
  le_(other: TensorOrScalar): this { ops.le_(this, other); return this; }
  gt(other: TensorOrScalar): Tensor { return ops.gt(this, other); }
  gt_(other: TensorOrScalar): this { ops.gt_(this, other); return this; }
  ge(other: TensorOrScalar): Tensor { return ops.ge(this, other); }
  ge_(other: TensorOrScalar): this { ops.ge_(this, other); return this; }
  notEqual(other: TensorOrScalar): Tensor { return ops.ne(this, other); }
  notEqual_(other: TensorOrScalar): this { ops.ne_(this, other); return this; }
  greater(other: TensorOrScalar): Tensor { return ops.gt(this, other); }
  greater_(other: TensorOrScalar): this { ops.gt_(this, other); return this; }
  greaterEqual(other: TensorOrScalar): Tensor { return ops.ge(this, other); }
  greaterEqual_(other: TensorOrScalar): this { ops.ge_(this, other); return this; }
  less(other: TensorOrScalar): Tensor { return ops.lt(this, other); }
  less_(other: TensorOrScalar): this { ops.lt_(this, other); return this; }
  lessEqual(other: TensorOrScalar): Tensor { return ops.le(this, other); }
  lessEqual_(other: TensorOrScalar): this { ops.le_(this, other); return this; }
  isclose(other: TensorOrScalar, opts?: { rtol?: number; atol?: number; equalNan?: boolean }): Tensor { return ops.isclose(this, other, opts); }
  allclose(other: TensorOrScalar, opts?: { rtol?: number; atol?: number; equalNan?: boolean }): boolean { return ops.allclose(this, other, opts); }
  equal(other: Tensor): boolean { return ops.equal(this, other); }
  isnan(): Tensor { return ops.isnan(this); }
  isinf(): Tensor { return ops.isinf(this); }
  isfinite(): Tensor { return ops.isfinite(this); }
  isposinf(): Tensor { return ops.isposinf(this); }
  isneginf(): Tensor { return ops.isneginf(this); }
  logicalAnd(other: TensorOrScalar): Tensor { return ops.logicalAnd(this, other); }
  logicalAnd_(other: TensorOrScalar): this { ops.logicalAnd_(this, other); return this; }
  logicalOr(other: TensorOrScalar): Tensor { return ops.logicalOr(this, other); }
  logicalOr_(other: TensorOrScalar): this { ops.logicalOr_(this, other); return this; }
  logicalXor(other: TensorOrScalar): Tensor { return ops.logicalXor(this, other); }
  logicalXor_(other: TensorOrScalar): this { ops.logicalXor_(this, other); return this; }
  logicalNot(): Tensor { return ops.logicalNot(this); }
  logicalNot_(): this { ops.logicalNot_(this); return this; }
  bitwiseAnd(other: TensorOrScalar): Tensor { return ops.bitwiseAnd(this, other); }
  bitwiseAnd_(other: TensorOrScalar): this { ops.bitwiseAnd_(this, other); return this; }
  bitwiseOr(other: TensorOrScalar): Tensor { return ops.bitwiseOr(this, other); }
  bitwiseOr_(other: TensorOrScalar): this { ops.bitwiseOr_(this, other); return this; }
  bitwiseXor(other: TensorOrScalar): Tensor { return ops.bitwiseXor(this, other); }
  bitwiseXor_(other: TensorOrScalar): this { ops.bitwiseXor_(this, other); return this; }
  bitwiseNot(): Tensor { return ops.bitwiseNot(this); }
  bitwiseNot_(): this { ops.bitwiseNot_(this); return this; }
  bitwiseLeftShift(other: TensorOrScalar): Tensor { return ops.bitwiseLeftShift(this, other); }
  bitwiseLeftShift_(other: TensorOrScalar): this { ops.bitwiseLeftShift_(this, other); return this; }
  bitwiseRightShift(other: TensorOrScalar): Tensor { return ops.bitwiseRightShift(this, other); }
  bitwiseRightShift_(other: TensorOrScalar): this { ops.bitwiseRightShift_(this, other); return this; }

  // ---- reductions (src/ops/reduce.ts) ------------------------------------------------------------------

  sum(...args: ops.ReduceArgs<ops.SumOptions>): Tensor { return ops.sum(this, ...args); }
  nansum(...args: ops.ReduceArgs<ops.SumOptions>): Tensor { return ops.nansum(this, ...args); }
  mean(...args: ops.ReduceArgs<ops.SumOptions>): Tensor { return ops.mean(this, ...args); }
  nanmean(...args: ops.ReduceArgs<ops.SumOptions>): Tensor { return ops.nanmean(this, ...args); }
  prod(...args: ops.ReduceArgs<ops.SumOptions>): Tensor { return ops.prod(this, ...args); }
  amax(...args: ops.ReduceArgs): Tensor { return ops.amax(this, ...args); }
  amin(...args: ops.ReduceArgs): Tensor { return ops.amin(this, ...args); }
  max(): Tensor;
  max(dim: number | { dim: number; keepdim?: boolean }, opts?: { keepdim?: boolean }): ValuesIndices;
  max(other: Tensor): Tensor;
  max(arg?: number | Tensor | { dim: number; keepdim?: boolean }, opts?: { keepdim?: boolean }): Tensor | ValuesIndices { return ops.max(this, arg as number, opts); }
  min(): Tensor;
  min(dim: number | { dim: number; keepdim?: boolean }, opts?: { keepdim?: boolean }): ValuesIndices;
  min(other: Tensor): Tensor;
  min(arg?: number | Tensor | { dim: number; keepdim?: boolean }, opts?: { keepdim?: boolean }): Tensor | ValuesIndices { return ops.min(this, arg as number, opts); }
  argmax(dim?: number | null | { dim?: number | null; keepdim?: boolean }, opts?: { keepdim?: boolean }): Tensor { return ops.argmax(this, dim as number, opts); }
  argmin(dim?: number | null | { dim?: number | null; keepdim?: boolean }, opts?: { keepdim?: boolean }): Tensor { return ops.argmin(this, dim as number, opts); }
  aminmax(opts?: { dim?: number; keepdim?: boolean }): [Tensor, Tensor] & { min: Tensor; max: Tensor } { return ops.aminmax(this, opts); }
  var(...args: ops.ReduceArgs<ops.VarOptions>): Tensor { return ops.var_(this, ...args); }
  std(...args: ops.ReduceArgs<ops.VarOptions>): Tensor { return ops.std(this, ...args); }
  norm(p: number | "fro" | null = 2, dim?: number | readonly number[] | null, opts?: { keepdim?: boolean; dtype?: DTypeLike }): Tensor { return ops.norm(this, p, dim, opts); }
  logsumexp(dim: number | readonly number[], opts?: { keepdim?: boolean }): Tensor { return ops.logsumexp(this, dim, opts); }
  all(...args: ops.ReduceArgs): Tensor { return ops.all(this, ...args); }
  any(...args: ops.ReduceArgs): Tensor { return ops.any(this, ...args); }
  countNonzero(dim?: number | readonly number[] | null): Tensor { return ops.countNonzero(this, dim); }
  cumsum(dim: number, opts?: { dtype?: DTypeLike }): Tensor { return ops.cumsum(this, dim, opts); }
  cumsum_(dim: number): this { ops.copy_(this, ops.cumsum(this, dim)); return this; }
  cumprod(dim: number, opts?: { dtype?: DTypeLike }): Tensor { return ops.cumprod(this, dim, opts); }
  cummax(dim: number): ValuesIndices { return ops.cummax(this, dim); }
  cummin(dim: number): ValuesIndices { return ops.cummin(this, dim); }
  logcumsumexp(dim: number): Tensor { return ops.logcumsumexp(this, dim); }

  // ---- sorting and selection (src/ops/sorting.ts) ---------------------------------------------------

  sort(...args: ops.SortArgs): ValuesIndices { return ops.sort(this, ...args); }
  argsort(...args: ops.SortArgs): Tensor { return ops.argsort(this, ...args); }
  msort(): Tensor { return ops.sort(this, 0).values; }
  topk(k: number, ...args: ops.TopkArgs): ValuesIndices { return ops.topk(this, k, ...args); }
  kthvalue(k: number, dim: number | ops.DimKeepdim = -1, opts?: ops.DimKeepdim): ValuesIndices { return ops.kthvalue(this, k, dim, opts); }
  median(): Tensor;
  median(dim: number | ops.DimKeepdim, opts?: ops.DimKeepdim): ValuesIndices;
  median(dim?: number | ops.DimKeepdim, opts?: ops.DimKeepdim): Tensor | ValuesIndices { return dim === undefined ? ops.median(this) : ops.median(this, dim, opts); }
  nanmedian(): Tensor;
  nanmedian(dim: number | ops.DimKeepdim, opts?: ops.DimKeepdim): ValuesIndices;
  nanmedian(dim?: number | ops.DimKeepdim, opts?: ops.DimKeepdim): Tensor | ValuesIndices { return dim === undefined ? ops.nanmedian(this) : ops.nanmedian(this, dim, opts); }
  mode(dim: number | ops.DimKeepdim = -1, opts?: ops.DimKeepdim): ValuesIndices { return ops.mode(this, dim, opts); }
  unique(...args: ops.UniqueArgs): Tensor | Tensor[] { return ops.unique(this, ...args); }
  bincount(weights?: Tensor | null | ops.BincountOptions, minlength?: number): Tensor { return ops.bincount(this, weights, minlength); }
  histc(bins?: number | ops.HistcOptions, min?: number, max?: number): Tensor { return ops.histc(this, bins, min, max); }

  // ---- linear algebra (src/ops/linalg.ts) -------------------------------------------------------------

  matmul(other: Tensor): Tensor { return ops.matmul(this, other); }
  mm(other: Tensor): Tensor { return ops.mm(this, other); }
  bmm(other: Tensor): Tensor { return ops.bmm(this, other); }
  mv(vec: Tensor): Tensor { return ops.mv(this, vec); }
  dot(other: Tensor): Tensor { return ops.dot(this, other); }
  vdot(other: Tensor): Tensor { return ops.dot(this, other); }
  inner(other: Tensor): Tensor { return ops.inner(this, other); }
  outer(other: Tensor): Tensor { return ops.outer(this, other); }
  ger(other: Tensor): Tensor { return ops.outer(this, other); }
  addmm(m1: Tensor, m2: Tensor, opts?: ops.BetaAlpha): Tensor { return ops.addmm(this, m1, m2, opts); }
  addmm_(m1: Tensor, m2: Tensor, opts?: ops.BetaAlpha): this { ops.copy_(this, ops.addmm(this, m1, m2, opts)); return this; }
  addmv(mat: Tensor, vec: Tensor, opts?: ops.BetaAlpha): Tensor { return ops.addmv(this, mat, vec, opts); }
  addr(v1: Tensor, v2: Tensor, opts?: ops.BetaAlpha): Tensor { return ops.addr(this, v1, v2, opts); }
  baddbmm(b1: Tensor, b2: Tensor, opts?: ops.BetaAlpha): Tensor { return ops.baddbmm(this, b1, b2, opts); }
  addbmm(b1: Tensor, b2: Tensor, opts?: ops.BetaAlpha): Tensor { return ops.addbmm(this, b1, b2, opts); }
  trace(): Tensor { return ops.trace(this); }
  tril(diagonal: number | { diagonal?: number } = 0): Tensor { return ops.tril(this, diagonal); }
  tril_(diagonal: number | { diagonal?: number } = 0): this { ops.tril_(this, diagonal); return this; }
  triu(diagonal: number | { diagonal?: number } = 0): Tensor { return ops.triu(this, diagonal); }
  triu_(diagonal: number | { diagonal?: number } = 0): this { ops.triu_(this, diagonal); return this; }
  kron(other: Tensor): Tensor { return ops.kron(this, other); }

  // ---- indexing, joining, gather/scatter (src/ops/indexing.ts, src/ops/join.ts) ----------------------

  index(...indices: ops.IndexItem[]): Tensor { return ops.index(this, indices); }
  indexPut_(indices: readonly (Tensor | null)[], values: TensorOrScalar, opts?: { accumulate?: boolean }): this { ops.indexPut_(this, indices, values, opts); return this; }
  indexPut(indices: readonly (Tensor | null)[], values: TensorOrScalar, opts?: { accumulate?: boolean }): Tensor { return ops.indexPut(this, indices, values, opts); }
  gather(dim: number, index: Tensor): Tensor { return ops.gather(this, dim, index); }
  scatter(dim: number, index: Tensor, src: TensorOrScalar, opts?: { reduce?: "add" | "multiply" }): Tensor { return ops.scatter(this, dim, index, src, opts); }
  scatter_(dim: number, index: Tensor, src: TensorOrScalar, opts?: { reduce?: "add" | "multiply" }): this { ops.scatter_(this, dim, index, src, opts); return this; }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor { return ops.scatterAdd(this, dim, index, src); }
  scatterAdd_(dim: number, index: Tensor, src: Tensor): this { ops.scatterAdd_(this, dim, index, src); return this; }
  scatterReduce(dim: number, index: Tensor, src: Tensor, reduce: ops.ScatterReduce, opts?: { includeSelf?: boolean }): Tensor { return ops.scatterReduce(this, dim, index, src, reduce, opts); }
  scatterReduce_(dim: number, index: Tensor, src: Tensor, reduce: ops.ScatterReduce, opts?: { includeSelf?: boolean }): this { ops.scatterReduce_(this, dim, index, src, reduce, opts); return this; }
  indexSelect(dim: number, index: Tensor | readonly number[]): Tensor { return ops.indexSelect(this, dim, index); }
  indexAdd_(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): this { ops.indexAdd_(this, dim, index, source, opts); return this; }
  indexAdd(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): Tensor { return ops.indexAdd(this, dim, index, source, opts); }
  indexCopy_(dim: number, index: Tensor, source: Tensor): this { ops.indexCopy_(this, dim, index, source); return this; }
  indexCopy(dim: number, index: Tensor, source: Tensor): Tensor { return ops.indexCopy(this, dim, index, source); }
  indexFill_(dim: number, index: Tensor, value: TensorOrScalar): this { ops.indexFill_(this, dim, index, value); return this; }
  indexFill(dim: number, index: Tensor, value: TensorOrScalar): Tensor { return ops.indexFill(this, dim, index, value); }
  maskedFill(mask: Tensor, value: TensorOrScalar): Tensor { return ops.maskedFill(this, mask, value); }
  maskedFill_(mask: Tensor, value: TensorOrScalar): this { ops.maskedFill_(this, mask, value); return this; }
  maskedSelect(mask: Tensor): Tensor { return ops.maskedSelect(this, mask); }
  maskedScatter(mask: Tensor, source: Tensor): Tensor { return ops.maskedScatter(this, mask, source); }
  maskedScatter_(mask: Tensor, source: Tensor): this { ops.maskedScatter_(this, mask, source); return this; }
  take(index: Tensor): Tensor { return ops.take(this, index); }
  takeAlongDim(indices: Tensor, dim?: number | null): Tensor { return ops.takeAlongDim(this, indices, dim); }
  nonzero(opts?: { asTuple?: false }): Tensor;
  nonzero(opts: { asTuple: true }): Tensor[];
  nonzero(opts?: { asTuple?: boolean }): Tensor | Tensor[] { return ops.nonzero(this, opts as { asTuple: true }); }
  argwhere(): Tensor { return ops.nonzero(this); }
  repeat(...sizes: SizeArgs): Tensor { return ops.repeat(this, ops.sizesOf(sizes)); }
  repeatInterleave(repeats: number | Tensor, dim?: number | null, opts?: { outputSize?: number }): Tensor { return ops.repeatInterleave(this, repeats, dim, opts); }
  tile(...dims: SizeArgs): Tensor { return ops.tile(this, ops.sizesOf(dims)); }
  flip(...dims: SizeArgs): Tensor { return ops.flip(this, ops.sizesOf(dims)); }
  fliplr(): Tensor { return ops.fliplr(this); }
  flipud(): Tensor { return ops.flipud(this); }
  roll(shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor { return ops.roll(this, shifts, dims); }
  rot90(k = 1, dims: readonly number[] = [0, 1]): Tensor { return ops.rot90(this, k, dims); }

  // ---- printing ------------------------------------------------------------------------------

  toString(): string {
    const t = this.isContiguous() ? this : this.contiguous();
    return formatTensor({
      shape: this._shape, dtype: this.dtype, get: (i) => ops.readElement(t, t._offset + i, true),
      device: this._storage.device, requiresGrad: this.requiresGrad, gradFn: this.gradFn?.name() ?? null,
    });
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string { return this.toString(); }

  *[Symbol.iterator](): IterableIterator<Tensor> {
    if (this.ndim === 0) throw new TypeError("iteration over a 0-d tensor");
    for (let i = 0; i < this._shape[0]!; i++) yield ops.select(this, 0, i);
  }
  get length(): number {
    if (this.ndim === 0) throw new TypeError("len() of a 0-d tensor");
    return this._shape[0]!;
  }
}

export { Device };
export type { OutOptions };
