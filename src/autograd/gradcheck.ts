// SPDX-License-Identifier: BSD-3-Clause
// gradcheck / gradgradcheck: analytical gradients (autograd) against central differences, with
// PyTorch's defaults (eps 1e-6, atol 1e-5, rtol 1e-3) and pass rule
// |analytical - numerical| <= atol + rtol * |numerical| (torch/autograd/gradcheck.py).
import { RuntimeError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { grad } from "./engine.js";
import { enableGrad, noGrad } from "./grad-mode.js";

export interface GradcheckOptions { eps?: number; atol?: number; rtol?: number; raiseException?: boolean }

type Fn = (...inputs: Tensor[]) => Tensor | Tensor[];

const outputsOf = (r: Tensor | Tensor[]): Tensor[] => (Array.isArray(r) ? r : [r]);

/** Storage indices of t's elements in row-major order. */
function storageIndices(t: Tensor): number[] {
  const out: number[] = [];
  const rec = (d: number, off: number) => {
    if (d === t.ndim) { out.push(off); return; }
    for (let i = 0; i < t._shape[d]!; i++) rec(d + 1, off + i * t._strides[d]!);
  };
  rec(0, t._offset);
  return out;
}

function flatValues(t: Tensor): number[] {
  return noGrad(() => (t.reshape(-1).double().tolist() as number[]));
}

function fmt(m: number[][]): string {
  return m.map((row) => row.map((v) => v.toFixed(4)).join(", ")).join("\n");
}

/**
 * d out[o] / d x[si] by central differences, perturbing storage element `si` of an input in place.
 * fn runs with grad mode as it is (as PyTorch's): gradgradcheck's fn differentiates inside.
 */
function centralDifference(fn: Fn, ins: Tensor[], o: number, data: Float64Array | Float32Array, si: number, eps: number): number[] {
  const orig = data[si]!;
  data[si] = orig + eps;
  const plus = flatValues(outputsOf(fn(...ins))[o]!);
  data[si] = orig - eps;
  const minus = flatValues(outputsOf(fn(...ins))[o]!);
  data[si] = orig;
  return plus.map((v, k) => (v - minus[k]!) / (2 * eps));
}

export function gradcheck(fn: Fn, inputs: Tensor | readonly Tensor[], opts: GradcheckOptions = {}): boolean {
  const eps = opts.eps ?? 1e-6, atol = opts.atol ?? 1e-5, rtol = opts.rtol ?? 1e-3;
  const ins = Array.isArray(inputs) ? [...inputs] : [inputs as Tensor];
  const diffIdx = ins.map((t, i) => (t.requiresGrad ? i : -1)).filter((i) => i >= 0);
  if (diffIdx.length === 0) throw new RuntimeError("gradcheck expects at least one input tensor to require gradient, but none of the them have requires_grad=True.");
  for (const i of diffIdx) {
    const t = ins[i]!;
    if (t.dtype !== "float64")
      process.emitWarning(`Input #${i} requires gradient and is not a double precision floating point or complex. This check will likely fail if all the inputs are not of double precision floating point or complex.`);
  }
  const outs = outputsOf(fn(...ins));
  const fail = (msg: string): boolean => {
    if (opts.raiseException ?? true) throw new RuntimeError(msg);
    return false;
  };
  // outputs that do not require grad are left out, as PyTorch's; when none does, every numerical
  // derivative must be zero (_check_no_differentiable_outputs)
  if (!outs.some((t) => t.requiresGrad)) {
    for (let o = 0; o < outs.length; o++)
      for (const i of diffIdx) {
        const x = ins[i]!, data = x._storage.data as Float64Array | Float32Array;
        for (const si of storageIndices(x))
          if (centralDifference(fn, ins, o, data, si, eps).some((v) => v !== 0))
            return fail("Numerical gradient for function expected to be zero");
      }
    return true;
  }
  for (let o = 0; o < outs.length; o++) {
    const out = outs[o]!;
    if (!out.requiresGrad) continue;
    const n = out.numel();
    for (const i of diffIdx) {
      const x = ins[i]!;
      // numerical: column j = (f(x + eps e_j) - f(x - eps e_j)) / 2eps
      const idx = storageIndices(x);
      const data = x._storage.data as Float64Array | Float32Array;
      const numerical: number[][] = idx.map(() => new Array<number>(n).fill(0));
      idx.forEach((si, j) => { numerical[j] = centralDifference(fn, ins, o, data, si, eps); });
      // analytical: row k = d out[k] / d x
      const analytical: number[][] = idx.map(() => new Array<number>(n).fill(0));
      for (let k = 0; k < n; k++) {
        const onehot = out.newZeros(out._shape).reshape(-1);
        noGrad(() => onehot.narrow(0, k, 1).fill_(1));
        const [g] = grad([out], [x], { gradOutputs: [onehot.reshape(out._shape)], retainGraph: true, allowUnused: true });
        const gv = g ? flatValues(g) : new Array<number>(idx.length).fill(0);
        for (let j = 0; j < idx.length; j++) analytical[j]![k] = gv[j]!;
      }
      for (let j = 0; j < idx.length; j++)
        for (let k = 0; k < n; k++) {
          const a = analytical[j]![k]!, nu = numerical[j]![k]!;
          if (!(Math.abs(a - nu) <= atol + rtol * Math.abs(nu)))
            return fail(`Jacobian mismatch for output ${o} with respect to input ${i},\nnumerical:\n${fmt(numerical)}\nanalytical:\n${fmt(analytical)}\n`);
        }
    }
  }
  return true;
}

/** Checks second derivatives: gradcheck of (inputs, gradOutputs) -> grad(fn(inputs), inputs, gradOutputs). */
export function gradgradcheck(fn: Fn, inputs: Tensor | readonly Tensor[], gradOutputs?: Tensor | readonly Tensor[], opts: GradcheckOptions = {}): boolean {
  const ins = Array.isArray(inputs) ? [...inputs] : [inputs as Tensor];
  const outs = outputsOf(fn(...ins));
  const gos = gradOutputs === undefined
    ? outs.map((o) => noGrad(() => o.detach().clone().uniform_(-1, 1)).requiresGrad_(true))
    : (Array.isArray(gradOutputs) ? [...gradOutputs] : [gradOutputs as Tensor]);
  // grad mode on: the inner grad builds a graph whatever mode the caller is in
  const wrapped = (...all: Tensor[]) => enableGrad(() => {
    const xs = all.slice(0, ins.length), gs = all.slice(ins.length);
    const ys = outputsOf(fn(...xs));
    const gradsOf = grad(ys, xs.filter((t) => t.requiresGrad), { gradOutputs: gs, createGraph: true, allowUnused: true });
    return gradsOf.filter((g): g is Tensor => g !== null);
  });
  return gradcheck(wrapped, [...ins, ...gos], opts);
}
