// SPDX-License-Identifier: BSD-3-Clause
// How an op joins the graph: after computing its outputs without grad, it calls record() with
// its backward formula. The formula may ignore broadcasting and dtype: gradients are summed
// back to each input's shape and cast to its dtype here.
import { RuntimeError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { type BackwardFn, FunctionNode, type FusedBackward, SavedTensor, edgeOf, needsGrad } from "./graph.js";
import { isGradEnabled, noGrad } from "./grad-mode.js";

export interface RecordSpec {
  /** PyTorch's node name: "AddBackward0", "MulBackward0", ... */
  name: string;
  /** The op's tensor inputs, in the order the backward returns their gradients (null: not a tensor). */
  inputs: readonly (Tensor | null | undefined)[];
  /** Tensors the backward needs, given back to it in this order (version-checked). */
  save?: readonly Tensor[];
  backward: BackwardFn;
  /** A backward fused with the node of the op's single input (see FusedBackward); the engine decides when it applies. */
  fused?: FusedBackward;
}

/** Sums a gradient over broadcast dims so it has `shape` again. */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (g._shape.length === shape.length && g._shape.every((s, i) => s === shape[i])) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g._shape[i] !== 1)) dims.push(i);
  let r = dims.length ? g.sum(dims, { keepdim: true }) : g;
  if (lead > 0) r = r.reshape([...shape]);
  return r;
}

/** Attaches a node to `outputs` when grad mode is on and an input requires grad. */
export function record<T extends Tensor | Tensor[]>(outputs: T, spec: RecordSpec): T {
  if (!needsGrad(spec.inputs)) return outputs;
  // one pass over the inputs: their metadata, edges and whether each needs a gradient
  const n = spec.inputs.length;
  const metas = new Array<{ shape: number[]; dtype: Tensor["dtype"] }>(n);
  const needs = new Array<boolean>(n);
  for (let i = 0; i < n; i++) {
    const t = spec.inputs[i];
    metas[i] = t ? { shape: t._shape.slice(), dtype: t.dtype } : { shape: [], dtype: "float32" };
  }
  const inner = spec.backward;
  const backward: BackwardFn = (grads, saved, need) => {
    const gs = inner(grads, saved, need);
    const r = new Array<Tensor | null>(gs.length);
    for (let i = 0; i < gs.length; i++) {
      const g = gs[i], m = metas[i];
      if (g === null || g === undefined || m === undefined || need[i] !== true) { r[i] = null; continue; }
      const s = sumToShape(g, m.shape);
      r[i] = s.dtype === m.dtype ? s : s.to(m.dtype);
    }
    return r;
  };
  const outs: Tensor[] = Array.isArray(outputs) ? outputs : [outputs as Tensor];
  const node = new FunctionNode(spec.name, backward, metas, outs.length, needs);
  // edges after the node, so a leaf's AccumulateGrad made here is numbered after it (as before)
  const edges = new Array<ReturnType<typeof edgeOf>>(n);
  for (let i = 0; i < n; i++) {
    const t = spec.inputs[i];
    const e: ReturnType<typeof edgeOf> = t ? edgeOf(t) : [null, 0];
    edges[i] = e;
    needs[i] = e[0] !== null;
  }
  node.nextFunctions = edges;
  if (spec.fused !== undefined) node.fused = spec.fused;
  const save = spec.save;
  if (save !== undefined && save.length > 0)
    node.saved = save.map((t) => {
      const k = outs.indexOf(t);
      return new SavedTensor(t, node, k >= 0, Math.max(k, 0));
    });
  for (let i = 0; i < outs.length; i++) {
    const o = outs[i]!;
    if (!o.isFloatingPoint()) continue;  // integer outputs (indices) never require grad
    o.requiresGrad = true;
    o.gradFn = node;
    o._outputNr = i;
  }
  return outputs;
}

/**
 * Runs an in-place op so autograd sees `target = op(target)`: with grad recording, the op runs
 * out of place on a clone (the old value stays valid for formulas that need it, as PyTorch's
 * original_self), the result is written into target's storage, and target takes the result's
 * place in the graph. A saved result is target itself from then on, so changing it in place again
 * is caught. In place on a view of a tensor in the graph, see inplaceOnView.
 */
export function inplace(target: Tensor, others: readonly unknown[], run: (self: Tensor) => Tensor, direct: () => Tensor): Tensor {
  if (!isGradEnabled() || !needsGrad([target, ...others])) return direct();
  const base = target._base;
  // PyTorch's check_inplace: a view of a leaf first (whether or not the leaf requires grad), then a leaf
  if (base !== null && target.requiresGrad && base.isLeaf)
    throw new RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.");
  if (target.isLeaf && target.requiresGrad)
    throw new RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.");
  if (base !== null && (base.requiresGrad || needsGrad(others))) return inplaceOnView(target, base, run);
  const result = run(target.clone());
  noGrad(() => target.copy_(result.to(target.dtype)));
  target.requiresGrad = result.requiresGrad;
  target.gradFn = result.gradFn;
  target._outputNr = result._outputNr;
  if (result.gradFn instanceof FunctionNode) result.gradFn.resaveOutput(result, target);
  return target;
}

/**
 * In place on a view: the base's new value is its old one with the view's region replaced by the
 * op's result (PyTorch's CopySlices: the region's gradient goes to the result, the rest to the old
 * base), and the view becomes an as_strided view of the new base (AsStridedBackward0). Other views
 * of the same base keep their old nodes.
 */
function inplaceOnView(target: Tensor, base: Tensor, run: (self: Tensor) => Tensor): Tensor {
  if (base.isLeaf && base.requiresGrad)  // (a view made under noGrad: PyTorch refuses it too)
    throw new RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.");
  if (!base.isContiguous())
    throw new RuntimeError("in-place operations on views of a non-contiguous tensor that requires grad are not " +
      "supported yet (issue #3); use the out-of-place op");
  const shape = [...target._shape], strides = [...target._strides], offset = target._offset - base._offset;
  // the view's region of a tensor laid out like base (a differentiable view: as_strided)
  const region = (t: Tensor): Tensor => {
    const c = t.contiguous();
    return c.asStrided(shape, strides, c._offset + offset);
  };
  // ones outside the view's region, zeros inside
  const outside = (g: Tensor): Tensor => noGrad(() => {
    const m = g.newOnes(base._shape);
    m._view(shape, strides, m._offset + offset).fill_(0);
    return m;
  });
  const out = run(target.clone());
  const result = out.to(target.dtype);
  noGrad(() => target.copy_(result));
  if (out.gradFn instanceof FunctionNode) out.gradFn.resaveOutput(out, target);
  record(base, {
    name: "CopySlices", inputs: [base, result],
    backward: ([g]) => [g!.mul(outside(g!)), region(g!)],
  });
  const v = base.asStrided(shape, strides, target._offset);
  target.requiresGrad = true;
  target.gradFn = v.gradFn;
  target._outputNr = 0;
  return target;
}
