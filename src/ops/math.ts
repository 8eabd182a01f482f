// SPDX-License-Identifier: BSD-3-Clause
// Pointwise math: unary, binary and ternary ops over broadcast, promoted inputs.
import { RuntimeError } from "../errors.js";
import { CPP_TYPE_NAME, type DType, SCALAR_TYPE_NAME, getDefaultDtype, isFloatingPoint, promoteTypes, resultType } from "../tensor/dtype.js";
import { broadcastShapes } from "../tensor/layout.js";
import { Tensor } from "../tensor/tensor.js";
import { checkScalarFits } from "./convert.js";
import {
  type ElementwiseGrad, type ElementwiseSpec, type OutOptions, type Scalar, type TensorOrScalar, asOperand, castTo, elementwise, floatOnly,
  integralOnly, notBool, toBool, toFloat,
} from "./elementwise.js";
import { runElementwise } from "./kernel.js";
import { needsGrad } from "../autograd/graph.js";
import { record } from "../autograd/record.js";

type Unary = (x: Tensor, opts?: OutOptions) => Tensor;

function unary(spec: ElementwiseSpec): { fn: Unary; inplace: (x: Tensor) => Tensor } {
  return {
    fn: (x, opts) => (opts?.out === undefined ? elementwise(spec, [x]) : elementwise(spec, [x], { out: opts.out })),
    inplace: (x) => elementwise(spec, [x], { inplace: true }),
  };
}

const floatUnary = (kernel: string, grad: ElementwiseGrad) => unary({ kernel, compute: toFloat, grad });
/** No type promotion: the result and any destination have the input's dtype. */
const sameUnary = (kernel: string, check?: (d: DType) => void, grad?: ElementwiseGrad) =>
  unary({ kernel, check, sameOut: true, grad });

// Derivative helpers. `x` is the input, `y` the output, `g` the output gradient.
type D1 = (g: Tensor, x: Tensor, y: Tensor) => Tensor;
const d = (name: string, f: D1, saveOutput = false): ElementwiseGrad =>
  ({ name, saveOutput, saveInputs: f.length >= 2, backward: (g, [x], y) => [f(g, x!, y)] });
const dOut = (name: string, f: (g: Tensor, y: Tensor) => Tensor): ElementwiseGrad =>
  ({ name, saveOutput: true, saveInputs: false, backward: (g, _xs, y) => [f(g, y)] });
const zeroGrad = (name: string): ElementwiseGrad =>
  ({ name, saveInputs: false, backward: (g) => [g.mul(0)] });
const LN2 = Math.LN2, LN10 = Math.LN10, TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

export const { fn: exp, inplace: exp_ } = floatUnary("exp", dOut("ExpBackward0", (g, y) => g.mul(y)));
export const { fn: exp2, inplace: exp2_ } = floatUnary("exp2", dOut("Exp2Backward0", (g, y) => g.mul(y).mul(LN2)));
export const { fn: expm1, inplace: expm1_ } = floatUnary("expm1", dOut("Expm1Backward0", (g, y) => g.mul(y.add(1))));
export const { fn: log, inplace: log_ } = floatUnary("log", d("LogBackward0", (g, x) => g.div(x)));
export const { fn: log2, inplace: log2_ } = floatUnary("log2", d("Log2Backward0", (g, x) => g.div(x.mul(LN2))));
export const { fn: log10, inplace: log10_ } = floatUnary("log10", d("Log10Backward0", (g, x) => g.div(x.mul(LN10))));
export const { fn: log1p, inplace: log1p_ } = floatUnary("log1p", d("Log1PBackward0", (g, x) => g.div(x.add(1))));
export const { fn: sqrt, inplace: sqrt_ } = floatUnary("sqrt", dOut("SqrtBackward0", (g, y) => g.div(y.mul(2))));
export const { fn: rsqrt, inplace: rsqrt_ } = floatUnary("rsqrt", dOut("RsqrtBackward0", (g, y) => g.mul(y.pow(3)).mul(-0.5)));
export const { fn: sin, inplace: sin_ } = floatUnary("sin", d("SinBackward0", (g, x) => g.mul(x.cos())));
export const { fn: cos, inplace: cos_ } = floatUnary("cos", d("CosBackward0", (g, x) => g.mul(x.sin().neg())));
export const { fn: tan, inplace: tan_ } = floatUnary("tan", dOut("TanBackward0", (g, y) => g.mul(y.mul(y).add(1))));
export const { fn: asin, inplace: asin_ } = floatUnary("asin", d("AsinBackward0", (g, x) => g.div(x.mul(x).neg().add(1).sqrt())));
export const { fn: acos, inplace: acos_ } = floatUnary("acos", d("AcosBackward0", (g, x) => g.div(x.mul(x).neg().add(1).sqrt()).neg()));
export const { fn: atan, inplace: atan_ } = floatUnary("atan", d("AtanBackward0", (g, x) => g.div(x.mul(x).add(1))));
export const { fn: sinh, inplace: sinh_ } = floatUnary("sinh", d("SinhBackward0", (g, x) => g.mul(x.cosh())));
export const { fn: cosh, inplace: cosh_ } = floatUnary("cosh", d("CoshBackward0", (g, x) => g.mul(x.sinh())));
export const { fn: tanh, inplace: tanh_ } = floatUnary("tanh", dOut("TanhBackward0", (g, y) => g.mul(y.mul(y).neg().add(1))));
export const { fn: asinh, inplace: asinh_ } = floatUnary("asinh", d("AsinhBackward0", (g, x) => g.div(x.mul(x).add(1).sqrt())));
export const { fn: acosh, inplace: acosh_ } = floatUnary("acosh", d("AcoshBackward0", (g, x) => g.div(x.mul(x).sub(1).sqrt())));
export const { fn: atanh, inplace: atanh_ } = floatUnary("atanh", d("AtanhBackward0", (g, x) => g.div(x.mul(x).neg().add(1))));
export const { fn: sigmoid, inplace: sigmoid_ } = floatUnary("sigmoid", dOut("SigmoidBackward0", (g, y) => g.mul(y).mul(y.neg().add(1))));
export const { fn: erf, inplace: erf_ } = floatUnary("erf", d("ErfBackward0", (g, x) => g.mul(x.mul(x).neg().exp()).mul(TWO_OVER_SQRT_PI)));
export const { fn: erfc, inplace: erfc_ } = floatUnary("erfc", d("ErfcBackward0", (g, x) => g.mul(x.mul(x).neg().exp()).mul(-TWO_OVER_SQRT_PI)));
export const { fn: erfinv, inplace: erfinv_ } = floatUnary("erfinv", dOut("ErfinvBackward0", (g, y) => g.mul(y.mul(y).exp()).mul(Math.sqrt(Math.PI) / 2)));
export const { fn: reciprocal, inplace: reciprocal_ } = floatUnary("reciprocal", dOut("ReciprocalBackward0", (g, y) => g.mul(y.mul(y)).neg()));
export const { fn: lgamma, inplace: lgamma_ } = floatUnary("lgamma", d("LgammaBackward0", (g, x) => g.mul(digamma(x))));
export const { fn: frac, inplace: frac_ } = unary({ kernel: "frac", check: floatOnly("frac_cpu"), sameOut: true, grad: d("FracBackward0", (g) => g) });
export const { fn: neg, inplace: neg_ } = sameUnary("neg", (d) => {
  if (d === "bool")
    throw new RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to " +
      "invert a mask, use the `~` or `logical_not()` operator instead.");
}, d("NegBackward0", (g) => g.neg()));
export const { fn: abs, inplace: abs_ } = sameUnary("abs", notBool("abs_cpu"), d("AbsBackward0", (g, x) => g.mul(x.sign())));
export const { fn: sign, inplace: sign_ } = sameUnary("sign", undefined, zeroGrad("SignBackward0"));
// square is pow(x, 2): bool squares to int64
export const { fn: square, inplace: square_ } = unary({
  kernel: "square", compute: (dt) => (dt === "bool" ? "int64" : dt), sameOut: true, grad: d("PowBackward0", (g, x) => g.mul(x).mul(2)),
});
export const { fn: floor, inplace: floor_ } = sameUnary("floor", notBool("floor_vml_cpu"), zeroGrad("FloorBackward0"));
export const { fn: ceil, inplace: ceil_ } = sameUnary("ceil", notBool("ceil_vml_cpu"), zeroGrad("CeilBackward0"));
export const { fn: trunc, inplace: trunc_ } = sameUnary("trunc", notBool("trunc_vml_cpu"), zeroGrad("TruncBackward0"));
// d relu = 0 where y <= 0 (zero at the kink) and g elsewhere, NaN included, as PyTorch's threshold_backward
export const { fn: relu, inplace: relu_ } = sameUnary("relu", (dt) => {
  if (dt === "bool") throw new RuntimeError("Boolean inputs not supported for relu");
}, dOut("ReluBackward0", (g, y) => (!needsGrad([g, y]) && y.isFloatingPoint() && g.dtype === y.dtype
  ? elementwise(RELU_BACKWARD, [g, y])  // one native pass; the where() form stays for double backward
  : where(y.le(0), 0, g))));
const RELU_BACKWARD: ElementwiseSpec = { kernel: "thresholdBackward", scalars: [0, 0] };

/**
 * digamma(x) = d/dx lgamma(x), for lgamma's derivative, built from differentiable ops (so its own
 * derivative comes free): the recurrence psi(x) = psi(x + 10) - sum_{k<10} 1/(x + k) and the
 * asymptotic series at x + 10 >= 10 (error < 1e-14); reflection psi(x) = psi(1 - x) - pi / tan(pi x)
 * below 1/2. Computed in float64. Abramowitz & Stegun 6.3.5, 6.3.7, 6.3.18.
 */
function digamma(x: Tensor): Tensor {
  const xd = x.to("float64");
  const positive = (v: Tensor): Tensor => {
    let shift = v.reciprocal();
    for (let k = 1; k < 10; k++) shift = shift.add(v.add(k).reciprocal());
    const y = v.add(10), y2 = y.mul(y).reciprocal();
    // 1/(12y^2) - 1/(120y^4) + 1/(252y^6) - 1/(240y^8) + 1/(132y^10) - 691/(32760y^12)
    let series = y2.mul(-691 / 32760);
    for (const c of [1 / 132, -1 / 240, 1 / 252, -1 / 120, 1 / 12]) series = series.add(c).mul(y2);
    return y.log().sub(y.reciprocal().mul(0.5)).sub(series).sub(shift);
  };
  const reflect = xd.lt(0.5);
  const direct = positive(where(reflect, xd.neg().add(1), xd));
  const r = where(reflect, direct.sub(xd.mul(Math.PI).tan().reciprocal().mul(Math.PI)), direct);
  return r.to(x.dtype);
}
export const { fn: bitwiseNot, inplace: bitwiseNot_ } = sameUnary("bitwiseNot", integralOnly("bitwise_not_cpu"));
export const { fn: logicalNot, inplace: logicalNot_ } = unary({ kernel: "logicalNot", result: toBool });

const predicate = (kernel: string) => (x: Tensor): Tensor =>
  isFloatingPoint(x.dtype) ? elementwise({ kernel, result: toBool }, [x])
    : elementwise({ kernel: "fill", result: toBool, scalars: [kernel === "isfinite" ? 1 : 0] }, [x]);
export const isnan = predicate("isnan");
export const isinf = predicate("isinf");
export const isfinite = predicate("isfinite");
export const isposinf = predicate("isposinf");
export const isneginf = predicate("isneginf");
export const signbit = (x: Tensor): Tensor =>
  isFloatingPoint(x.dtype) ? elementwise({ kernel: "signbit", result: toBool }, [x]) : lt(x, 0);

/** round half to even; with `decimals`, as torch.round(x, decimals=d). */
function roundSpec(decimals: number): ElementwiseSpec {
  return decimals === 0 ? { kernel: "round", check: notBool("round_vml_cpu"), sameOut: true, grad: zeroGrad("RoundBackward0") }
    : { kernel: "roundDecimals", scalars: [decimals], check: floatOnly("round_cpu"), sameOut: true, grad: zeroGrad("RoundBackward1") };
}
export function round(x: Tensor, opts: { decimals?: number } & OutOptions = {}): Tensor {
  return elementwise(roundSpec(opts.decimals ?? 0), [x], { out: opts.out });
}
export function round_(x: Tensor, opts: { decimals?: number } = {}): Tensor {
  return elementwise(roundSpec(opts.decimals ?? 0), [x], { inplace: true });
}

const FINFO_MAX: Partial<Record<DType, number>> = {
  float32: 3.4028234663852886e38, float64: Number.MAX_VALUE, float16: 65504, bfloat16: 3.3895313892515355e38,
};
type NanToNumOptions = { nan?: number; posinf?: number | null; neginf?: number | null };
/** torch.nanToNum(x, nan?, posinf?, neginf?), the numbers also as options: torch.nanToNum(x, { nan: 1 }). */
export function nanToNum(x: Tensor, nan: number | NanToNumOptions = 0, posinf?: number | null, neginf?: number | null, inplace = false): Tensor {
  if (typeof nan === "object") return nanToNum(x, nan.nan ?? 0, nan.posinf, nan.neginf, inplace);
  if (!isFloatingPoint(x.dtype)) return inplace ? x : x.clone();
  const max = FINFO_MAX[x.dtype]!;
  const spec = { kernel: "nanToNum", scalars: [nan, posinf ?? max, neginf ?? -max], grad: d("NanToNumBackward0", (g, v) => g.mul(v.isfinite())) };
  return elementwise(spec, [x], { inplace });
}

// ---- binary -----------------------------------------------------------------------------------------

type BinaryOpts = OutOptions & { alpha?: number };

function checkSubBool(a: TensorOrScalar, b: TensorOrScalar): void {
  const isBool = (v: TensorOrScalar) => (v instanceof Tensor ? v.dtype === "bool" : typeof v === "boolean");
  if (isBool(a) && isBool(b))
    throw new RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or " +
      "`logical_xor()` operator instead.");
  if (isBool(b) || isBool(a))
    throw new RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying " +
      "to invert a mask, use the `~` or `logical_not()` operator instead.");
}

function checkAlpha(alpha: number, d: DType): void {
  if (!isFloatingPoint(d) && !Number.isInteger(alpha))
    throw new RuntimeError("For integral input tensors, argument alpha must not be a floating point number.");
}
function addSpec(alpha: number): ElementwiseSpec {
  return {
    kernel: "add", scalars: [alpha], check: (dt) => checkAlpha(alpha, dt),
    grad: { name: "AddBackward0", saveInputs: false, backward: (g) => [g, alpha === 1 ? g : g.mul(alpha)] },
  };
}
function subSpec(a: TensorOrScalar, b: TensorOrScalar, alpha: number, name = "SubBackward0"): ElementwiseSpec {
  return {
    kernel: "sub", scalars: [alpha], check: (dt) => { checkSubBool(a, b); checkAlpha(alpha, dt); },
    grad: { name, saveInputs: false, backward: (g) => [g, g.mul(-alpha)] },
  };
}
// alpha = 1, the common case: one spec for all calls
const ADD_1 = addSpec(1);
const INPLACE = Object.freeze({ inplace: true });
export function add(a: TensorOrScalar, b: TensorOrScalar, opts?: BinaryOpts): Tensor {
  if (opts === undefined) return elementwise(ADD_1, [a, b]);
  const alpha = opts.alpha === undefined ? 1 : Number(opts.alpha);
  return elementwise(alpha === 1 ? ADD_1 : addSpec(alpha), [a, b], { out: opts.out });
}
export function add_(a: Tensor, b: TensorOrScalar, opts?: { alpha?: number }): Tensor {
  const alpha = opts?.alpha === undefined ? 1 : Number(opts.alpha);
  return elementwise(alpha === 1 ? ADD_1 : addSpec(alpha), [a, b], INPLACE);
}
export function sub(a: TensorOrScalar, b: TensorOrScalar, opts: BinaryOpts = {}): Tensor {
  return elementwise(subSpec(a, b, Number(opts.alpha ?? 1)), [a, b], { out: opts.out });
}
export function sub_(a: Tensor, b: TensorOrScalar, opts: { alpha?: number } = {}): Tensor {
  return elementwise(subSpec(a, b, Number(opts.alpha ?? 1)), [a, b], { inplace: true });
}
/** rsub(a, b) = b - alpha * a */
export function rsub(a: TensorOrScalar, b: TensorOrScalar, opts: BinaryOpts = {}): Tensor {
  const alpha = Number(opts.alpha ?? 1);
  return elementwise(subSpec(b, a, alpha, b instanceof Tensor ? "RsubBackward0" : "RsubBackward1"), [b, a], { out: opts.out });
}

type Binary = (a: TensorOrScalar, b: TensorOrScalar, opts?: OutOptions) => Tensor;
function binary(spec: ElementwiseSpec): { fn: Binary; inplace: (a: Tensor, b: TensorOrScalar) => Tensor } {
  return {
    fn: (a, b, opts) => (opts?.out === undefined ? elementwise(spec, [a, b]) : elementwise(spec, [a, b], { out: opts.out })),
    inplace: (a, b) => elementwise(spec, [a, b], INPLACE),
  };
}

function checkIntDivisor(name: string) {
  return (d: DType, inputs: TensorOrScalar[]): void => {
    if (d === "bool") throw new RuntimeError(`"${name}" not implemented for 'Bool'`);
    if (isFloatingPoint(d)) return;
    const b = inputs[1]!;
    const zero = b instanceof Tensor ? (b.numel() > 0 && eq(b, 0).any().item() === true) : Number(b) === 0;
    if (zero) throw new RuntimeError("ZeroDivisionError");
  };
}

// maximum/minimum: the gradient goes to the larger (smaller) input, split evenly on ties; where
// either is NaN both get it (PyTorch masks only where one input strictly loses)
function extremumGrad(name: string, isMax: boolean): ElementwiseGrad {
  return {
    name, backward: (g, [a, b]) => {
      const half = where(a!.eq(b!), g.div(2), g);
      return [where(isMax ? a!.lt(b!) : a!.gt(b!), 0, half), where(isMax ? a!.gt(b!) : a!.lt(b!), 0, half)];
    },
  };
}
// fmax/fmin: all to the chosen input (NaN loses)
function fextremumGrad(name: string, isMax: boolean): ElementwiseGrad {
  return {
    name, backward: (g, [a, b]) => {
      const takeA = logicalOr(isMax ? a!.ge(b!) : a!.le(b!), b!.isnan());
      return [g.mul(takeA), g.mul(takeA.logicalNot())];
    },
  };
}

export const { fn: mul, inplace: mul_ } = binary({ kernel: "mul", grad: { name: "MulBackward0", backward: (g, [a, b]) => [g.mul(b!), g.mul(a!)] } });
/** A binary op whose node name says whether the other operand is a tensor (1) or a scalar (0). */
function binaryByOperand(spec: (other: TensorOrScalar) => ElementwiseSpec): { fn: Binary; inplace: (a: Tensor, b: TensorOrScalar) => Tensor } {
  return {
    fn: (a, b, opts) => elementwise(spec(b), [a, b], { out: opts?.out }),
    inplace: (a, b) => elementwise(spec(b), [a, b], { inplace: true }),
  };
}
const operandNr = (b: TensorOrScalar): string => (b instanceof Tensor ? "1" : "0");
export const { fn: remainder, inplace: remainder_ } = binaryByOperand((o) => ({
  kernel: "remainder", check: checkIntDivisor("remainder_cpu"),
  grad: { name: "RemainderBackward" + operandNr(o), backward: (g, [a, b]) => [g, g.mul(a!.div(b!, { roundingMode: "floor" })).neg()] },
}));
export const { fn: fmod, inplace: fmod_ } = binaryByOperand((o) => ({
  kernel: "fmod", check: checkIntDivisor("fmod_cpu"),
  grad: { name: "FmodBackward" + operandNr(o), backward: (g, [a, b]) => [g, g.mul(a!.div(b!, { roundingMode: "trunc" })).neg()] },
}));
export const { fn: atan2, inplace: atan2_ } = binary({ kernel: "atan2", compute: toFloat, grad: { name: "Atan2Backward0", backward: (g, [a, b]) => { const r = a!.mul(a!).add(b!.mul(b!)); return [g.mul(b!).div(r), g.mul(a!).div(r).neg()]; } } });
// hypot and logaddexp do not promote integers to floating point: they refuse them
export const { fn: hypot, inplace: hypot_ } = binary({ kernel: "hypot", check: floatOnly("hypot_cpu"), grad: { name: "HypotBackward0", saveOutput: true, backward: (g, [a, b], y) => [g.mul(a!).div(y), g.mul(b!).div(y)] } });
// d/da copysign(a, b) = y / a (0 where a = 0); b gets a zero gradient (PyTorch's copysign_tensor_self_backward)
export const { fn: copysign, inplace: copysign_ } = binaryByOperand((o) => ({
  kernel: "copysign", compute: toFloat,
  grad: {
    name: o instanceof Tensor ? "CopysignBackward0" : "CopysignBackward1", saveOutput: true,
    backward: (g, [a, b], y) => [g.mul(where(a!.eq(0), 0, y.div(a!))), b!.newZeros(b!._shape)],
  },
}));
export const { fn: logaddexp } = binary({ kernel: "logaddexp", check: floatOnly("logaddexp_cpu"), grad: { name: "LogaddexpBackward0", backward: (g, [a, b]) => [g.div(b!.sub(a!).exp().add(1)), g.div(a!.sub(b!).exp().add(1))] } });
export const { fn: logaddexp2 } = binary({ kernel: "logaddexp2", check: floatOnly("logaddexp2_cpu"), grad: { name: "Logaddexp2Backward0", backward: (g, [a, b]) => [g.div(b!.sub(a!).exp2().add(1)), g.div(a!.sub(b!).exp2().add(1))] } });
export const { fn: maximum } = binary({ kernel: "maximum", grad: extremumGrad("MaximumBackward0", true) });
export const { fn: minimum } = binary({ kernel: "minimum", grad: extremumGrad("MinimumBackward0", false) });
export const { fn: fmax } = binary({ kernel: "fmax", grad: fextremumGrad("FmaxBackward0", true) });
export const { fn: fmin } = binary({ kernel: "fmin", grad: fextremumGrad("FminBackward0", false) });
export const { fn: bitwiseAnd, inplace: bitwiseAnd_ } = binary({ kernel: "bitwiseAnd", check: integralOnly("bitwise_and_cpu") });
export const { fn: bitwiseOr, inplace: bitwiseOr_ } = binary({ kernel: "bitwiseOr", check: integralOnly("bitwise_or_cpu") });
export const { fn: bitwiseXor, inplace: bitwiseXor_ } = binary({ kernel: "bitwiseXor", check: integralOnly("bitwise_xor_cpu") });
export const { fn: bitwiseLeftShift, inplace: bitwiseLeftShift_ } = binary({ kernel: "bitwiseLeftShift", check: integralOnly("lshift_cpu", false) });
export const { fn: bitwiseRightShift, inplace: bitwiseRightShift_ } = binary({ kernel: "bitwiseRightShift", check: integralOnly("rshift_cpu", false) });
export const { fn: eq, inplace: eq_ } = binary({ kernel: "eq", result: toBool });
export const { fn: ne, inplace: ne_ } = binary({ kernel: "ne", result: toBool });
export const { fn: lt, inplace: lt_ } = binary({ kernel: "lt", result: toBool });
export const { fn: le, inplace: le_ } = binary({ kernel: "le", result: toBool });
export const { fn: gt, inplace: gt_ } = binary({ kernel: "gt", result: toBool });
export const { fn: ge, inplace: ge_ } = binary({ kernel: "ge", result: toBool });
export const { fn: logicalAnd, inplace: logicalAnd_ } = binary({ kernel: "logicalAnd", result: toBool });
export const { fn: logicalOr, inplace: logicalOr_ } = binary({ kernel: "logicalOr", result: toBool });
export const { fn: logicalXor, inplace: logicalXor_ } = binary({ kernel: "logicalXor", result: toBool });

export type RoundingMode = "trunc" | "floor" | null;
function divSpec(mode: RoundingMode | undefined): ElementwiseSpec {
  const zero: ElementwiseGrad = { name: "DivBackward2", saveInputs: false, backward: (g) => [g.mul(0), g.mul(0)] };
  if (mode === "trunc") return { kernel: "divTrunc", check: checkIntDivisor("div_trunc_cpu"), grad: zero };
  if (mode === "floor") return { kernel: "divFloor", check: checkIntDivisor("div_floor_cpu"), grad: zero };
  if (mode === null || mode === undefined)
    return {
      kernel: "div", compute: toFloat,
      grad: { name: "DivBackward0", backward: (g, [a, b]) => [g.div(b!), g.mul(a!).div(b!.mul(b!)).neg()] },
    };
  throw new RuntimeError(`div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '${String(mode)}'`);
}
export function div(a: TensorOrScalar, b: TensorOrScalar, opts: OutOptions & { roundingMode?: RoundingMode } = {}): Tensor {
  return elementwise(divSpec(opts.roundingMode), [a, b], { out: opts.out });
}
export function div_(a: Tensor, b: TensorOrScalar, opts: { roundingMode?: RoundingMode } = {}): Tensor {
  return elementwise(divSpec(opts.roundingMode), [a, b], { inplace: true });
}
export const trueDivide = (a: TensorOrScalar, b: TensorOrScalar, opts?: OutOptions): Tensor => div(a, b, opts);
export const trueDivide_ = (a: Tensor, b: TensorOrScalar): Tensor => div_(a, b);
// PyTorch 1.13 has no derivative for floor_divide: its node refuses at backward time
const floorDivideSpec = (): ElementwiseSpec => ({
  ...divSpec("floor"),
  grad: {
    name: "NotImplemented", saveInputs: false,
    backward: () => { throw new RuntimeError("derivative for aten::floor_divide is not implemented"); },
  },
});
export const floorDivide = (a: TensorOrScalar, b: TensorOrScalar, opts?: OutOptions): Tensor =>
  elementwise(floorDivideSpec(), [a, b], { out: opts?.out });
export const floorDivide_ = (a: Tensor, b: TensorOrScalar): Tensor => elementwise(floorDivideSpec(), [a, b], { inplace: true });

function powCheck(d: DType, inputs: TensorOrScalar[]): void {
  if (d === "bool") throw new RuntimeError(`"pow" not implemented for 'Bool'`);
  // only a scalar exponent is checked; a tensor of negative exponents gives 0 (or +-1 for bases +-1)
  const e = inputs[1]!;
  if (!isFloatingPoint(d) && !(e instanceof Tensor) && Number(e) < 0)
    throw new RuntimeError("Integers to negative integer powers are not allowed.");
}
/** d/dx x^e = e x^(e-1) (0 where e = 0); d/de x^e = x^e log x (0 where x = 0 and e >= 0). */
function powGrad(a: TensorOrScalar, b: TensorOrScalar): ElementwiseGrad {
  const name = !(b instanceof Tensor) ? "PowBackward0" : a instanceof Tensor ? "PowBackward1" : "PowBackward2";
  // a scalar exponent of 0 gives zeros outright, so second derivatives see no 0 * inf (PyTorch's pow_backward)
  const zeroExponent = !(b instanceof Tensor) && Number(b) === 0;
  return {
    name, saveOutput: true,
    backward: (g, [x, e], y) => [
      zeroExponent ? g.newZeros(g._shape) : where(e!.eq(0), 0, g.mul(e!).mul(x!.pow(e!.sub(1)))),
      where(logicalAnd(x!.eq(0), e!.ge(0)), 0, g.mul(y).mul(x!.log())),
    ],
  };
}
export function pow(a: TensorOrScalar, b: TensorOrScalar, opts: OutOptions = {}): Tensor {
  return elementwise({ kernel: "pow", check: powCheck, grad: powGrad(a, b) }, [a, b], { out: opts.out });
}
export function pow_(a: Tensor, b: TensorOrScalar): Tensor {
  return elementwise({ kernel: "pow", check: powCheck, grad: powGrad(a, b) }, [a, b], { inplace: true });
}
/** pow computed in float64; `out` and an in-place base must be float64 already. */
export function floatPower(a: TensorOrScalar, b: TensorOrScalar, opts: OutOptions = {}): Tensor {
  if (opts.out && opts.out.dtype !== "float64")
    throw new RuntimeError(`the output given to float_power has dtype ${SCALAR_TYPE_NAME[opts.out.dtype]} but the ` +
      "operation's result requires dtype Double");
  return elementwise({ kernel: "pow", compute: () => "float64", grad: powGrad(a, b) }, [a, b], { out: opts.out });
}
export function floatPower_(a: Tensor, b: TensorOrScalar): Tensor {
  if (a.dtype !== "float64")
    throw new RuntimeError(`the base given to float_power_ has dtype ${SCALAR_TYPE_NAME[a.dtype]} but the ` +
      "operation's result requires dtype Double");
  return elementwise({ kernel: "pow", compute: () => "float64", grad: powGrad(a, b) }, [a, b], { inplace: true });
}

// ---- ternary --------------------------------------------------------------------------------------

/** where(condition, input, other): elements of input where condition, else other. */
export function where(condition: Tensor, input: TensorOrScalar, other: TensorOrScalar, opts: OutOptions = {}): Tensor {
  if (condition.dtype !== "bool" && condition.dtype !== "uint8")
    throw new RuntimeError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${SCALAR_TYPE_NAME[condition.dtype]}`);
  const operands = [input, other].map((v) => (v instanceof Tensor ? { dtype: v.dtype, ndim: v.ndim } : v));
  const dtype = resultType(...operands);
  let shape = condition._shape as number[];
  for (const v of [input, other]) if (v instanceof Tensor) shape = broadcastShapes(shape, v._shape);
  const cond = condition.dtype === "bool" ? condition : condition.to("bool");
  const out = opts.out ?? Tensor._empty(shape, dtype);
  if (opts.out && (opts.out.dtype !== dtype || opts.out._shape.join() !== shape.join())) {
    const r = where(condition, input, other);
    opts.out._resize(shape);
    runElementwise("copy", opts.out, [r]);
    return opts.out;
  }
  for (const v of [input, other]) if (!(v instanceof Tensor)) checkScalarFits(v, dtype);
  if (opts.out && needsGrad([input, other]))
    throw new RuntimeError("where(): functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad.");
  runElementwise("where", out, [cond, asOperand(input, dtype), asOperand(other, dtype)]);
  return record(out, {
    name: "WhereBackward0",
    inputs: [input instanceof Tensor ? input : null, other instanceof Tensor ? other : null],
    save: [cond],
    backward: ([g], [c]) => [where(c!, g!, 0), where(c!, 0, g!)],
  });
}

/** lerp does not promote: end (and a tensor weight) must have start's dtype. */
function lerpSpec(start: Tensor, end: Tensor, weight: TensorOrScalar): ElementwiseSpec {
  for (const [name, t] of [["end", end], ["weight", weight]] as const)
    if (t instanceof Tensor && t.dtype !== start.dtype)
      throw new RuntimeError(`expected dtype ${CPP_TYPE_NAME[start.dtype]} for \`${name}\` but got dtype ${CPP_TYPE_NAME[t.dtype]}`);
  const kernelName = weight instanceof Tensor ? "lerp_kernel_tensor" : "lerp_kernel_scalar";
  return {
    kernel: "lerp", compute: () => start.dtype, check: () => floatOnly(kernelName)(start.dtype),
    grad: {
      name: weight instanceof Tensor ? "LerpBackward1" : "LerpBackward0",
      backward: (g, [a, b, w]) => [g.mul(w!.neg().add(1)), g.mul(w!), g.mul(b!.sub(a!))],
    },
  };
}
export function lerp(start: Tensor, end: Tensor, weight: TensorOrScalar, opts: OutOptions = {}): Tensor {
  return elementwise(lerpSpec(start, end, weight), [start, end, weight], { out: opts.out });
}
export function lerp_(start: Tensor, end: Tensor, weight: TensorOrScalar): Tensor {
  return elementwise(lerpSpec(start, end, weight), [start, end, weight], { inplace: true });
}
function addcmulSpec(value: number): ElementwiseSpec {
  return {
    kernel: "addcmul", scalars: [value], check: notBool("addcmul_cpu_out"),
    grad: { name: "AddcmulBackward0", backward: (g, [, a, b]) => [g, g.mul(b!).mul(value), g.mul(a!).mul(value)] },
  };
}
export function addcmul(input: Tensor, t1: Tensor, t2: Tensor, opts: OutOptions & { value?: number } = {}): Tensor {
  return elementwise(addcmulSpec(opts.value ?? 1), [input, t1, t2], { out: opts.out });
}
export function addcmul_(input: Tensor, t1: Tensor, t2: Tensor, opts: { value?: number } = {}): Tensor {
  return elementwise(addcmulSpec(opts.value ?? 1), [input, t1, t2], { inplace: true });
}
function addcdivCheck(d: DType): void {
  if (!isFloatingPoint(d))
    // sic: PyTorch's message has two spaces before "release"
    throw new RuntimeError("Integer division with addcdiv is no longer supported, and in a future  release addcdiv " +
      "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as " +
      "(input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * " +
      "tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: (input + " +
      "value * tensor1 / tensor2), for all dtypes.");
}
function addcdivSpec(value: number): ElementwiseSpec {
  return {
    kernel: "addcdiv", scalars: [value], check: addcdivCheck,
    grad: {
      name: "AddcdivBackward0",
      backward: (g, [, a, b]) => [g, g.mul(value).div(b!), g.mul(a!).mul(-value).div(b!.mul(b!))],
    },
  };
}
export function addcdiv(input: Tensor, t1: Tensor, t2: Tensor, opts: OutOptions & { value?: number } = {}): Tensor {
  return elementwise(addcdivSpec(opts.value ?? 1), [input, t1, t2], { out: opts.out });
}
export function addcdiv_(input: Tensor, t1: Tensor, t2: Tensor, opts: { value?: number } = {}): Tensor {
  return elementwise(addcdivSpec(opts.value ?? 1), [input, t1, t2], { inplace: true });
}

type Bound = TensorOrScalar | null | undefined;
/** The bounds an integer dtype can hold: a missing tensor bound clamps nothing. */
const INT_RANGE: Partial<Record<DType, [Scalar, Scalar]>> = {
  uint8: [0, 255], int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
};
/** `name`: the node's name without its number ("ClampMin" for clamp_min; clamp's by default). */
function clampImpl(x: Tensor, min: Bound, max: Bound, inplace: boolean, out?: Tensor, name = "Clamp"): Tensor {
  if ((min === null || min === undefined) && (max === null || max === undefined))
    throw new RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  if (min instanceof Tensor || max instanceof Tensor) {
    if (x.dtype === "bool") throw new RuntimeError('"clamp_cpu" not implemented for \'Bool\'');
    const tensors = [x, min, max].filter((v): v is Tensor => v instanceof Tensor);
    const promoted = resultType(...tensors.map((v) => ({ dtype: v.dtype, ndim: v.ndim })));
    const [lo, hi] = isFloatingPoint(promoted) ? [-Infinity, Infinity] : INT_RANGE[promoted]!;
    // the gradient goes to x inside [min, max], to the bound that clamped it outside
    const grad: ElementwiseGrad = {
      name: `${name}Backward${name === "Clamp" ? 0 : 1}`,
      backward: (g, [v, l, h]) => {
        const inside = logicalAnd(v!.ge(l!), v!.le(h!));
        // min == max with x outside gives no gradient to anyone, as PyTorch's clamp_backward_min_max
        return [g.mul(inside), g.mul(logicalAnd(v!.lt(l!), l!.lt(h!))), g.mul(logicalOr(v!.gt(h!), l!.gt(h!)))];
      },
    };
    return elementwise({ kernel: "clampTensor", compute: () => promoted, grad }, [x, min ?? lo, max ?? hi], { inplace, out });
  }
  const scalars = [Number(min ?? 0), Number(max ?? 0), min === null || min === undefined ? 0 : 1, max === null || max === undefined ? 0 : 1];
  const bounds = [min, max].filter((v): v is Scalar => v !== null && v !== undefined);
  return elementwise({
    kernel: "clamp", scalars,
    check: (d) => {
      notBool("clamp_cpu")(d);
      for (const v of bounds) checkScalarFits(v, d);
    },
    compute: (d) => bounds.reduce<DType>((acc, v) => resultType({ dtype: acc, ndim: 1 }, v), d),
    grad: d1ClampGrad(min, max, `${name}Backward${name === "Clamp" ? 1 : 0}`),
  }, [x], { inplace, out });
}
function d1ClampGrad(min: Bound, max: Bound, name: string): ElementwiseGrad {
  return d(name, (g, v) => {
    let keep = v.eq(v);  // NaN inputs pass no gradient
    if (min !== null && min !== undefined) keep = logicalAnd(keep, v.ge(min));
    if (max !== null && max !== undefined) keep = logicalAnd(keep, v.le(max));
    return g.mul(keep);
  });
}
export function clamp(x: Tensor, min?: Bound, max?: Bound, opts: OutOptions = {}): Tensor {
  return clampImpl(x, min, max, false, opts.out);
}
export function clamp_(x: Tensor, min?: Bound, max?: Bound): Tensor {
  return clampImpl(x, min, max, true);
}
export const clip = clamp;
export const clip_ = clamp_;
export const clampMin = (x: Tensor, min: TensorOrScalar): Tensor => clampImpl(x, min, null, false, undefined, "ClampMin");
export const clampMax = (x: Tensor, max: TensorOrScalar): Tensor => clampImpl(x, null, max, false, undefined, "ClampMax");

// ---- comparisons that return booleans or tensors ---------------------------------------------------

/** |a - b| <= atol + rtol * |b|, computed as PyTorch does (integers too; bool as the default dtype). */
export function isclose(a: Tensor, b: TensorOrScalar, opts: { rtol?: number; atol?: number; equalNan?: boolean } = {}): Tensor {
  const rtol = opts.rtol ?? 1e-5, atol = opts.atol ?? 1e-8;
  const bt = b instanceof Tensor ? b : asOperand(b, a.dtype);
  if (a.dtype !== bt.dtype)
    throw new RuntimeError(`${SCALAR_TYPE_NAME[a.dtype]} did not match ${SCALAR_TYPE_NAME[bt.dtype]}`);
  let close = eq(a, bt);
  if (opts.equalNan && isFloatingPoint(a.dtype)) close = logicalOr(close, logicalAnd(isnan(a), isnan(bt)));
  if (rtol === 0 && atol === 0) return close;
  const x = a.dtype === "bool" ? castTo(a, getDefaultDtype()) : a, y = bt.dtype === "bool" ? castTo(bt, getDefaultDtype()) : bt;
  const allowed = add(abs(mul(y, rtol)), atol);
  const actual = abs(sub(x, y));
  return logicalOr(close, logicalAnd(isfinite(actual), le(actual, allowed)));
}
export function allclose(a: Tensor, b: TensorOrScalar, opts: { rtol?: number; atol?: number; equalNan?: boolean } = {}): boolean {
  return isclose(a, b, opts).all().item() as boolean;
}
/** torch.equal: same shape and the same elements. */
export function equal(a: Tensor, b: Tensor): boolean {
  if (a._shape.length !== b._shape.length || a._shape.some((s, i) => s !== b._shape[i])) return false;
  const d = promoteTypes(a.dtype, b.dtype);
  return eq(a.to(d), b.to(d)).all().item() as boolean;
}
