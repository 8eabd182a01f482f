// SPDX-License-Identifier: BSD-3-Clause
// Custom autograd functions: `class MyFn extends torch.autograd.Function { static forward(ctx, ...);
// static backward(ctx, ...grads) }`, used as `MyFn.apply(...)`.
import { RuntimeError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { noGrad } from "./grad-mode.js";
import { record } from "./record.js";
import { FunctionNode } from "./graph.js";

export class FunctionCtx {
  /** Which of forward's arguments need a gradient (false for non-tensors). */
  needsInputGrad: boolean[] = [];
  /** @internal */ _toSave: Tensor[] = [];
  /** @internal */ _saved: Tensor[] | null = null;
  /** @internal */ _nonDifferentiable = new Set<Tensor>();
  /** @internal */ _dirty = new Set<Tensor>();
  /** @internal */ _materializeGrads = true;
  /** Anything else forward wants to keep for backward (ctx.constant = 3, as in Python). */
  [key: string]: unknown;

  saveForBackward(...tensors: (Tensor | null)[]): void {
    this._toSave = tensors.filter((t): t is Tensor => t !== null);
  }
  get savedTensors(): Tensor[] {
    if (this._saved === null) throw new RuntimeError("savedTensors is only available in backward");
    return this._saved;
  }
  markNonDifferentiable(...tensors: Tensor[]): void { for (const t of tensors) this._nonDifferentiable.add(t); }
  markDirty(...tensors: Tensor[]): void { for (const t of tensors) this._dirty.add(t); }
  setMaterializeGrads(value: boolean): void { this._materializeGrads = value; }
}

type Grads = Tensor | null | undefined | (Tensor | null | undefined)[];

export class Function {
  static forward(_ctx: FunctionCtx, ..._args: unknown[]): Tensor | Tensor[] {
    throw new RuntimeError("You must implement the forward function for custom autograd.Function.");
  }
  static backward(_ctx: FunctionCtx, ..._grads: (Tensor | null)[]): Grads {
    throw new RuntimeError("You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.");
  }

  static apply<T extends Tensor | Tensor[]>(this: typeof Function, ...args: unknown[]): T {
    const ctx = new FunctionCtx();
    ctx.needsInputGrad = args.map((a) => a instanceof Tensor && a.requiresGrad);
    const result = noGrad(() => this.forward(ctx, ...args));
    const outs = Array.isArray(result) ? result : [result];
    // inputs marked dirty were modified in place: a leaf needing grad may not be, and the
    // modified tensor takes the new node (record() reads its old edge first)
    for (const t of ctx._dirty) {
      if (t.isLeaf && t.requiresGrad)
        throw new RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.");
      t._bumpVersion();
    }
    const differentiable = outs.filter((o) => !ctx._nonDifferentiable.has(o));
    const cls = this;
    const recorded = record(differentiable, {
      name: `${cls.name}Backward`,
      inputs: args.map((a) => (a instanceof Tensor ? a : null)),
      save: ctx._toSave,
      backward: (grads, saved) => {
        ctx._saved = saved;
        const gs = grads.map((g, i) => (g === null && ctx._materializeGrads ? differentiable[i]!.newZeros(differentiable[i]!._shape) : g));
        const r = cls.backward(ctx, ...gs);
        const list = Array.isArray(r) ? r : [r];
        if (list.length !== args.length)
          throw new RuntimeError(`function ${cls.name}Backward returned an incorrect number of gradients (expected ${args.length}, got ${list.length})`);
        return list.map((g, i) => (args[i] instanceof Tensor ? g ?? null : null));
      },
    });
    const node = recorded.find((o) => o.gradFn !== null)?.gradFn;
    if (node instanceof FunctionNode) node.opaque = true;
    return result as T;
  }
}
