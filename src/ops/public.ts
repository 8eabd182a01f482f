// SPDX-License-Identifier: BSD-3-Clause
// The torch.* functions: the ops a user calls as `torch.name(...)`, with PyTorch's names.
export {
  tensor, asTensor, fromTypedArray, empty, zeros, ones, full, emptyLike, zerosLike, onesLike, fullLike, arange, linspace,
  logspace, eye, rand, randn, randLike, randnLike, randint, randintLike, randperm, normal, bernoulli, multinomial,
  type CreationOptions, type RandomOptions, type GeneratorOption,
} from "./creation.js";
export { clone, copy_ } from "./convert.js";
export {
  view, reshape, flatten, unflatten, squeeze, unsqueeze, permute, transpose, transpose as swapaxes,
  transpose as swapdims, t2d as t, expand as broadcastTo, narrow, select, unbind, split, chunk, movedim,
  movedim as moveaxis, asStrided, diagonal, contiguous,
} from "./movement.js";
export {
  exp, exp2, expm1, log, log2, log10, log1p, sqrt, rsqrt, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh,
  atanh, asin as arcsin, acos as arccos, atan as arctan, sigmoid, erf, erfc, erfinv, reciprocal, lgamma, frac, neg,
  neg as negative, abs, abs as absolute, sign, sign as sgn, signbit, square, floor, ceil, trunc, trunc as fix, round, relu,
  bitwiseNot, logicalNot, isnan, isinf, isfinite, isposinf, isneginf, nanToNum, add, sub, sub as subtract, rsub, mul,
  mul as multiply, div, div as divide, trueDivide, floorDivide, remainder, fmod, pow, floatPower, atan2,
  atan2 as arctan2, hypot, copysign, logaddexp, logaddexp2, maximum, minimum, fmax, fmin, bitwiseAnd, bitwiseOr,
  bitwiseXor, bitwiseLeftShift, bitwiseRightShift, eq, ne, ne as notEqual, lt, lt as less, le, le as lessEqual, gt,
  gt as greater, ge, ge as greaterEqual, logicalAnd, logicalOr, logicalXor, where, lerp, addcmul, addcdiv, clamp, clip,
  clampMin, clampMax, isclose, allclose, equal, type RoundingMode,
} from "./math.js";
export {
  sum, nansum, mean, nanmean, prod, amax, amin, max, min, argmax, argmin, aminmax, var_ as var, std, varMean, stdMean,
  norm, logsumexp, all, any, countNonzero, cumsum, cumprod, cummax, cummin, logcumsumexp,
} from "./reduce.js";
export { sort, argsort, topk, kthvalue, median, nanmedian, mode, unique, bincount, histc } from "./sorting.js";
export { matmul, mm, bmm, mv, dot, dot as vdot, inner, outer, outer as ger, addmm, addmv, addr, baddbmm, addbmm } from "./linalg.js";
export {
  gather, scatter_, scatterAdd_, scatterReduce_, indexSelect, indexAdd_, indexCopy_, indexFill_, indexPut_, maskedFill,
  maskedSelect, maskedScatter_, take, takeAlongDim, nonzero, nonzero as argwhere, type IndexItem,
} from "./indexing.js";
export { scatter, scatterAdd, scatterReduce, indexAdd, indexCopy, indexFill, indexPut, maskedScatter } from "./outofplace.js";
export {
  cat, concat, concatenate, stack, hstack, vstack, dstack, repeatInterleave, tile, flip, fliplr, flipud, roll, rot90,
  meshgrid, broadcastTensors,
} from "./join.js";
export { trace, tril, triu, kron, einsum, tensordot } from "./matrix.js";
