// SPDX-License-Identifier: BSD-3-Clause
// Matrix helpers and contractions: trace, tril, triu, kron, einsum, tensordot. All of them are
// views, elementwise ops, reductions and bmm/mm (src/ops/linalg.ts); no loop here touches elements.
// trace, tril and triu record PyTorch's nodes; kron, einsum and tensordot get their gradients
// from their parts.
import { inplace, record } from "../autograd/record.js";
import { IndexError, RuntimeError } from "../errors.js";
import { SCALAR_TYPE_NAME } from "../tensor/dtype.js";
import { normalizeDim, normalizeDims, numelOf } from "../tensor/layout.js";
import { Tensor } from "../tensor/tensor.js";
import { arange } from "./creation.js";
import { scalarTensor } from "./elementwise.js";
import { untracked } from "./indexing.js";
import { runElementwise } from "./kernel.js";
import { bmm, mm } from "./linalg.js";
import { ge, le, mul, sub, where } from "./math.js";
import { diagonal, movedim, permute, reshape, squeeze, unsqueeze, view } from "./movement.js";
import { cumsum, sum } from "./reduce.js";
import { indexFill } from "./scatter.js";

/**
 * torch.trace: the sum of the main diagonal of a 2-D tensor (integers sum to int64).
 * `torch.trace(torch.tensor([[1, 2], [3, 4]]))` -> 5. Backward (PyTorch's trace_backward): the
 * gradient on the diagonal of zeros, by index_fill over the flattened matrix.
 */
export function trace(x: Tensor): Tensor {
  if (x.dtype === "bool" || x.dtype === "float16" || x.dtype === "bfloat16")
    throw new RuntimeError(`"trace" not implemented for '${SCALAR_TYPE_NAME[x.dtype]}'`);
  if (x.ndim !== 2) throw new RuntimeError(`trace: expected a matrix, but got tensor with dim ${x.ndim}`);
  const [m, n] = x._shape as [number, number];
  return record(untracked([x], () => sum(diagonal(x))), {
    name: "TraceBackward0", inputs: [x],
    backward: ([g]) => [reshape(indexFill(g!.newZeros([m * n]), 0, arange(0, m * n, n + 1, { dtype: "int64" }), g!), [m, n])],
  });
}

/** 0, 1, ..., n - 1 as int64, built by native kernels. */
const indexRange = (n: number): Tensor => sub(cumsum(Tensor._empty([n], "int64").fill_(1), 0), 1);

/** Keeps the elements where (column - row) passes `keep`, zeroes the others; batched over leading dims. */
function triangle(x: Tensor, diagonalOffset: number | { diagonal?: number }, lower: boolean): Tensor {
  const k = typeof diagonalOffset === "number" ? diagonalOffset : diagonalOffset.diagonal ?? 0;
  if (x.ndim === 0) throw new IndexError("Dimension specified as -2 but tensor has no dimensions");
  normalizeDim(-2, x.ndim);  // PyTorch's message for 1-D input
  const rows = x._shape[x.ndim - 2]!, cols = x._shape[x.ndim - 1]!;
  const offset = sub(indexRange(cols), indexRange(rows).unsqueeze(1));  // (rows, cols): column - row
  const mask = lower ? le(offset, k) : ge(offset, k);
  return where(mask, x, scalarTensor(0, x.dtype));  // where, not mul: NaN above the diagonal becomes 0 too
}

/** torch.tril: the lower triangle (elements with column - row <= diagonal), the rest zero. Backward: grad.tril(diagonal). */
export function tril(x: Tensor, diagonalOffset: number | { diagonal?: number } = 0): Tensor {
  return record(untracked([x], () => triangle(x, diagonalOffset, true)), {
    name: "TrilBackward0", inputs: [x], backward: ([g]) => [tril(g!, diagonalOffset)],
  });
}

/** torch.triu: the upper triangle (elements with column - row >= diagonal), the rest zero. Backward: grad.triu(diagonal). */
export function triu(x: Tensor, diagonalOffset: number | { diagonal?: number } = 0): Tensor {
  return record(untracked([x], () => triangle(x, diagonalOffset, false)), {
    name: "TriuBackward0", inputs: [x], backward: ([g]) => [triu(g!, diagonalOffset)],
  });
}

/** x.tril_(diagonal): tril in place (TrilBackward0 in the graph). */
export function tril_(x: Tensor, diagonalOffset: number | { diagonal?: number } = 0): Tensor {
  return inplace(x, [], (self) => tril(self, diagonalOffset), () => copyInto(x, triangle(x, diagonalOffset, true)));
}

/** x.triu_(diagonal): triu in place (TriuBackward0 in the graph). */
export function triu_(x: Tensor, diagonalOffset: number | { diagonal?: number } = 0): Tensor {
  return inplace(x, [], (self) => triu(self, diagonalOffset), () => copyInto(x, triangle(x, diagonalOffset, false)));
}

function copyInto(x: Tensor, values: Tensor): Tensor {
  runElementwise("copy", x, [values]);
  x._bumpVersion();
  return x;
}

/**
 * torch.kron: the Kronecker product; with shapes padded to the same ndim, result[i*sb + j] =
 * a[i] * b[j] in every dim. `torch.kron(torch.tensor([1, 2]), torch.tensor([1, 10]))` -> [1, 10, 2, 20].
 */
export function kron(a: Tensor, b: Tensor): Tensor {
  const nd = Math.max(a.ndim, b.ndim);
  const sa = [...Array<number>(nd - a.ndim).fill(1), ...a._shape], sb = [...Array<number>(nd - b.ndim).fill(1), ...b._shape];
  const av = reshape(a, sa.flatMap((s) => [s, 1]));  // (a0, 1, a1, 1, ...)
  const bv = reshape(b, sb.flatMap((s) => [1, s]));  // (1, b0, 1, b1, ...)
  return reshape(mul(av, bv), sa.map((s, i) => s * sb[i]!));  // (a0*b0, a1*b1, ...)
}

// ---- tensordot --------------------------------------------------------------------------------------

type DimList = number | readonly number[];
export type TensordotDims = number | readonly [DimList, DimList] | Tensor;

/**
 * torch.tensordot: contracts dims of a with dims of b (`dims` = n: the last n of a with the first n
 * of b). Dims of size 1 on one side are summed first, as PyTorch does.
 * `torch.tensordot(a, b, [[1], [0]])` = `a.mm(b)` for matrices.
 */
export function tensordot(a: Tensor, b: Tensor, dims: TensordotDims | { dims?: TensordotDims } = 2): Tensor {
  let d: TensordotDims = dims instanceof Tensor || typeof dims !== "object" || Array.isArray(dims)
    ? dims as TensordotDims : (dims as { dims?: TensordotDims }).dims ?? 2;
  if (d instanceof Tensor) d = d.numel() > 1 ? d.tolist() as unknown as [number[], number[]] : Number(d.item());
  let da: number[], db: number[];
  if (typeof d === "number") {
    if (d < 0) throw new RuntimeError(`tensordot expects dims >= 0, but got dims=${d}`);
    da = Array.from({ length: d }, (_, i) => i - d);
    db = Array.from({ length: d }, (_, i) => i);
  } else {
    const [x, y] = d as readonly [DimList, DimList];
    da = typeof x === "number" ? [x] : [...x];
    db = typeof y === "number" ? [y] : [...y];
  }
  if (da.length !== db.length) throw new RuntimeError("both dimension lists should have same length");
  let t1 = a, t2 = b, csize = 1;
  da.forEach((dimA, i) => {
    const dimB = db[i]!;
    const s1 = a.size(dimA), s2 = b.size(dimB);
    if (s2 === 1) t1 = sum(t1, dimA, { keepdim: true });  // broadcast dims are summed right away
    else if (s1 === 1) t2 = sum(t2, dimB, { keepdim: true });
    else if (s1 !== s2)
      throw new RuntimeError(`contracted dimensions need to match, but first has size ${s1} in dim ${dimA} and second has size ${s2} in dim ${dimB}`);
    else csize *= s1;
  });
  const ca = new Set(normalizeDims(da, a.ndim)), cb = new Set(normalizeDims(db, b.ndim));
  const freeA = [...Array(a.ndim).keys()].filter((i) => !ca.has(i)), freeB = [...Array(b.ndim).keys()].filter((i) => !cb.has(i));
  const outShape = [...freeA.map((i) => t1._shape[i]!), ...freeB.map((i) => t2._shape[i]!)];
  const m1 = reshape(permute(t1, [...freeA, ...da.map((x) => normalizeDim(x, a.ndim))]), [numelOf(freeA.map((i) => t1._shape[i]!)), csize]);
  const m2 = reshape(permute(t2, [...db.map((x) => normalizeDim(x, b.ndim)), ...freeB]), [csize, numelOf(freeB.map((i) => t2._shape[i]!))]);
  return reshape(mm(m1, m2), outShape);  // (free a..., free b...)
}

// ---- einsum -------------------------------------------------------------------------------------------

/**
 * left * right summed over `sumDims` (keeping them as size 1), by one bmm: both operands are
 * permuted to (batch, left-only, summed) and (batch, summed, right-only). Operands have equal ndim
 * and broadcast. PyTorch's sumproduct_pair (aten/src/ATen/native/Linear.cpp).
 */
function sumproductPair(left: Tensor, right: Tensor, sumDims: number[]): Tensor {
  if (sumDims.length === 0) return mul(left, right);
  const isSum = new Set(sumDims);
  const lro: number[] = [], lo: number[] = [], ro: number[] = [];
  let lroSize = 1, loSize = 1, roSize = 1, sumSize = 1;
  for (let i = 0; i < left.ndim; i++) {
    const sl = left._shape[i] !== 1, sr = right._shape[i] !== 1;
    if (isSum.has(i)) {
      if (sl && sr) sumSize *= left._shape[i]!;
      else if (sl) left = sum(left, i, { keepdim: true });
      else if (sr) right = sum(right, i, { keepdim: true });
    } else if (sl && sr) { lro.push(i); lroSize *= left._shape[i]!; }
    else if (sl) { lo.push(i); loSize *= left._shape[i]!; }
    else { ro.push(i); roSize *= right._shape[i]!; }
  }
  const outSize = [...lro.map((d) => left._shape[d]!), ...lo.map((d) => left._shape[d]!), ...sumDims.map(() => 1),
    ...ro.map((d) => right._shape[d]!)];
  const lperm = [...lro, ...lo, ...sumDims, ...ro], rperm = [...lro, ...sumDims, ...ro, ...lo];
  const operm = new Array<number>(left.ndim);
  lperm.forEach((d, i) => { operm[d] = i; });
  const l = reshape(permute(left, lperm), [lroSize, loSize, sumSize]);    // (batch, M, K)
  const r = reshape(permute(right, rperm), [lroSize, sumSize, roSize]);   // (batch, K, N)
  return permute(view(bmm(l, r), outSize), operm);
}

const ELLIPSIS = 52;
const isLetter = (c: string): boolean => /^[A-Za-z]$/.test(c);
/** A-Z -> 0..25, a-z -> 26..51 (so implicit outputs list upper case first, as PyTorch). */
const subscriptOf = (c: string): number => (c <= "Z" ? c.charCodeAt(0) - 65 : c.charCodeAt(0) - 97 + 26);
const labelOf = (s: number): string => String.fromCharCode(s < 26 ? s + 65 : s - 26 + 97);

/** The per-operand subscripts of the equation's left side (ELLIPSIS for "..."). */
function parseInputs(lhs: string, numOps: number): number[][] {
  const opLabels: number[][] = Array.from({ length: numOps }, () => []);
  let cur = 0, ellInInput = false;
  for (let i = 0; i < lhs.length; i++) {
    const c = lhs[i]!;
    if (c === " ") continue;
    if (c === ".") {
      if (ellInInput) throw new RuntimeError(`einsum(): found '.' for operand ${cur} for which an ellipsis was already found`);
      if (!(i + 2 < lhs.length && lhs[++i] === "." && lhs[++i] === "."))
        throw new RuntimeError(`einsum(): found '.' for operand ${cur} that is not part of any ellipsis`);
      opLabels[cur]!.push(ELLIPSIS);
      ellInInput = true;
    } else if (c === ",") {
      cur++;
      if (cur >= numOps) throw new RuntimeError("einsum(): fewer operands were provided than specified in the equation");
      ellInInput = false;
    } else {
      if (!isLetter(c)) throw new RuntimeError(`einsum(): invalid subscript given at index ${i} in the equation string, subscripts must be in [a-zA-Z]`);
      opLabels[cur]!.push(subscriptOf(c));
    }
  }
  if (cur !== numOps - 1) throw new RuntimeError("einsum(): more operands were provided than specified in the equation");
  return opLabels;
}

/** Converts the sublist form einsum(a, [0, 1], b, [1, 2], [0, 2]) to an equation. */
function sublistEquation(args: readonly unknown[]): [string, Tensor[]] {
  const sub = (list: readonly (number | string)[]): string => list.map((n) => {
    if (n === "...") return "...";
    if (typeof n !== "number" || n < 0 || n >= 52) throw new RuntimeError("einsum(): subscript in subscript list is not within the valid range [0, 52)");
    return labelOf(n);
  }).join("");
  const operands: Tensor[] = [], lists: string[] = [];
  for (let i = 0; i + 1 < args.length; i += 2) {
    operands.push(args[i] as Tensor);
    lists.push(sub(args[i + 1] as (number | string)[]));
  }
  const eq = lists.join(",") + (args.length % 2 === 1 ? "->" + sub(args[args.length - 1] as (number | string)[]) : "");
  return [eq, operands];
}

/**
 * torch.einsum: Einstein summation, with implicit output (the labels seen once, sorted, after the
 * ellipsis dims), "..." broadcasting, repeated labels on one operand (diagonals) and sums. Operands
 * are contracted left to right, each pair as one bmm; results match PyTorch's algorithm
 * (aten/src/ATen/native/Linear.cpp). `torch.einsum("ij,jk->ik", a, b)` = `a.mm(b)`.
 */
export function einsum(equation: string | Tensor, ...operands: (Tensor | readonly Tensor[] | readonly (number | string)[])[]): Tensor {
  let eq: string, ops: Tensor[];
  if (equation instanceof Tensor) [eq, ops] = sublistEquation([equation, ...operands]);
  else {
    eq = equation;
    ops = (operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : operands) as Tensor[];
  }
  if (ops.length === 0)
    throw new RuntimeError("einsum(): must specify the equation string and at least one operand, or at least one operand and its subscripts list");
  return einsumImpl(eq, ops);
}

function einsumImpl(equation: string, operands: Tensor[]): Tensor {
  const numOps = operands.length;
  const arrow = equation.indexOf("->");
  const lhs = arrow < 0 ? equation : equation.slice(0, arrow);
  const opLabels = parseInputs(lhs, numOps);

  const labelCount = new Array<number>(52).fill(0);
  let ellNumDim = 0;
  opLabels.forEach((labels, i) => {
    const ndims = operands[i]!.ndim;
    const hasEllipsis = labels.includes(ELLIPSIS);
    const nlabels = labels.length - (hasEllipsis ? 1 : 0);
    for (const s of labels) if (s !== ELLIPSIS) labelCount[s]!++;
    if (hasEllipsis) ellNumDim = Math.max(ellNumDim, ndims - nlabels);
    if (hasEllipsis ? nlabels > ndims : nlabels !== ndims)
      throw new RuntimeError(`einsum(): the number of subscripts in the equation (${nlabels}) ${hasEllipsis ? "is more than" : "does not match"} ` +
        `the number of dimensions (${ndims}) for operand ${i}${hasEllipsis ? "" : " and no ellipsis was given"}`);
  });

  // Output dims first (in output order), then the dims to sum: labelPermIndex maps a label to its place.
  const labelPermIndex = new Array<number>(52).fill(-1);
  let permIndex = 0, ellIndex = 0, ellInOutput = false;
  if (arrow < 0) {
    permIndex = ellNumDim;
    ellInOutput = true;
    for (let s = 0; s < 52; s++) if (labelCount[s] === 1) labelPermIndex[s] = permIndex++;
  } else {
    const rhs = equation.slice(arrow + 2);
    for (let i = 0; i < rhs.length; i++) {
      const c = rhs[i]!;
      if (c === " ") continue;
      if (c === ".") {
        if (ellInOutput) throw new RuntimeError("einsum(): found '.' for output but an ellipsis (...) was already found");
        if (!(i + 2 < rhs.length && rhs[++i] === "." && rhs[++i] === "."))
          throw new RuntimeError("einsum(): found '.' for output that is not part of any ellipsis (...)");
        ellIndex = permIndex;
        permIndex += ellNumDim;
        ellInOutput = true;
        continue;
      }
      if (!isLetter(c))
        throw new RuntimeError(`einsum(): invalid subscript given at index ${lhs.length + 2 + i} in the equation string, subscripts must be in [a-zA-Z]`);
      const s = subscriptOf(c);
      if (!(labelCount[s]! > 0 && labelPermIndex[s] === -1))
        throw new RuntimeError(`einsum(): output subscript ${c}${labelPermIndex[s]! > -1 ? " appears more than once in the output" : " does not appear in the equation for any input operand"}`);
      labelPermIndex[s] = permIndex++;
    }
  }
  const outNumDim = permIndex;
  if (!ellInOutput) { ellIndex = permIndex; permIndex += ellNumDim; }
  for (let s = 0; s < 52; s++) if (labelCount[s]! > 0 && labelPermIndex[s] === -1) labelPermIndex[s] = permIndex++;

  // Align every operand to the permIndex dims: diagonals for repeated labels, size-1 dims for missing ones.
  const labelSize = new Array<number>(52).fill(1), ellSizes = new Array<number>(ellNumDim).fill(1);
  const dimCounts = new Array<number>(permIndex).fill(0);
  const ops: Tensor[] = operands.map((operand, i) => {
    let op = operand;
    const permutation = new Array<number>(permIndex).fill(-1);
    let dim = 0;
    for (const s of opLabels[i]!) {
      if (s === ELLIPSIS) {
        const ndim = operand.ndim - (opLabels[i]!.length - 1);
        for (let j = ellNumDim - ndim; j < ellNumDim; j++) {
          const size = op._shape[dim]!;
          if (size !== 1) {
            if (ellSizes[j] !== 1 && ellSizes[j] !== size)
              throw new RuntimeError(`einsum(): dimension ${dim} covered by ellipsis in operand ${i}has size ${size} which does not ` +
                `broadcast with previously seen ellipsis with size ${ellSizes[j]} for the respective dimension`);
            ellSizes[j] = size;
            dimCounts[ellIndex + j]!++;
          }
          permutation[ellIndex + j] = dim++;
        }
      } else if (permutation[labelPermIndex[s]!] === -1) {
        const size = op._shape[dim]!;
        if (size !== 1) {
          if (labelSize[s] !== 1 && labelSize[s] !== size)
            throw new RuntimeError(`einsum(): subscript ${labelOf(s)} has size ${size} for operand ${i} which does not broadcast with previously seen size ${labelSize[s]}`);
          labelSize[s] = size;
          dimCounts[labelPermIndex[s]!]!++;
        }
        permutation[labelPermIndex[s]!] = dim++;
      } else {
        const prev = permutation[labelPermIndex[s]!]!;
        if (op._shape[dim] !== op._shape[prev])
          throw new RuntimeError(`einsum(): subscript ${labelOf(s)} is repeated for operand ${i} but the sizes don't match, ${op._shape[dim]} != ${op._shape[prev]}`);
        op = movedim(diagonal(op, 0, prev, dim), -1, prev);  // the diagonal replaces dims prev and dim
      }
    }
    for (let p = 0; p < permIndex; p++) {
      if (permutation[p] === -1) {
        op = unsqueeze(op, dim);
        permutation[p] = dim++;
      }
    }
    return permute(op, permutation);
  });

  // Contract left to right; a dim is summed as soon as no later operand has it.
  while (ops.length > 1) {
    let a = ops.shift()!, b = ops.shift()!;
    const sumDims: number[] = [], aSum: number[] = [], bSum: number[] = [];
    for (let dim = outNumDim; dim < permIndex; dim++) {
      if (a._shape[dim] !== 1 && b._shape[dim] !== 1) {
        if (--dimCounts[dim]! === 1) { sumDims.push(dim); dimCounts[dim] = 0; }
      } else if (dimCounts[dim] === 1) {
        if (a._shape[dim] !== 1) { aSum.push(dim); dimCounts[dim] = 0; }
        else if (b._shape[dim] !== 1) { bSum.push(dim); dimCounts[dim] = 0; }
      }
    }
    if (aSum.length > 0) a = sum(a, aSum, { keepdim: true });
    if (bSum.length > 0) b = sum(b, bSum, { keepdim: true });
    ops.unshift(sumproductPair(a, b, sumDims));
  }
  const result = ops[0]!;
  if (permIndex - outNumDim === 0) return result;
  const summed = Array.from({ length: permIndex - outNumDim }, (_, i) => outNumDim + i);
  return numOps > 1 ? squeeze(result, summed) : sum(result, summed);
}

