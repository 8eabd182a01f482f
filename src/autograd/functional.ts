// SPDX-License-Identifier: BSD-3-Clause
// torch.autograd.functional: vjp, jvp, jacobian, hessian, hvp, vhp over functions of tensors.
// A single tensor in gives a single tensor out; arrays give arrays, as PyTorch's tuples.
import { RuntimeError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { grad } from "./engine.js";
import { enableGrad } from "./grad-mode.js";
import { stack } from "../ops/join.js";

type Inputs = Tensor | readonly Tensor[];
type Fn = (...inputs: Tensor[]) => Tensor | Tensor[];
export interface FunctionalOptions { createGraph?: boolean; strict?: boolean }

const list = (x: Inputs): Tensor[] => (x instanceof Tensor ? [x] : [...x]);
const outputsOf = (r: Tensor | Tensor[]): Tensor[] => (Array.isArray(r) ? r : [r]);

/** Fresh leaves that require grad, sharing nothing with the caller's tensors (unless createGraph). */
function prepare(inputs: Tensor[], createGraph: boolean): Tensor[] {
  return inputs.map((t) => (createGraph && t.requiresGrad ? t.viewAs(t) : t.detach()).requiresGrad_(true));
}

function grads(outs: Tensor[], ins: Tensor[], gradOutputs: Tensor[], createGraph: boolean, strict: boolean): Tensor[] {
  const anyGrad = outs.some((o) => o.requiresGrad);
  const gs = anyGrad
    ? grad(outs.filter((o) => o.requiresGrad), ins, {
      gradOutputs: gradOutputs.filter((_, i) => outs[i]!.requiresGrad), createGraph, retainGraph: true, allowUnused: true,
    })
    : ins.map(() => null);
  return gs.map((g, i) => {
    if (g === null) {
      if (strict) throw new RuntimeError(`The output of the user-provided function is independent of input ${i}. This is not allowed in strict mode.`);
      return ins[i]!.detach().mul(0);
    }
    return createGraph ? g : g.detach();
  });
}

const shapeBack = <T>(single: boolean, xs: T[]): T | T[] => (single ? xs[0]! : xs);

/** vector-Jacobian product: [func(inputs), v^T J]. */
export function vjp(func: Fn, inputs: Inputs, v?: Inputs | null, opts: FunctionalOptions = {}): [Tensor | Tensor[], Tensor | Tensor[]] {
  const single = inputs instanceof Tensor;
  return enableGrad(() => {
    const ins = prepare(list(inputs), opts.createGraph ?? false);
    const r = func(...ins), outs = outputsOf(r);
    const vs = v === undefined || v === null ? outs.map((o) => {
      if (o.numel() !== 1) throw new RuntimeError("The vector v can only be None if the user-provided function returns a single Tensor with a single element.");
      return o.newOnes(o._shape);
    }) : list(v);
    const g = grads(outs, ins, vs, opts.createGraph ?? false, opts.strict ?? false);
    const out = opts.createGraph ? r : Array.isArray(r) ? r.map((o) => o.detach()) : r.detach();
    return [out, shapeBack(single, g)];
  });
}

/** Jacobian-vector product [func(inputs), J v], by the double-backward trick. */
export function jvp(func: Fn, inputs: Inputs, v?: Inputs | null, opts: FunctionalOptions = {}): [Tensor | Tensor[], Tensor | Tensor[]] {
  return enableGrad(() => {
    const ins = prepare(list(inputs), opts.createGraph ?? false);
    const r = func(...ins), outs = outputsOf(r);
    const vs = v === undefined || v === null ? ins.map((t) => {
      if (t.numel() !== 1) throw new RuntimeError("The vector v can only be None if the input to the user-provided function is a single Tensor with a single element.");
      return t.newOnes(t._shape);
    }) : list(v);
    // u -> J^T u is linear in u; its vjp with v is J v
    const us = outs.map((o) => o.newZeros(o._shape).requiresGrad_(true));
    const gIn = grads(outs, ins, us, true, opts.strict ?? false);
    const jv = grads(gIn, us, vs, opts.createGraph ?? false, opts.strict ?? false);
    const out = opts.createGraph ? r : Array.isArray(r) ? r.map((o) => o.detach()) : r.detach();
    return [out, Array.isArray(r) ? jv : jv[0]!];
  });
}

/**
 * The Jacobian: for one input and one output, a tensor of shape out.shape + in.shape; otherwise
 * nested arrays [output][input] (flattened to [input] / [output] when one side is a single tensor).
 */
export function jacobian(func: Fn, inputs: Inputs, opts: FunctionalOptions = {}): Tensor | Tensor[] | Tensor[][] {
  const singleIn = inputs instanceof Tensor;
  const createGraph = opts.createGraph ?? false;
  return enableGrad(() => {
    const ins = prepare(list(inputs), createGraph);
    const r = func(...ins), outs = outputsOf(r);
    const rows = outs.map((o) => {
      const flat = o.reshape(-1);
      const perInput: Tensor[][] = ins.map(() => []);
      for (let k = 0; k < flat._shape[0]!; k++) {
        const onehot = o.newZeros([flat._shape[0]!]);
        onehot.narrow(0, k, 1).fill_(1);
        const g = grads([o], ins, [onehot.reshape(o._shape)], createGraph, opts.strict ?? false);
        g.forEach((gi, i) => perInput[i]!.push(gi));
      }
      return ins.map((t, i) => {
        const rowsOf = perInput[i]!.map((x) => x.reshape(-1));                 // numel(out) x (numel(in))
        const j = rowsOf.length ? stack(rowsOf) : t.newZeros([0, t.numel()]);
        return j.reshape([...o._shape, ...t._shape]);
      });
    });
    const byOut = rows.map((perIn) => (singleIn ? perIn[0]! : perIn));
    return Array.isArray(r) ? (byOut as Tensor[] | Tensor[][]) : byOut[0]!;
  });
}

/** The Hessian of a scalar function: jacobian of its gradient. */
export function hessian(func: (...inputs: Tensor[]) => Tensor, inputs: Inputs, opts: FunctionalOptions = {}): Tensor | Tensor[][] {
  const single = inputs instanceof Tensor;
  const gradFn = (...xs: Tensor[]): Tensor[] => {
    const y = func(...xs);
    if (y.numel() !== 1) throw new RuntimeError("The function given to hessian should return a single element Tensor");
    return grads([y], xs, [y.newOnes(y._shape)], true, opts.strict ?? false);
  };
  const j = jacobian((...xs) => gradFn(...xs), inputs, opts) as Tensor[] | Tensor[][];
  return single ? (j as Tensor[])[0]! : (j as Tensor[][]);
}

/** Hessian-vector product [func(inputs), H v]; vhp is the same for the symmetric Hessian. */
export function hvp(func: (...inputs: Tensor[]) => Tensor, inputs: Inputs, v: Inputs, opts: FunctionalOptions = {}): [Tensor, Tensor | Tensor[]] {
  const single = inputs instanceof Tensor;
  return enableGrad(() => {
    const ins = prepare(list(inputs), opts.createGraph ?? false);
    const y = func(...ins);
    const g = grads([y], ins, [y.newOnes(y._shape)], true, opts.strict ?? false);
    const hv = grads(g, ins, list(v), opts.createGraph ?? false, opts.strict ?? false);
    return [opts.createGraph ? y : y.detach(), shapeBack(single, hv)];
  });
}
export const vhp = hvp;
