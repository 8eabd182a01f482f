// SPDX-License-Identifier: BSD-3-Clause
// F.ctcLoss: the connectionist temporal classification loss, forward and PyTorch's gradient.
import { noGrad } from "../../autograd/grad-mode.js";
import { record } from "../../autograd/record.js";
import { RuntimeError, ValueError } from "../../errors.js";
import { tensor } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { Reduction } from "./loss.js";

const checkReduction = (reduction: string): void => {
  if (!["none", "mean", "sum"].includes(reduction)) throw new ValueError(`${String(reduction)} is not a valid value for reduction`);
};

const lse = (a: number, b: number): number => {
  const m = Math.max(a, b);
  return m === -Infinity ? -Infinity : m + Math.log(Math.exp(a - m) + Math.exp(b - m));
};
const lse3 = (a: number, b: number, c: number): number => {
  let m = Math.max(a, b, c);
  if (m === -Infinity) m = 0;
  return Math.log(Math.exp(a - m) + Math.exp(b - m) + Math.exp(c - m)) + m;
};
const lengthsOf = (v: Tensor | readonly number[] | number): number[] =>
  typeof v === "number" ? [v] : Array.isArray(v) ? [...v as number[]] : ((v as Tensor).reshape(-1).tolist() as number[]);

export interface CtcOptions { blank?: number; reduction?: Reduction; zeroInfinity?: boolean }

/**
 * F.ctcLoss(logProbs, targets, inputLengths, targetLengths, { blank = 0, reduction = "mean", zeroInfinity = false }):
 * the connectionist temporal classification loss (Graves et al. 2006) by the alpha (forward)
 * recursion in log space; the gradient by alpha-beta, with PyTorch's formula (exp(lp) - posterior,
 * the gradient for log_softmax outputs). logProbs (T, N, C) or (T, C); targets (N, S) padded or the
 * concatenated 1-D targets. "mean" divides each loss by its target length, then averages the batch.
 */
export function ctcLoss(logProbs: Tensor, targets: Tensor, inputLengths: Tensor | readonly number[] | number,
  targetLengths: Tensor | readonly number[] | number, { blank = 0, reduction = "mean", zeroInfinity = false }: CtcOptions = {}): Tensor {
  checkReduction(reduction);
  const batched = logProbs.ndim === 3;
  if (!batched) {
    if (logProbs.ndim !== 2) throw new RuntimeError(`ctc_loss expects log_probs to be 2D (unbatched) or 3D (batched), but got ${logProbs.ndim}D`);
    const r = ctcLoss(logProbs.unsqueeze(1), targets.unsqueeze(0), lengthsOf(inputLengths), lengthsOf(targetLengths), { blank, reduction, zeroInfinity });
    return reduction === "none" ? r.squeeze(0) : r;
  }
  const [T, N, C] = logProbs.shape as [number, number, number];
  const inLen = lengthsOf(inputLengths), tgLen = lengthsOf(targetLengths);
  if (blank < 0 || blank >= C) throw new RuntimeError("blank must be in label range");
  if (inLen.length !== N) throw new RuntimeError(`input_lengths must be of size batch_size`);
  if (tgLen.length !== N) throw new RuntimeError(`target_lengths must be of size batch_size`);
  const lp = noGrad(() => logProbs.double().contiguous().reshape(-1).tolist() as number[]);
  const tg = targets.reshape(-1).tolist() as number[];
  const offsets: number[] = [];
  if (targets.ndim === 1) {
    let acc = 0;
    for (const l of tgLen) { offsets.push(acc); acc += l; }
  } else {
    const S = targets.shape[1]!;
    for (let b = 0; b < N; b++) {
      if (tgLen[b]! > S) throw new RuntimeError(`Expected tensor to have size at least ${tgLen[b]} at dimension 1, but got size ${S} for argument #2 'targets' (while checking arguments for ctc_loss_cpu)`);
      offsets.push(b * S);
    }
  }
  const at = (t: number, b: number, c: number): number => lp[(t * N + b) * C + c]!;
  const nll = new Float64Array(N);
  const grads: Float64Array[] = [];
  for (let b = 0; b < N; b++) {
    const Tb = inLen[b]!, L = tgLen[b]!, S2 = 2 * L + 1;
    if (Tb > T) throw new RuntimeError(`Expected input_lengths to have value at most ${T}, but got value ${Tb} (while checking arguments for ctc_loss_cpu)`);
    const label = (s: number): number => (s % 2 === 0 ? blank : tg[offsets[b]! + (s - 1) / 2]!);
    const alpha = new Float64Array(Math.max(Tb, 1) * S2).fill(-Infinity), beta = new Float64Array(Math.max(Tb, 1) * S2).fill(-Infinity);
    if (Tb > 0) {
      alpha[0] = at(0, b, blank);
      if (L > 0) alpha[1] = at(0, b, label(1));
      for (let t = 1; t < Tb; t++)
        for (let s = 0; s < S2; s++) {
          const cur = label(s);
          const a1 = alpha[(t - 1) * S2 + s]!, a2 = s > 0 ? alpha[(t - 1) * S2 + s - 1]! : -Infinity;
          const a3 = s > 1 && label(s - 2) !== cur ? alpha[(t - 1) * S2 + s - 2]! : -Infinity;
          alpha[t * S2 + s] = lse3(a1, a2, a3) + at(t, b, cur);
        }
      const last = (Tb - 1) * S2;
      nll[b] = -(L > 0 ? lse(alpha[last + S2 - 1]!, alpha[last + S2 - 2]!) : alpha[last + S2 - 1]!);
      beta[last + S2 - 1] = at(Tb - 1, b, blank);
      if (L > 0) beta[last + S2 - 2] = at(Tb - 1, b, label(S2 - 2));
      for (let t = Tb - 2; t >= 0; t--)
        for (let s = S2 - 1; s >= 0; s--) {
          const cur = label(s);
          const b1 = beta[(t + 1) * S2 + s]!, b2 = s < S2 - 1 ? beta[(t + 1) * S2 + s + 1]! : -Infinity;
          const b3 = s < S2 - 2 && label(s + 2) !== cur ? beta[(t + 1) * S2 + s + 2]! : -Infinity;
          beta[t * S2 + s] = lse3(b1, b2, b3) + at(t, b, cur);
        }
    } else nll[b] = L > 0 ? Infinity : 0;
    // log of sum over s with label c of alpha * beta, per (t, c)
    const g = new Float64Array(T * C).fill(-Infinity);
    for (let t = 0; t < Tb; t++)
      for (let s = 0; s < S2; s++) {
        const k = t * C + label(s);
        g[k] = lse(g[k]!, alpha[t * S2 + s]! + beta[t * S2 + s]!);
      }
    for (let t = 0; t < T; t++)
      for (let c = 0; c < C; c++) {
        const k = t * C + c;
        if (t >= Tb || (zeroInfinity && nll[b] === Infinity)) { g[k] = 0; continue; }
        const l = at(t, b, c);
        g[k] = Math.exp(l) - Math.exp(g[k]! + nll[b]! - l);
      }
    grads.push(g);
  }
  const dtype = logProbs.dtype;
  const lossValues = Array.from(nll, (v) => (zeroInfinity && v === Infinity ? 0 : v));
  const perSample = tensor(lossValues, { dtype });
  const out = noGrad(() => {
    if (reduction === "none") return perSample;
    if (reduction === "sum") return perSample.sum();
    return perSample.div(tensor(tgLen.map((l) => Math.max(l, 1)), { dtype })).mean();
  });
  // the scale of each sample's loss in the reduced output
  const scale = tgLen.map((l) => (reduction === "mean" ? 1 / Math.max(l, 1) / N : 1));
  return record(out, {
    name: "CtcLossBackward0", inputs: [logProbs], save: [],
    backward: ([go]) => {
      const gb = tensor(Array.from({ length: T }, (_, t) => Array.from({ length: N }, (_, b) => Array.from(grads[b]!.subarray(t * C, (t + 1) * C)))), { dtype: "float64" });
      const w = tensor(scale, { dtype: "float64" }).reshape([1, N, 1]);
      const gout = reduction === "none" ? go!.reshape([1, N, 1]) : go!;
      return [gb.mul(w).mul(gout).to(dtype)];
    },
  });
}
