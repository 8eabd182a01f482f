// SPDX-License-Identifier: BSD-3-Clause
// The autograd graph: a node per differentiable op application, edges to the nodes of its
// inputs, leaves ending in AccumulateGrad. Backward formulas are written with ops, so with
// createGraph they build a graph themselves (higher-order gradients).
import { RuntimeError } from "../errors.js";
import type { DType } from "../tensor/dtype.js";
import { SCALAR_TYPE_NAME } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { isGradEnabled } from "./grad-mode.js";

export type Edge = [Node | null, number];
export type GradHook = (grad: Tensor) => Tensor | void | null | undefined;

let nextSequence = 0;

export abstract class Node {
  /** One edge per differentiable input: the input's node and which of its outputs it is. */
  nextFunctions: Edge[] = [];
  /** Creation order: the engine runs later nodes first among those ready. */
  readonly sequenceNr = nextSequence++;
  /** @internal Made on first use (most nodes never have hooks or retained outputs). */
  _outputHooks: Map<number, GradHook[]> | null = null;
  /** @internal */
  _retained: Map<number, WeakRef<Tensor>> | null = null;
  /** Hooks on gradients flowing into this node's outputs (Tensor.registerHook on non-leaves). */
  get outputHooks(): Map<number, GradHook[]> { return (this._outputHooks ??= new Map()); }
  /** Tensors asking for retainGrad(), by output index. */
  get retained(): Map<number, WeakRef<Tensor>> { return (this._retained ??= new Map()); }

  abstract name(): string;
  /** Gradients of the inputs, given the gradients of the outputs (null = zero). */
  abstract apply(gradOutputs: (Tensor | null)[]): (Tensor | null)[];
  /** Frees saved tensors after a backward without retainGraph. */
  release(): void {}
  get numOutputs(): number { return 1; }
  toString(): string { return `<${this.name()} object>`; }
  [Symbol.for("nodejs.util.inspect.custom")](): string { return this.toString(); }
}

/** A tensor saved for backward, with the version it had, so in-place changes are caught. */
export class SavedTensor {
  private tensor: Tensor | null;
  private readonly version: number;
  constructor(t: Tensor, private readonly owner: { name(): string }, private readonly isOutput: boolean, private readonly outputNr = 0) {
    this.tensor = t;
    this.version = t._version;
  }
  unpack(): Tensor {
    const t = this.tensor;
    if (t === null)
      throw new RuntimeError("Trying to backward through the graph a second time (or directly access saved tensors " +
        "after they have already been freed). Saved intermediate values of the graph are freed when you call " +
        ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a " +
        "second time or if you need to access saved tensors after calling backward.");
    if (t._version !== this.version) {
      // PyTorch names the tensor's node: this one for a saved output, the input's own (current) one
      // for a saved input, none for a leaf
      const which = this.isOutput ? `, which is output ${this.outputNr} of ${this.owner.name()},`
        : t.gradFn !== null ? `, which is output ${t._outputNr} of ${t.gradFn.name()},` : "";
      throw new RuntimeError("one of the variables needed for gradient computation has been modified by an inplace " +
        `operation: [torch.${SCALAR_TYPE_NAME[t.dtype]}Tensor [${t._shape.join(", ")}]]${which} is at ` +
        `version ${t._version}; expected version ${this.version} instead. Hint: enable anomaly detection to find the ` +
        "operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).");
    }
    return t;
  }
  /** Whether this saves the tensor object `t`. */
  holds(t: Tensor): boolean { return this.tensor === t; }
  release(): void { this.tensor = null; }
}

export interface InputMeta { shape: number[]; dtype: DType }

/**
 * A node's backward formula. `needs[i]` says whether input i needs a gradient (PyTorch's
 * needs_input_grad): formulas may skip the others (their results are ignored).
 */
export type BackwardFn = (grads: (Tensor | null)[], saved: Tensor[], needs: readonly boolean[]) => (Tensor | null)[];

/**
 * A backward through a node and the node its single input edge leads to, in one step (max pool
 * over a relu: one native pass instead of a scatter and a mask). The engine uses it only where the
 * result is the two backwards': `next` would receive no other gradient, and nothing observes the
 * gradient between them (no hooks or retained grad on next's output, no autograd.grad capture, no
 * createGraph, no anomaly mode). `run` gets this node's output gradients and both nodes' saved
 * tensors (version-checked) and returns what next's backward would return (next's input shapes
 * and dtypes), or null to decline (the two backwards then run as usual).
 */
export interface FusedBackward {
  /** The name of the node the input edge must lead to ("ReluBackward0"). */
  next: string;
  run: (grads: (Tensor | null)[], saved: Tensor[], nextSaved: Tensor[]) => (Tensor | null)[] | null;
}

/** The node of one op application: its backward formula plus what it saved. */
export class FunctionNode extends Node {
  saved: SavedTensor[] = [];
  private released = false;
  /** Set for custom autograd.Function nodes: their gradients may be kept by user code, so the
   * engine never takes them over as a leaf's .grad without a copy. */
  opaque = false;
  /** @internal A fused backward with the next node (see FusedBackward), or null. */
  fused: FusedBackward | null = null;
  constructor(private readonly opName: string, private readonly backward: BackwardFn, readonly inputs: InputMeta[],
    private readonly outputs = 1, readonly needs: readonly boolean[] = []) {
    super();
  }
  name(): string { return this.opName; }
  override get numOutputs(): number { return this.outputs; }
  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    if (this.released && this.saved.length > 0) this.saved[0]!.unpack();
    return this.backward(grads, this.saved.map((s) => s.unpack()), this.needs);
  }
  /** @internal The saved tensors, checked as apply() checks them (freed, modified in place). */
  unpackSaved(): Tensor[] {
    if (this.released && this.saved.length > 0) this.saved[0]!.unpack();
    return this.saved.map((s) => s.unpack());
  }
  override release(): void {
    this.released = true;
    this.fused = null;  // its closure may hold the op's output
    for (const s of this.saved) s.release();
  }
  /**
   * An in-place op computed its result `from` out of place and wrote it into `to`: save `to`
   * instead, at its version now, so a later in-place change to it is caught as in PyTorch.
   */
  resaveOutput(from: Tensor, to: Tensor): void {
    this.saved = this.saved.map((s) => (s.holds(from) ? new SavedTensor(to, this, true, 0) : s));
  }
}

/** The sink for a leaf's gradient: sums it into `leaf.grad`. */
export class AccumulateGrad extends Node {
  constructor(readonly variable: Tensor) { super(); }
  name(): string { return "AccumulateGrad"; }
  apply(): (Tensor | null)[] { throw new RuntimeError("AccumulateGrad is run by the engine"); }
}

/** The edge an op's input contributes: its gradFn, its AccumulateGrad if a leaf needing grad, else none. */
export function edgeOf(t: Tensor): Edge {
  if (t.gradFn !== null) return [t.gradFn as Node, t._outputNr];
  if (t.requiresGrad) {
    t._gradAccumulator ??= new AccumulateGrad(t);
    return [t._gradAccumulator as AccumulateGrad, 0];
  }
  return [null, 0];
}

/** Whether an op on these inputs must record a node. */
export function needsGrad(inputs: readonly unknown[]): boolean {
  if (!isGradEnabled()) return false;
  for (const x of inputs) if (x !== null && typeof x === "object" && (x as Tensor).requiresGrad === true) return true;
  return false;
}

/** PyTorch refuses out= when the result would need a graph, or when out itself requires grad. */
export function checkOut(name: string, tensors: readonly (Tensor | undefined)[], out: Tensor | undefined): void {
  if (out !== undefined && needsGrad(tensors))
    throw new RuntimeError(`${name}(): functions with out=... arguments don't support automatic differentiation, but one ` +
      "of the arguments requires grad.");
}
