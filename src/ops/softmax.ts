// SPDX-License-Identifier: BSD-3-Clause
// softmax / log_softmax over the last dim as one native pass per row (native/cpu/softmax.cc),
// forward and backward, instead of separate max / sub / exp / sum / div (or log) kernels. The
// formulas are PyTorch's CPU ones (max-shifted; sums in double), so results agree with the
// composed path and with PyTorch within float rounding. F.softmax / F.logSoftmax call
// softmaxLastDim when the dim is the last one; it returns null where it does not apply (other
// dtypes, 0-d input) and the caller keeps its general path.
import { native } from "../backends/cpu/native.js";
import { needsGrad } from "../autograd/graph.js";
import { record } from "../autograd/record.js";
import { DTYPE_CODE } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";

/** gx for softmax (log = false: y (g - sum(g y))) or log_softmax (g - exp(y) sum(g)) over the last dim. */
function backwardLastDim(g: Tensor, y: Tensor, log: boolean): Tensor {
  // recorded backward (double backward) or mixed dtypes: the same formulas as differentiable ops
  if (g.dtype !== y.dtype || needsGrad([g, y]))
    return log ? g.sub(y.exp().mul(g.sum(-1, { keepdim: true }))) : y.mul(g.sub(g.mul(y).sum(-1, { keepdim: true })));
  const gc = g.isContiguous() ? g : g.contiguous(), yc = y.isContiguous() ? y : y.contiguous();
  const cols = y._shape[y._shape.length - 1]!, rows = cols === 0 ? 0 : y.numel() / cols;
  const gx = Tensor._emptyUninit(y._shape, y.dtype);
  native.softmax(log ? 3 : 2, Float64Array.of(DTYPE_CODE[y.dtype], rows, cols, 0, gc._offset, yc._offset),
    gx._storage.data, gc._storage.data, yc._storage.data);
  return gx;
}

/**
 * softmax (log = false) or log_softmax (log = true) of a float32 / float64 tensor over its last dim,
 * recorded as SoftmaxBackward0 / LogSoftmaxBackward0; null where the native pass does not apply.
 */
export function softmaxLastDim(x: Tensor, log: boolean): Tensor | null {
  if ((x.dtype !== "float32" && x.dtype !== "float64") || x._shape.length === 0) return null;
  const xc = x.isContiguous() ? x : x.contiguous();
  const cols = x._shape[x._shape.length - 1]!, rows = cols === 0 ? 0 : x.numel() / cols;
  const y = Tensor._emptyUninit(x._shape, x.dtype);
  native.softmax(log ? 1 : 0, Float64Array.of(DTYPE_CODE[x.dtype], rows, cols, 0, xc._offset, 0), y._storage.data, xc._storage.data);
  return record(y, {
    name: log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", inputs: [x], save: [y],
    backward: ([g], [ys]) => [backwardLastDim(g!, ys!, log)],
  });
}
