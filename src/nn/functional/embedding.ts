// SPDX-License-Identifier: BSD-3-Clause
// F.embedding, F.embeddingBag and F.oneHot (torch/nn/functional.py over ATen's Embedding.cpp /
// EmbeddingBag.cpp, PyTorch 1.13).
import { noGrad } from "../../autograd/grad-mode.js";
import { record } from "../../autograd/record.js";
import { IndexError, RuntimeError, ValueError, NotImplementedError } from "../../errors.js";
import { tensor, zeros } from "../../ops/creation.js";
import { stack } from "../../ops/join.js";
import { norm } from "../../ops/reduce.js";
import type { Tensor } from "../../tensor/tensor.js";
import { AssertionError } from "./activation.js";


const TYPE_NAME: Record<string, string> = { float32: "FloatTensor", float64: "DoubleTensor", float16: "HalfTensor", bfloat16: "BFloat16Tensor", bool: "BoolTensor",
  uint8: "ByteTensor", int8: "CharTensor", int16: "ShortTensor" };

function checkIndices(indices: Tensor, fn: string): void {
  if (indices.dtype !== "int64" && indices.dtype !== "int32")
    throw new RuntimeError(`Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.${TYPE_NAME[indices.dtype] ?? indices.dtype} instead (while checking arguments for ${fn})`);
}

/** PyTorch's padding_idx normalisation: negative counts from the end; null is -1 (none). */
export function paddingIndex(paddingIdx: number | null | undefined, numEmbeddings: number): number {
  if (paddingIdx === null || paddingIdx === undefined) return -1;
  if (paddingIdx > 0 && paddingIdx >= numEmbeddings) throw new AssertionError("Padding_idx must be within num_embeddings");
  if (paddingIdx < 0) {
    if (paddingIdx < -numEmbeddings) throw new AssertionError("Padding_idx must be within num_embeddings");
    return numEmbeddings + paddingIdx;
  }
  return paddingIdx;
}

/**
 * torch.embedding_renorm_: rows of `weight` referenced by `indices` whose normType-norm exceeds
 * maxNorm are scaled in place to maxNorm / (norm + 1e-7).
 */
export function embeddingRenorm_(weight: Tensor, indices: Tensor, maxNorm: number, normType: number): Tensor {
  return noGrad(() => {
    const unique = [...new Set(indices.reshape(-1).tolist() as number[])].sort((a, b) => a - b);
    for (const i of unique) {
      const row = weight.select(0, i);
      const n = norm(row, normType).item() as number;
      if (n > maxNorm) row.mul_(maxNorm / (n + 1e-7));
    }
    return weight;
  });
}

export interface EmbeddingOptions { paddingIdx?: number | null; maxNorm?: number | null; normType?: number; scaleGradByFreq?: boolean; sparse?: boolean }

/**
 * F.embedding(input, weight, { paddingIdx, maxNorm, normType = 2, scaleGradByFreq }): rows of
 * weight looked up by the indices in input, (*) -> (*, embeddingDim). The row at paddingIdx gets
 * no gradient; with scaleGradByFreq each row's gradient is divided by its count in the batch;
 * with maxNorm the looked-up rows are renormalised in place first.
 */
export function embedding(input: Tensor, weight: Tensor, { paddingIdx = null, maxNorm = null, normType = 2, scaleGradByFreq = false }: EmbeddingOptions = {}): Tensor {
  checkIndices(input, "embedding");
  const num = weight.shape[0]!, dim = weight.shape[1]!;
  const pad = paddingIndex(paddingIdx, num);
  const flat = input.reshape(-1).long();
  const ids = flat.tolist() as number[];
  for (const i of ids) if (i < 0 || i >= num) throw new IndexError("index out of range in self");
  if (maxNorm !== null) embeddingRenorm_(weight, input, maxNorm, normType);
  const out = noGrad(() => weight.indexSelect(0, flat).reshape([...input.shape, dim]));  // (*) -> (*, D)
  return record(out, {
    name: "EmbeddingBackward0", inputs: [weight], save: [],
    backward: ([g]) => {
      const rows = g!.reshape([-1, dim]);  // (n, D)
      const counts = new Map<number, number>();
      for (const i of ids) counts.set(i, (counts.get(i) ?? 0) + 1);
      const scale = tensor(ids.map((i) => (i === pad ? 0 : scaleGradByFreq ? 1 / counts.get(i)! : 1)), { dtype: g!.dtype }).unsqueeze(1);
      return [zeros([num, dim], { dtype: g!.dtype }).indexAdd(0, flat, rows.mul(scale))];
    },
  });
}

export type BagMode = "sum" | "mean" | "max";
export interface EmbeddingBagOptions {
  offsets?: Tensor | null; maxNorm?: number | null; normType?: number; scaleGradByFreq?: boolean; mode?: BagMode; sparse?: boolean;
  perSampleWeights?: Tensor | null; includeLastOffset?: boolean; paddingIdx?: number | null;
}

/**
 * F.embeddingBag(input, weight, offsets?, { mode = "mean", perSampleWeights, paddingIdx, ... }):
 * sums, means or maxima of bags of embeddings without building the (*, D) intermediate per bag
 * in PyTorch's kernel; here each bag is reduced from its rows. input (B, N) is B bags of N; a 1-D
 * input is split at `offsets`. Entries equal to paddingIdx are left out (an empty bag gives zeros).
 */
export function embeddingBag(input: Tensor, weight: Tensor, offsets: Tensor | null | EmbeddingBagOptions = null, opts: EmbeddingBagOptions = {}): Tensor {
  if (offsets !== null && !("dtype" in offsets)) return embeddingBag(input, weight, (offsets as EmbeddingBagOptions).offsets ?? null, offsets as EmbeddingBagOptions);
  const { maxNorm = null, normType = 2, scaleGradByFreq = false, mode = "mean", perSampleWeights = null, includeLastOffset = false, paddingIdx = null } = opts;
  checkIndices(input, "embedding_bag");
  if (perSampleWeights !== null && !(perSampleWeights.ndim === input.ndim && perSampleWeights.shape.every((s, i) => s === input.shape[i])))
    throw new ValueError(`embedding_bag: If per_sample_weights (${JSON.stringify(perSampleWeights.shape)}) is not None, then it must have the same shape as the input (${JSON.stringify(input.shape)})`);
  if (weight.ndim !== 2) throw new ValueError(`weight has to be a 2D Tensor, but got Tensor of dimension ${weight.ndim}`);
  let idx = input, psw = perSampleWeights, offs: number[];
  if (input.ndim === 2) {
    if (offsets !== null) throw new ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences. However, found offsets of type <class 'torch.Tensor'>");
    const [B, N] = input.shape as [number, number];
    offs = Array.from({ length: B }, (_, i) => i * N);
    idx = input.reshape(-1);
    psw = psw?.reshape(-1) ?? null;
  } else if (input.ndim === 1) {
    if (offsets === null) throw new ValueError("offsets has to be a 1D Tensor but got None");
    if (offsets.ndim !== 1) throw new ValueError("offsets has to be a 1D Tensor");
    offs = offsets.tolist() as number[];
  } else throw new ValueError(`input has to be 1D or 2D Tensor, but got Tensor of dimension ${input.ndim}`);
  if (!["sum", "mean", "max"].includes(mode)) throw new ValueError(`mode has to be one of sum, mean or max`);
  if (perSampleWeights !== null && mode !== "sum")
    throw new NotImplementedError(`embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='${mode}'). Please open a feature request on GitHub.`);
  const n = idx.numel();
  if (offs.length > 0 && offs[offs.length - 1]! > n)
    throw new RuntimeError(`offsets[-1] can not be greater than input's length ${n} but got offsets[-1] of ${offs[offs.length - 1]}`);
  const num = weight.shape[0]!, D = weight.shape[1]!;
  const pad = paddingIndex(paddingIdx, num);
  const ids = idx.tolist() as number[];
  for (const i of ids) if (i < 0 || i >= num) throw new IndexError("index out of range in self");
  if (maxNorm !== null) embeddingRenorm_(weight, idx, maxNorm, normType);
  const bags = includeLastOffset ? offs.length - 1 : offs.length;
  const ends = offs.slice(1).concat(includeLastOffset ? [] : [n]);
  // the entries that take part (padding left out), with their bag; per-bag counts for "mean"
  const entryPos: number[] = [], entryBag: number[] = [], counts = new Array<number>(bags).fill(0);
  for (let b = 0; b < bags; b++)
    for (let k = offs[b]!; k < ends[b]!; k++) if (ids[k] !== pad) { entryPos.push(k); entryBag.push(b); counts[b]! += 1; }
  const rowIds = entryPos.map((k) => ids[k]!);
  const freq = new Map<number, number>();
  for (const r of rowIds) freq.set(r, (freq.get(r) ?? 0) + 1);
  const pos = tensor(entryPos, { dtype: "int64" }), bagOf = tensor(entryBag, { dtype: "int64" }), rows = tensor(rowIds, { dtype: "int64" });
  const dt = weight.dtype;
  // per-entry gradient scale: 1/count for "mean", 1/frequency with scaleGradByFreq
  const scale = tensor(entryBag.map((b, e) => (mode === "mean" ? 1 / counts[b]! : 1) * (scaleGradByFreq && mode !== "max" ? 1 / freq.get(rowIds[e]!)! : 1)), { dtype: dt }).unsqueeze(1);
  let argRows: Tensor | null = null;  // (B, D) rows of weight that gave each max
  const out = noGrad(() => {
    let e = weight.indexSelect(0, rows);  // (entries, D)
    if (psw !== null) e = e.mul(psw.indexSelect(0, pos).unsqueeze(1));
    if (mode !== "max") {
      const summed = zeros([bags, D], { dtype: dt }).indexAdd(0, bagOf, e);
      return mode === "sum" ? summed : summed.div(tensor(counts.map((c) => Math.max(c, 1)), { dtype: dt }).unsqueeze(1));
    }
    const maxRows: Tensor[] = [], argmax: Tensor[] = [];
    let start = 0;
    for (let b = 0; b < bags; b++) {
      const c = counts[b]!;
      if (c === 0) { maxRows.push(zeros([D], { dtype: dt })); argmax.push(zeros([D], { dtype: "int64" }).fill_(-1)); continue; }
      const [v, i] = e.narrow(0, start, c).max(0);  // first maximum, as PyTorch's kernel
      maxRows.push(v);
      argmax.push(rows.narrow(0, start, c).index(i));
      start += c;
    }
    argRows = bags === 0 ? zeros([0, D], { dtype: "int64" }) : stack(argmax, 0);
    return bags === 0 ? zeros([0, D], { dtype: dt }) : stack(maxRows, 0);  // (B, D)
  });
  return record(out, {
    name: "EmbeddingBagBackward0", inputs: [weight, psw], save: [weight],
    backward: ([g], [w]) => {
      if (mode === "max") {
        const valid = argRows!.ge(0);
        const gw = zeros([num, D], { dtype: g!.dtype }).scatterAdd(0, argRows!.clampMin(0), g!.mul(valid));
        return [gw, null];
      }
      const gEntry = g!.indexSelect(0, bagOf).mul(scale);  // (entries, D)
      const gw = zeros([num, D], { dtype: g!.dtype }).indexAdd(0, rows, psw !== null ? gEntry.mul(psw.indexSelect(0, pos).unsqueeze(1)) : gEntry);
      const gpsw = psw !== null ? zeros([n], { dtype: g!.dtype }).indexAdd(0, pos, g!.indexSelect(0, bagOf).mul(w!.indexSelect(0, rows)).sum(1)) : null;
      return [gw, gpsw === null ? null : gpsw.reshape(perSampleWeights!.shape)];
    },
  });
}

/** F.oneHot(tensor, numClasses = -1): int64 (*) -> (*, numClasses) of 0/1; -1 takes max + 1. */
export function oneHot(input: Tensor, numClasses = -1): Tensor {
  if (input.dtype !== "int64") throw new RuntimeError("one_hot is only applicable to index tensor.");
  const vals = input.reshape(-1).tolist() as number[];
  if (numClasses === -1) {
    if (vals.length === 0) throw new RuntimeError("Can not infer total number of classes from empty tensor.");
    numClasses = Math.max(...vals) + 1;
  }
  if (vals.some((v) => v < 0)) throw new RuntimeError("Class values must be non-negative.");
  if (vals.some((v) => v >= numClasses)) throw new RuntimeError("Class values must be smaller than num_classes.");
  const out = zeros([...input.shape, numClasses], { dtype: "int64" });  // (*) -> (*, C)
  return out.scatter(-1, input.unsqueeze(-1), 1);
}
export { NotImplementedError };
