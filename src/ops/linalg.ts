// SPDX-License-Identifier: BSD-3-Clause
// Matrix products over the native strided GEMM (transposed operands are read in place).
import { native } from "../backends/cpu/native.js";
import { RuntimeError } from "../errors.js";
import { CPP_TYPE_NAME, DTYPE_CODE, type DType, SCALAR_TYPE_NAME, promoteTypes } from "../tensor/dtype.js";
import { broadcastShapes, numelOf } from "../tensor/layout.js";
import { Tensor } from "../tensor/tensor.js";
import { type OutOptions, castTo } from "./elementwise.js";
import { copy_ } from "./convert.js";
import { unsafeView } from "./movement.js";
import { noGrad } from "../autograd/grad-mode.js";
import { record } from "../autograd/record.js";
import { checkOut } from "../autograd/graph.js";

export interface BetaAlpha { beta?: number; alpha?: number }

function computeDtype(a: Tensor, b: Tensor, name: string): DType {
  if (a.dtype !== b.dtype)
    throw new RuntimeError(`expected scalar type ${SCALAR_TYPE_NAME[a.dtype]} but found ${SCALAR_TYPE_NAME[b.dtype]}`);
  if (a.dtype === "bool") throw new RuntimeError(`"${name}" not implemented for 'Bool'`);
  return a.dtype;
}

/** The single stride that walks the first `nb` dims of t in row-major order, or null. */
function batchStride(t: Tensor, nb: number): number | null {
  let stride: number | null = null, expected: number | null = null;
  for (let d = nb - 1; d >= 0; d--) {
    const size = t._shape[d]!, st = t._strides[d]!;
    if (size === 1) continue;
    if (stride === null) { stride = st; expected = st * size; continue; }
    if (st !== expected) return null;
    expected = st * size;
  }
  return stride ?? 0;
}

/**
 * C[b] = beta*C[b] + alpha*A[b]@B[b] for tensors already shaped [...batch, M, K], [...batch, K, N]
 * and C [...batch, M, N] (batch dims equal). Half types compute in float32.
 */
function gemmInto(C: Tensor, A: Tensor, B: Tensor, alpha: number, beta: number): void {
  const nb = C.ndim - 2;
  const M = C._shape[nb]!, N = C._shape[nb + 1]!, K = A._shape[nb + 1]!;
  let batch = 1;
  for (let d = 0; d < nb; d++) batch *= C._shape[d]!;
  if (batch * M * N === 0) return;
  if (C.dtype === "float16" || C.dtype === "bfloat16") {
    const c32 = castTo(C, "float32").contiguous();
    gemmInto(c32 === C ? c32.clone() : c32, castTo(A, "float32"), castTo(B, "float32"), alpha, beta);
    copy_(C, c32);
    return;
  }
  // one descriptor reused by every call (the native call reads it synchronously)
  const desc = GEMM_DESC;
  desc[0] = DTYPE_CODE[C.dtype]; desc[1] = batch; desc[2] = M; desc[3] = N; desc[4] = K;
  const a = operandOf(A, nb, desc, 9), b = operandOf(B, nb, desc, 13);
  const cs = batchStride(C, nb);
  if (cs === null) throw new RuntimeError("internal: matmul output must be batch-strided");
  desc[5] = C._offset; desc[6] = cs; desc[7] = C._strides[nb]!; desc[8] = C._strides[nb + 1]!;
  desc[17] = alpha; desc[18] = beta;
  native.matmul([C._storage.data, a._storage.data, b._storage.data], desc);
}

const GEMM_DESC = new Float64Array(19);

/** t (made batch-strided by a copy if it is not) with its offset, batch stride and strides written at desc[at..at+3]. */
function operandOf(t: Tensor, nb: number, desc: Float64Array, at: number): Tensor {
  let bs = batchStride(t, nb);
  if (bs === null) { t = t.contiguous(); bs = batchStride(t, nb)!; }
  desc[at] = t._offset; desc[at + 1] = bs; desc[at + 2] = t._strides[nb]!; desc[at + 3] = t._strides[nb + 1]!;
  return t;
}

export function mm(a: Tensor, b: Tensor, opts: OutOptions = {}): Tensor {
  checkOut("mm", [a, b, opts.out], opts.out);
  if (a.ndim !== 2) throw new RuntimeError(`self must be a matrix`);
  if (b.ndim !== 2) throw new RuntimeError(`mat2 must be a matrix`);
  if (a._shape[1] !== b._shape[0])
    throw new RuntimeError(`mat1 and mat2 shapes cannot be multiplied (${a._shape[0]}x${a._shape[1]} and ${b._shape[0]}x${b._shape[1]})`);
  const d = computeDtype(a, b, "addmm_impl_cpu_");
  const shape = [a._shape[0]!, b._shape[1]!];
  if (opts.out !== undefined) return productInto(opts.out, d, shape, a, b);
  const out = Tensor._emptyUninit(shape, d);  // beta 0: every element written, none read
  noGrad(() => gemmInto(out, a, b, 1, 0));
  return record(out, {
    name: "MmBackward0", inputs: [a, b], save: [a, b],
    backward: ([g], [x, y], needs) => [needs[0] ? mmGradA(g!, y!, x!) : null, needs[1] ? mmGradB(g!, x!, y!) : null],
  });
}

export function bmm(a: Tensor, b: Tensor, opts: OutOptions = {}): Tensor {
  checkOut("bmm", [a, b, opts.out], opts.out);
  if (a.ndim !== 3) throw new RuntimeError(`batch1 must be a 3D tensor`);
  if (b.ndim !== 3) throw new RuntimeError(`batch2 must be a 3D tensor`);
  checkBatch(a._shape[0]!, a._shape[2]!, b);
  const d = computeDtype(a, b, "bmm");
  const shape = [a._shape[0]!, a._shape[1]!, b._shape[2]!];
  if (opts.out !== undefined) return productInto(opts.out, d, shape, a, b);
  const out = Tensor._emptyUninit(shape, d);
  noGrad(() => gemmInto(out, a, b, 1, 0));
  return record(out, {
    name: "BmmBackward0", inputs: [a, b], save: [a, b],
    backward: ([g], [x, y]) => [bmm(g!, y!.transpose(1, 2)), bmm(x!.transpose(1, 2), g!)],
  });
}

/**
 * mm / bmm / matmul's out= (PyTorch's out variants, nothing recorded): out must have the product's
 * dtype and is resized to its shape. The GEMM writes out in place where it can (any strides with
 * one batch stride, no element written twice, no memory shared with an operand); otherwise the
 * product (of a and b, or the given one) is computed and copied in.
 */
function productInto(out: Tensor, d: DType, shape: readonly number[], a: Tensor, b: Tensor, product?: () => Tensor): Tensor {
  if (out.dtype !== d)
    throw new RuntimeError(`Expected out tensor to have dtype ${CPP_TYPE_NAME[d]}, but got ${CPP_TYPE_NAME[out.dtype]} instead`);
  if (out._shape.length !== shape.length || out._shape.some((s, i) => s !== shape[i])) out._resize(shape);
  if (out._shape.some((s, i) => s > 1 && out._strides[i] === 0))
    throw new RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a single " +
      "memory location. Please clone() the tensor before performing the operation.");
  const nb = out.ndim - 2, buf = out._storage.data.buffer;
  // the same bytes can sit under two Storage objects (view(dtype)): compare the buffers
  if (product === undefined && buf !== a._storage.data.buffer && buf !== b._storage.data.buffer && batchStride(out, nb) !== null) {
    noGrad(() => gemmInto(out, a, b, 1, 0));
    out._bumpVersion();
  } else copy_(out, noGrad(product ?? (() => (nb === 0 ? mm(a, b) : bmm(a, b)))));
  return out;
}

function checkBatch(batch: number, k: number, b: Tensor): void {
  if (b._shape[0] !== batch || b._shape[1] !== k)
    throw new RuntimeError(`Expected size for first two dimensions of batch2 tensor to be: [${batch}, ${k}] but got: [${b._shape[0]}, ${b._shape[1]}].`);
}

export function dot(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1)
    throw new RuntimeError(`1D tensors expected, but got ${a.ndim}D and ${b.ndim}D tensors`);
  if (a.dtype !== b.dtype)
    throw new RuntimeError(`dot : expected both vectors to have same dtype, but found ${SCALAR_TYPE_NAME[a.dtype]} and ${SCALAR_TYPE_NAME[b.dtype]}`);
  if (a._shape[0] !== b._shape[0])
    throw new RuntimeError(`inconsistent tensor size, expected tensor [${a._shape[0]}] and src [${b._shape[0]}] to have the same number of elements, but got ${a._shape[0]} and ${b._shape[0]} elements respectively`);
  const d = computeDtype(a, b, "dot");
  const out = Tensor._empty([1, 1], d);
  noGrad(() => gemmInto(out, a.unsqueeze(0), b.unsqueeze(1), 1, 0));
  return record(out.reshape([]), { name: "DotBackward0", inputs: [a, b], save: [a, b], backward: ([g], [x, y]) => [g!.mul(y!), g!.mul(x!)] });
}

export function mv(m: Tensor, v: Tensor): Tensor {
  if (m.ndim !== 2 || v.ndim !== 1)
    throw new RuntimeError(`vector + matrix @ vector expected, got 1, ${m.ndim}, ${v.ndim}`);
  if (m._shape[1] !== v._shape[0])
    throw new RuntimeError(`size mismatch, got ${m._shape[0]}, ${m._shape[0]}x${m._shape[1]},${v._shape[0]}`);
  const d = computeDtype(m, v, "addmv_impl_cpu");
  const out = Tensor._empty([m._shape[0]!, 1], d);
  noGrad(() => gemmInto(out, m, v.unsqueeze(1), 1, 0));
  return record(out.reshape([m._shape[0]!]), {
    name: "MvBackward0", inputs: [m, v], save: [m, v], backward: ([g], [x, y]) => [outer(g!, y!), mv(x!.t(), g!)],
  });
}

/** torch.matmul with PyTorch's 1-D / 2-D / batched broadcasting rules. */
export function matmul(a: Tensor, b: Tensor, opts: OutOptions = {}): Tensor {
  if (opts.out !== undefined) {
    checkOut("matmul", [a, b, opts.out], opts.out);
    const r = noGrad(() => matmul(a, b));
    return productInto(opts.out, r.dtype, r._shape, a, b, () => r);
  }
  if (a.ndim === 0 || b.ndim === 0)
    throw new RuntimeError(`both arguments to matmul need to be at least 1D, but they are ${a.ndim}D and ${b.ndim}D`);
  if (a.ndim === 1 && b.ndim === 1) return dot(a, b);
  if (a.ndim === 2 && b.ndim === 1) return mv(a, b);
  if (a.ndim === 1 && b.ndim === 2) {
    // PyTorch squeezes the product in place (squeeze_(0)), so its node is SqueezeBackward3
    const p = mm(a.unsqueeze(0), b);
    return record(noGrad(() => p.squeeze(0)), { name: "SqueezeBackward3", inputs: [p], backward: ([g]) => [g!.unsqueeze(0)] });
  }
  if (a.ndim === 2 && b.ndim === 2) return mm(a, b);
  // a batch against a vector or a matrix: fold the batch into the rows and use one mm/mv, as
  // PyTorch does (so errors are mm's and mv's)
  if (a.ndim >= 3 && b.ndim <= 2) return foldedMatmul(a, b, false);
  if (a.ndim <= 2 && b.ndim >= 3) return foldedMatmul(b.transpose(-1, -2), a.ndim === 2 ? a.t() : a, true);
  // batched: promote 1-D operands, broadcast the batch dims
  const A = a.ndim === 1 ? a.unsqueeze(0) : a, B = b.ndim === 1 ? b.unsqueeze(1) : b;
  const M = A._shape[A.ndim - 2]!, K = A._shape[A.ndim - 1]!, K2 = B._shape[B.ndim - 2]!, N = B._shape[B.ndim - 1]!;
  const batch = broadcastShapes(A._shape.slice(0, -2), B._shape.slice(0, -2));
  if (K !== K2) {
    if (B.ndim === 2)
      throw new RuntimeError(`mat1 and mat2 shapes cannot be multiplied (${numelOf(A._shape.slice(0, -1))}x${K} and ${K2}x${N})`);
    checkBatch(numelOf(batch), K, Tensor._empty([numelOf(batch), K2, N], "float32"));
  }
  const d = computeDtype(A, B, "bmm");
  let out = Tensor._emptyUninit([...batch, M, N], d);
  noGrad(() => gemmInto(out, A.expand([...batch, M, K]), B.expand([...batch, K, N]), 1, 0));
  // the gradients are matmuls too; record() sums them back over broadcast batch dims
  out = record(out, {
    name: "UnsafeViewBackward0", inputs: [A, B], save: [A, B],
    backward: ([g], [x, y]) => [matmul(g!, y!.transpose(-1, -2)), matmul(x!.transpose(-1, -2), g!)],
  });
  let r = out;
  if (a.ndim === 1) r = r.squeeze(-2);
  if (b.ndim === 1) r = r.squeeze(-1);
  return r;
}

/** t1 (..., n, m) @ t2 (m) or (m, p) as one mm/mv over (prod(...)*n, m); `transpose` undoes a swap. */
function foldedMatmul(t1: Tensor, t2: Tensor, transpose: boolean): Tensor {
  const outShape = t1._shape.slice(0, -1);
  const folded = t1.reshape([numelOf(outShape), t1._shape[t1.ndim - 1]!]);  // (..., n, m) -> (... * n, m)
  if (t2.ndim === 1) return unsafeView(mv(folded, t2), outShape);
  const out = unsafeView(mm(folded, t2), [...outShape, t2._shape[1]!]);     // (... * n, p) -> (..., n, p)
  return transpose ? out.transpose(-1, -2).contiguous() : out;
}

/**
 * beta*input + alpha*(product), with input broadcast to the product's shape. The product's dtype
 * is the result's; addmm also wants the input in it, addmv and baddbmm cast the input.
 */
function addProduct(input: Tensor, shape: number[], A: Tensor, B: Tensor, opts: BetaAlpha, name: string,
  gradName: string): Tensor {
  const beta = opts.beta ?? 1, alpha = opts.alpha ?? 1;
  const d = computeDtype(A, B, name);
  const out = Tensor._empty(shape, d);
  noGrad(() => {
    if (beta !== 0) copy_(out, input.expand(shape));
    gemmInto(out, castTo(A, d), castTo(B, d), alpha, beta);
  });
  const product = shape.length === 3 ? bmm : mm;
  const t = (x: Tensor) => x.transpose(-1, -2);
  return record(out, {
    name: gradName, inputs: [input, A, B], save: [A, B],
    // the input's gradient is g * beta even for beta = 0 (zeros, as PyTorch's maybe_multiply);
    // only the gradients needed are computed (PyTorch's should_compute_output)
    backward: ([g], [a, b], needs) => [
      needs[0] ? maybeMultiply(g!, beta) : null,
      needs[1] ? maybeMultiply(shape.length === 3 ? bmm(g!, t(b!)) : mmGradA(g!, b!, a!), alpha) : null,
      needs[2] ? maybeMultiply(shape.length === 3 ? product(t(a!), g!) : mmGradB(g!, a!, b!), alpha) : null,
    ],
  });
}

/** g * s, or g itself for s = 1 (PyTorch's maybe_multiply). */
function maybeMultiply(g: Tensor, s: number): Tensor {
  return s === 1 ? g : g.mul(s);
}

/** Whether a matrix is a transposed contiguous one (column-major). */
function columnMajor(t: Tensor): boolean {
  return t._strides[0] === 1 && t._strides[1] === t._shape[0];
}

/**
 * The gradient of mat1 in g = mat1 @ mat2: g @ mat2^T, computed transposed when mat1 was
 * column-major so its layout matches mat1's (PyTorch's mm_mat1_backward).
 */
function mmGradA(g: Tensor, b: Tensor, a: Tensor): Tensor {
  return columnMajor(a) ? mm(b, g.t()).t() : mm(g, b.t());
}
/** The gradient of mat2: mat1^T @ g, transposed when mat2 was column-major (mm_mat2_backward). */
function mmGradB(g: Tensor, a: Tensor, b: Tensor): Tensor {
  return columnMajor(b) ? mm(g.t(), a).t() : mm(a.t(), g);
}

export function addmm(input: Tensor, m1: Tensor, m2: Tensor, opts: BetaAlpha = {}): Tensor {
  if (m1.ndim !== 2 || m2.ndim !== 2 || m1._shape[1] !== m2._shape[0]) mm(m1, m2);  // raises PyTorch's message
  if (input.dtype !== m2.dtype) throw new RuntimeError("self and mat2 must have the same dtype");
  return addProduct(input, [m1._shape[0]!, m2._shape[1]!], m1, m2, opts, "addmm_impl_cpu_", "AddmmBackward0");
}
export function addmv(input: Tensor, mat: Tensor, vec: Tensor, opts: BetaAlpha = {}): Tensor {
  noGrad(() => mv(mat, vec));  // raises PyTorch's message
  const beta = opts.beta ?? 1, alpha = opts.alpha ?? 1;
  const out = noGrad(() => addProduct(input.ndim === 1 ? input.unsqueeze(1) : input.reshape([-1, 1]).expand([mat._shape[0]!, 1]),
    [mat._shape[0]!, 1], mat, vec.unsqueeze(1), opts, "addmv", "AddmvBackward0").reshape([mat._shape[0]!]));
  return record(out, {
    name: "AddmvBackward0", inputs: [input, mat, vec], save: [mat, vec],
    backward: ([g], [m, v]) => [g!.mul(beta), outer(g!, v!).mul(alpha), mv(m!.t(), g!).mul(alpha)],
  });
}
export function baddbmm(input: Tensor, b1: Tensor, b2: Tensor, opts: BetaAlpha = {}): Tensor {
  if (b1.ndim !== 3 || b2.ndim !== 3) bmm(b1, b2);
  checkBatch(b1._shape[0]!, b1._shape[2]!, b2);
  return addProduct(input, [b1._shape[0]!, b1._shape[1]!, b2._shape[2]!], b1, b2, opts, "baddbmm", "BaddbmmBackward0");
}
/** sum over b of b1[b] @ b2[b] is one product: (n, B*m) @ (B*m, p), so one GEMM and one rounding. */
export function addbmm(input: Tensor, b1: Tensor, b2: Tensor, opts: BetaAlpha = {}): Tensor {
  if (b1.ndim !== 3 || b2.ndim !== 3) bmm(b1, b2);  // raises PyTorch's message
  checkBatch(b1._shape[0]!, b1._shape[2]!, b2);
  const [B, n, m] = b1._shape as [number, number, number];
  const beta = opts.beta ?? 1, alpha = opts.alpha ?? 1;
  const out = noGrad(() => {
    const a = b1.permute([1, 0, 2]).reshape([n, B * m]);  // (B, n, m) -> (n, B*m)
    const b = b2.reshape([B * m, b2._shape[2]!]);          // (B, m, p) -> (B*m, p)
    return addmm(input, a, b, opts);
  });
  return record(out, {
    name: "AddbmmBackward0", inputs: [input, b1, b2], save: [b1, b2],
    backward: ([g], [x, y]) => {
      const gb = g!.unsqueeze(0).expand([B, n, g!._shape[1]!]);  // (n, p) -> (B, n, p)
      return [g!.mul(beta), bmm(gb, y!.transpose(1, 2)).mul(alpha), bmm(x!.transpose(1, 2), gb).mul(alpha)];
    },
  });
}
export function outer(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1) throw new RuntimeError(`outer: Expected 1-D argument self, but got ${a.ndim}-D`);
  if (b.ndim !== 1) throw new RuntimeError(`outer: Expected 1-D argument vec2, but got ${b.ndim}-D`);
  return a.unsqueeze(1).mul(b.unsqueeze(0));
}
export function addr(input: Tensor, v1: Tensor, v2: Tensor, opts: BetaAlpha = {}): Tensor {
  const beta = opts.beta ?? 1, alpha = opts.alpha ?? 1;
  const out = noGrad(() => {
    const o = outer(v1, v2);
    const prod = alpha === 1 ? o : o.mul(alpha);
    if (beta === 0) {
      // the input is ignored (its NaN and inf do not propagate) but still sets the dtype and must broadcast
      broadcastShapes(input._shape, prod._shape);
      return castTo(prod, promoteTypes(input.dtype, prod.dtype));
    }
    return (beta === 1 ? input : input.mul(beta)).add(prod);
  });
  return record(out, {
    name: "AddrBackward0", inputs: [input, v1, v2], save: [v1, v2],
    backward: ([g], [a, b]) => [g!.mul(beta), mv(g!, castTo(b!, g!.dtype)).mul(alpha), mv(g!.t(), castTo(a!, g!.dtype)).mul(alpha)],
  });
}
export function inner(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) return a.mul(b);
  const k = a._shape[a.ndim - 1]!;
  if (b._shape[b.ndim - 1] !== k)
    throw new RuntimeError(`inner() the last dimension must match on both input tensors but got shapes [${a._shape.join(", ")}] and [${b._shape.join(", ")}]`);
  // (..., k) x (..., k) -> (a..., b...)
  return mm(a.reshape([-1, k]), b.reshape([-1, k]).t()).reshape([...a._shape.slice(0, -1), ...b._shape.slice(0, -1)]);
}
