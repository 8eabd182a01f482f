// SPDX-License-Identifier: BSD-3-Clause
// Elementwise ops: PyTorch's broadcasting and type promotion run here, before any kernel, so
// errors come with PyTorch's messages and nothing is half-written.
import { RuntimeError } from "../errors.js";
import {
  type DType, type PromotionOperand, SCALAR_TYPE_NAME, canCast, getDefaultDtype, isFloatingPoint, resultType,
} from "../tensor/dtype.js";
import { broadcastShapes } from "../tensor/layout.js";
import { Tensor } from "../tensor/tensor.js";
import { fillUnchecked } from "./convert.js";
import { runElementwise } from "./kernel.js";
import { needsGrad } from "../autograd/graph.js";
import { inplace, record } from "../autograd/record.js";

export type Scalar = number | boolean | bigint;
export type TensorOrScalar = Tensor | Scalar;

export interface OutOptions { out?: Tensor }

const operand = (v: TensorOrScalar): PromotionOperand => (v instanceof Tensor ? { dtype: v.dtype, ndim: v.ndim } : v);

/** A 0-dim tensor holding a scalar, in the given dtype. */
export function scalarTensor(v: Scalar, dtype: DType): Tensor {
  return fillUnchecked(Tensor._empty([], dtype), v);
}

export function asOperand(v: TensorOrScalar, dtype: DType): Tensor {
  return v instanceof Tensor ? castTo(v, dtype) : scalarTensor(v, dtype);
}

/** t in `dtype` (t itself when it already is). */
export function castTo(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const out = Tensor._emptyUninit(t._shape, dtype);
  runElementwise("copy", out, [t]);
  return out;
}

/**
 * Checks and prepares a destination (an in-place target or `out=`), in PyTorch's order: shape,
 * internal overlap, then the dtype.
 */
function destination(target: Tensor, shape: readonly number[], computeDtype: DType, resultDtype: DType, isOut: boolean,
  sameOut: boolean): void {
  if (!isOut && (target._shape.length !== shape.length || target._shape.some((s, i) => s !== shape[i])))
    throw new RuntimeError(`output with shape [${target._shape.join(", ")}] doesn't match the broadcast shape [${shape.join(", ")}]`);
  if (!isOut && target._shape.some((s, i) => s > 1 && target._strides[i] === 0))
    throw new RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a single " +
      "memory location. Please clone() the tensor before performing the operation.");
  // ops that never promote (neg, abs, floor, ...) write only their own dtype
  if (sameOut && target.dtype !== resultDtype)
    throw new RuntimeError(`Found dtype ${SCALAR_TYPE_NAME[target.dtype]} but expected ${SCALAR_TYPE_NAME[resultDtype]}`);
  if (!canCast(resultDtype, target.dtype))
    throw new RuntimeError(`result type ${SCALAR_TYPE_NAME[computeDtype]} can't be cast to the desired output type ${SCALAR_TYPE_NAME[target.dtype]}`);
  if (isOut && (target._shape.length !== shape.length || target._shape.some((s, i) => s !== shape[i]))) target._resize(shape);
}

/** Writes `result` into `target` (casting), bumping its version. */
function writeInto(target: Tensor, result: Tensor): Tensor {
  if (result !== target) runElementwise("copy", target, [result]);
  target._bumpVersion();
  return target;
}

export interface ElementwiseSpec {
  kernel: string;
  /** dtype the kernel computes in, from the promoted dtype of the inputs. */
  compute?: (promoted: DType) => DType;
  /** dtype of the result, from the compute dtype (default: the same). */
  result?: (compute: DType) => DType;
  /** checks on the compute dtype (e.g. "not implemented for 'Bool'"), after shapes and the destination. */
  check?: (compute: DType, inputs: TensorOrScalar[]) => void;
  /** the destination must have the result dtype exactly (ops without type promotion: neg, abs, floor, ...). */
  sameOut?: boolean;
  scalars?: readonly number[];
  /** The derivative (autograd): PyTorch's node name and the backward formula. */
  grad?: ElementwiseGrad;
}

/**
 * An elementwise op's derivative. `backward` gets the output gradient, the inputs as the kernel
 * saw them (cast to the compute dtype; scalars as 0-dim tensors) and the output; it returns one
 * gradient per input (null for none) and may ignore broadcasting.
 */
export interface ElementwiseGrad {
  name: string;
  /** Save the inputs (version-checked) for backward; false when the formula needs only scalars/shapes. */
  saveInputs?: boolean;
  saveOutput?: boolean;
  backward: (g: Tensor, inputs: Tensor[], output: Tensor) => (Tensor | null)[];
}

/**
 * Runs an elementwise op: promote, broadcast, cast inputs to the compute dtype, run the kernel
 * into a fresh result, an in-place target (`inplace`: the first input) or `out`.
 */
export function elementwise(spec: ElementwiseSpec, inputs: TensorOrScalar[], opts: { inplace?: boolean; out?: Tensor } = NO_OPTS): Tensor {
  if (needsGrad(inputs)) return elementwiseWithGrad(spec, inputs, opts);
  if (opts.out === undefined && opts.inplace !== true) {
    const r = sameLayoutFast(spec, inputs);
    if (r !== null) return r;
  }
  return elementwiseNoGrad(spec, inputs, opts);
}

const NO_OPTS: { inplace?: boolean; out?: Tensor } = Object.freeze({});

/**
 * The common case without a destination: one or two tensors of one dtype and one shape, computed
 * in that dtype. Then promotion and broadcasting are no-ops and the result is a fresh tensor of
 * that shape; null when the general path is needed.
 */
function sameLayoutFast(spec: ElementwiseSpec, inputs: TensorOrScalar[]): Tensor | null {
  const n = inputs.length;
  if (n < 1 || n > 2) return null;
  const a = inputs[0];
  if (!(a instanceof Tensor)) return null;
  const dtype = a.dtype;
  if (n === 2) {
    const b = inputs[1];
    if (!(b instanceof Tensor) || b.dtype !== dtype) return null;
    const sa = a._shape, sb = b._shape;
    if (sa.length !== sb.length) return null;
    for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return null;
  }
  const compute = spec.compute ? spec.compute(dtype) : dtype;
  if (compute !== dtype) return null;
  const resultDtype = spec.result ? spec.result(compute) : compute;
  spec.check?.(compute, inputs);
  const out = Tensor._emptyUninit(a._shape, resultDtype);  // the kernel writes every element
  runElementwise(spec.kernel, out, inputs as Tensor[], spec.scalars);
  return out;
}

function elementwiseWithGrad(spec: ElementwiseSpec, inputs: TensorOrScalar[], opts: { inplace?: boolean; out?: Tensor }): Tensor {
  if (opts.out)
    throw new RuntimeError(`${spec.kernel}(): functions with out=... arguments don't support automatic differentiation, ` +
      "but one of the arguments requires grad.");
  if (opts.inplace) {
    const [target, ...rest] = inputs as [Tensor, ...TensorOrScalar[]];
    return inplace(target, rest, (self) => elementwiseWithGrad(spec, [self, ...rest], {}), () => elementwiseNoGrad(spec, inputs, opts));
  }
  let casted: Tensor[] = [];
  let out = sameLayoutFast(spec, inputs);
  if (out !== null) casted = inputs as Tensor[];
  else out = elementwiseNoGrad(spec, inputs, {}, (t) => { casted = t; });
  if (!out.isFloatingPoint()) return out;
  const grad = spec.grad;
  if (!grad) throw new RuntimeError(`the derivative for '${spec.kernel}' is not implemented.`);
  const tensorInputs = inputs.map((v) => (v instanceof Tensor ? v : null));
  return record(out, {
    name: grad.name,
    inputs: tensorInputs,
    save: [...(grad.saveInputs === false ? [] : casted), ...(grad.saveOutput ? [out] : [])],
    backward: ([g], saved) => {
      if (!g) return [];
      const xs = grad.saveInputs === false ? casted : saved.slice(0, casted.length);
      return grad.backward(g, xs, grad.saveOutput ? saved[saved.length - 1]! : out);
    },
  });
}

function elementwiseNoGrad(spec: ElementwiseSpec, inputs: TensorOrScalar[], opts: { inplace?: boolean; out?: Tensor },
  onInputs?: (casted: Tensor[]) => void): Tensor {
  const promoted = resultType(...inputs.map(operand));
  const compute = spec.compute ? spec.compute(promoted) : promoted;
  const resultDtype = spec.result ? spec.result(compute) : compute;
  let shape: number[] = [];
  for (const v of inputs) if (v instanceof Tensor) shape = broadcastShapes(shape, v._shape);
  const target = opts.inplace ? (inputs[0] as Tensor) : opts.out;
  if (target) destination(target, shape, compute, resultDtype, !opts.inplace, spec.sameOut ?? false);
  spec.check?.(compute, inputs);
  // scalars become 0-dim tensors; without grad (nothing keeps them) reused ones, per dtype and position
  const tensors = onInputs !== undefined ? inputs.map((v) => asOperand(v, compute))
    : inputs.map((v, k) => (v instanceof Tensor ? castTo(v, compute) : reusedScalar(v, compute, k)));
  onInputs?.(tensors);
  // write straight into the target when it has the result dtype and no input partially overlaps it
  const direct = target !== undefined && target.dtype === resultDtype &&
    tensors.every((t) => t._storage !== target._storage || (t._offset === target._offset && sameStrides(t, target)));
  const out = direct ? target : Tensor._emptyUninit(shape, resultDtype);
  runElementwise(spec.kernel, out, tensors, spec.scalars);
  return target ? writeInto(target, out) : out;
}

/** 0-dim tensors reused for scalar operands (a fresh one would cost an allocation per op). */
const reusedScalars: Map<DType, Tensor>[] = [];
function reusedScalar(v: Scalar, dtype: DType, k: number): Tensor {
  const byDtype = (reusedScalars[k] ??= new Map());
  let t = byDtype.get(dtype);
  if (t === undefined) { t = Tensor._empty([], dtype); byDtype.set(dtype, t); }
  return fillUnchecked(t, v);
}

function sameStrides(a: Tensor, b: Tensor): boolean {
  return a._shape.length === b._shape.length && a._strides.every((s, i) => s === b._strides[i]);
}

// ---- dtype rules ---------------------------------------------------------------------------------

/** Ops that compute in floating point: integers and bool promote to the default dtype. */
export const toFloat = (d: DType): DType => (isFloatingPoint(d) ? d : getDefaultDtype());
export const toBool = (): DType => "bool";

export function notBool(name: string) {
  return (d: DType): void => {
    if (d === "bool") throw new RuntimeError(`"${name}" not implemented for 'Bool'`);
  };
}
export function integralOnly(name: string, allowBool = true) {
  return (d: DType): void => {
    if (isFloatingPoint(d) || (!allowBool && d === "bool"))
      throw new RuntimeError(`"${name}" not implemented for '${SCALAR_TYPE_NAME[d]}'`);
  };
}
export function floatOnly(name: string) {
  return (d: DType): void => {
    if (!isFloatingPoint(d)) throw new RuntimeError(`"${name}" not implemented for '${SCALAR_TYPE_NAME[d]}'`);
  };
}
