// SPDX-License-Identifier: BSD-3-Clause
// The backward engine: walks the graph from the outputs with an explicit stack (deep graphs
// must not overflow the JS stack), runs each node once all its consumers have contributed,
// and accumulates leaf gradients (or captures them, for autograd.grad).
import { RuntimeError } from "../errors.js";
import { type Tensor, allocCount } from "../tensor/tensor.js";
import { AccumulateGrad, type Edge, FunctionNode, type Node, edgeOf } from "./graph.js";
import { isAnomalyEnabled, isGradEnabled, noGrad, setGradEnabled } from "./grad-mode.js";

export interface BackwardOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
  inputs?: Tensor | readonly Tensor[];
}

export interface GradOptions {
  gradOutputs?: Tensor | readonly (Tensor | null)[] | null;
  retainGraph?: boolean;
  createGraph?: boolean;
  allowUnused?: boolean;
  materializeGrads?: boolean;
}

function add(a: Tensor | null, b: Tensor | null): Tensor | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.add(b);
}

function rootGrads(outputs: readonly Tensor[], grads: readonly (Tensor | null | undefined)[]): Tensor[] {
  return outputs.map((o, i) => {
    const g = grads[i];
    if (g !== null && g !== undefined) {
      if (g._shape.join() !== o._shape.join())
        throw new RuntimeError(`Mismatch in shape: grad_output[${i}] has a shape of torch.Size([${g._shape.join(", ")}]) ` +
          `and output[${i}] has a shape of torch.Size([${o._shape.join(", ")}]).`);
      return g;
    }
    if (o.numel() !== 1) throw new RuntimeError("grad can be implicitly created only for scalar outputs");
    return o.newOnes(o._shape);
  });
}

/**
 * Runs the graph from `roots` (each with its gradient). `capture` maps nodes/leaves whose incoming
 * gradient is wanted (autograd.grad); when given, leaves are not accumulated and only nodes that
 * lead to a captured one run.
 */
function run(roots: Edge[], grads: Tensor[], retainGraph: boolean, createGraph: boolean,
  capture: Map<Node, number[]> | null): Map<string, Tensor | null> {
  // dependency counts: how many edges point at each node
  // (a node is in `deps` once seen: the roots with 0 until an edge points at them)
  const deps = new Map<Node, number>();
  const stack: Node[] = [];
  for (const [n] of roots) if (n && !deps.has(n)) { deps.set(n, 0); stack.push(n); }
  while (stack.length) {
    const next = stack.pop()!.nextFunctions;
    for (let k = 0; k < next.length; k++) {
      const m = next[k]![0];
      if (!m) continue;
      const d = deps.get(m);
      if (d === undefined) { deps.set(m, 1); stack.push(m); } else deps.set(m, d + 1);
    }
  }
  const seen = deps;
  // with capture: only nodes from which a captured node is reachable need to run
  let needed: Set<Node> | null = null;
  if (capture) {
    needed = new Set(capture.keys());
    let changed = true;
    while (changed) {
      changed = false;
      for (const n of seen.keys()) if (!needed.has(n) && n.nextFunctions.some(([m]) => m && needed!.has(m))) { needed.add(n); changed = true; }
    }
  }
  const buffers = new Map<Node, (Tensor | null)[]>();
  // A leaf's first gradient is taken over without a copy (as PyTorch does when nothing else
  // holds it) only if its storage was made during this run and nothing else can reach it: `live`
  // counts, per storage, the gradient slots waiting in `buffers` that hold it, plus 2 for good
  // once a hook, a retained .grad or a custom Function's backward may have kept it.
  const firstFresh = allocCount() + 1;
  const live = new Map<unknown, number>();
  const hold = (g: Tensor, k: number) => { live.set(g._storage, (live.get(g._storage) ?? 0) + k); };
  const addTo = (n: Node, idx: number, g: Tensor | null) => {
    let b = buffers.get(n);
    if (!b) { b = new Array<Tensor | null>(n.numOutputs).fill(null); buffers.set(n, b); }
    const old = b[idx] ?? null;
    if (g === null) { b[idx] = old; return; }
    if (old === null) { b[idx] = g; hold(g, 1); return; }
    const sum = add(old, g)!;
    hold(old, -1);
    hold(sum, 1);
    b[idx] = sum;
  };
  const release = (gs: readonly (Tensor | null)[]) => { for (const g of gs) if (g) hold(g, -1); };
  const stealable = (g: Tensor) => {
    const root = g._base ?? g;  // a view's storage is its base's
    return root._allocNr >= firstFresh && root._storage === g._storage && live.get(g._storage) === 1;
  };
  roots.forEach(([n, idx], i) => { if (n) addTo(n, idx, grads[i]!); });
  const captured = new Map<string, Tensor | null>();
  const ready: Node[] = [...new Set(roots.map(([n]) => n).filter((n): n is Node => n !== null && deps.get(n) === 0))];
  while (ready.length) {
    // among ready nodes, run the most recently created first (as PyTorch's engine): the largest
    // sequence number (they are unique), taken out by swapping the last one into its place
    let best = ready.length - 1;
    for (let k = best - 1; k >= 0; k--) if (ready[k]!.sequenceNr > ready[best]!.sequenceNr) best = k;
    const node = ready[best]!;
    ready[best] = ready[ready.length - 1]!;
    ready.pop();
    const gradsIn = buffers.get(node) ?? new Array<Tensor | null>(node.numOutputs).fill(null);
    buffers.delete(node);
    // tensor hooks and retained grads on this node's outputs
    for (let i = 0; i < gradsIn.length; i++) {
      let g = gradsIn[i] ?? null;
      if (g === null) continue;
      const hooks = node._outputHooks?.get(i);
      if (hooks !== undefined) for (const h of hooks) {
        hold(g, 2);  // a hook may keep its argument
        const r = h(g);
        if (r) { hold(g, -1); g = r; hold(r, 3); }  // r takes g's slot, and its hook may keep it
      }
      gradsIn[i] = g;
      const t = node._retained?.get(i)?.deref();
      if (t) { t.grad = t.grad ? t.grad.add(g) : (createGraph ? g : g.detach()); hold(g, 2); }
    }
    const want = capture?.get(node);
    if (want) for (const i of want) captured.set(`${node.sequenceNr}:${i}`, gradsIn[i] ?? null);
    if (node instanceof AccumulateGrad) {
      if (!capture) accumulate(node.variable, gradsIn[0] ?? null, createGraph, stealable);
      release(gradsIn);
      continue;
    }
    if (needed && !needed.has(node)) { release(gradsIn); continue; }
    let out: (Tensor | null)[] | null = null;
    // a backward fused with the next node (FunctionNode.fused), where nothing can tell the difference
    const fusedNext = capture === null && !createGraph ? fusable(node, deps, buffers, ready) : null;
    if (fusedNext !== null && !gradsIn.every((g) => g === null)) {
      const prev = isGradEnabled();
      setGradEnabled(false);
      try {
        out = (node as FunctionNode).fused!.run(gradsIn, (node as FunctionNode).unpackSaved(), fusedNext.unpackSaved());
      } finally {
        setGradEnabled(prev);
      }
      if (out !== null) for (let i = 0; i < out.length; i++) if (fusedNext.needs[i] !== true) out[i] = null;
    }
    const ran: Node = out !== null ? fusedNext! : node;  // the node whose outputs go on (next, when fused)
    if (out !== null) {
      release(gradsIn);
      if (!retainGraph) { node.release(); fusedNext!.release(); }
      deps.set(fusedNext!, 0);  // done: its only incoming gradient went into the fused backward
    } else {
      if (gradsIn.every((g) => g === null)) out = node.nextFunctions.map(() => null);
      else {
        const prev = isGradEnabled();  // grad mode createGraph for the formula (noGrad without a closure per node)
        setGradEnabled(createGraph);
        try {
          out = node.apply(gradsIn);
        } finally {
          setGradEnabled(prev);
        }
        if (isAnomalyEnabled()) checkAnomaly(node, out);
        if (!(node instanceof FunctionNode) || node.opaque) for (const g of out) if (g) hold(g, 2);
      }
      release(gradsIn);
      if (!retainGraph) node.release();
    }
    const next = ran.nextFunctions;
    for (let i = 0; i < next.length; i++) {
      const [m, idx] = next[i]!;
      if (!m) continue;
      addTo(m, idx, out![i] ?? null);
      const left = deps.get(m)! - 1;
      deps.set(m, left);
      if (left === 0) ready.push(m);
    }
  }
  return captured;
}

/**
 * The node `node`'s fused backward (FunctionNode.fused) runs through, or null: its single input
 * edge leads to output 0 of a one-output FunctionNode of the named kind that waits for no other
 * gradient, with no hooks or retained grad on that output, neither node opaque, anomaly mode off,
 * and that would run right after `node` anyway (a later sequence number than every ready node), so
 * the gradients it passes on are summed in the same order as without fusing.
 */
function fusable(node: Node, deps: Map<Node, number>, buffers: Map<Node, (Tensor | null)[]>, ready: readonly Node[]): FunctionNode | null {
  if (!(node instanceof FunctionNode) || node.fused === null || node.opaque || node.nextFunctions.length !== 1) return null;
  const [m, idx] = node.nextFunctions[0]!;
  if (!(m instanceof FunctionNode) || idx !== 0 || m.opaque || m.numOutputs !== 1 || m.name() !== node.fused.next) return null;
  if (deps.get(m) !== 1 || buffers.has(m) || (m._outputHooks?.size ?? 0) > 0 || (m._retained?.size ?? 0) > 0) return null;
  for (const r of ready) if (r.sequenceNr > m.sequenceNr) return null;
  return isAnomalyEnabled() ? null : m;
}

/** Anomaly mode: a NaN in a backward names the node (and so the forward op) that produced it. */
function checkAnomaly(node: Node, grads: (Tensor | null)[]): void {
  grads.forEach((g, i) => {
    if (g && g.isFloatingPoint() && noGrad(() => g.isnan().any().item()) === true)
      throw new RuntimeError(`Function '${node.name()}' returned nan values in its ${i}th output.`);
  });
}

function accumulate(leaf: Tensor, g: Tensor | null, createGraph: boolean, stealable?: (g: Tensor) => boolean): void {
  if (g === null) return;
  let grad = g;
  for (const h of leaf._hooks) {
    const r = h(grad);
    if (r) grad = r;
  }
  // the first gradient is copied (the incoming one may be a user's tensor or shared by another
  // leaf) unless the engine knows nothing else holds it
  const steal = !createGraph && leaf.grad === null && leaf._hooks.length === 0 && stealable !== undefined && stealable(g) &&
    g.isContiguous() && g.dtype === leaf.dtype && g._shape.length === leaf._shape.length && g._shape.every((s, i) => s === leaf._shape[i]);
  if (!createGraph) grad = grad.detach();
  if (steal) leaf.grad = grad;
  else if (leaf.grad === null) leaf.grad = createGraph ? grad : noGrad(() => grad.clone());
  else leaf.grad = createGraph ? leaf.grad.add(grad) : noGrad(() => leaf.grad!.add_(grad));
  for (const h of leaf._postAccumulateHooks) h(leaf);
}

function asList<T>(x: T | readonly T[] | null | undefined): T[] {
  if (x === null || x === undefined) return [];
  return Array.isArray(x) ? [...(x as T[])] : [x as T];
}

/** tensor.backward(gradient?, opts) / torch.autograd.backward. */
export function backward(tensors: Tensor | readonly Tensor[], gradTensors?: Tensor | readonly (Tensor | null)[] | null, opts: BackwardOptions = {}): void {
  const outs = asList(tensors);
  outs.forEach((o, i) => {
    if (!o.requiresGrad)
      throw new RuntimeError(`element ${i} of tensors does not require grad and does not have a grad_fn`);
  });
  const grads = rootGrads(outs, asList(gradTensors));
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const inputs = asList(opts.inputs);
  if (inputs.length === 0) {
    run(outs.map(edgeOf), grads, retainGraph, createGraph, null);
    return;
  }
  // backward(inputs=...): accumulate only into the given tensors
  const got = grad(outs, inputs, { gradOutputs: grads, retainGraph, createGraph, allowUnused: true });
  inputs.forEach((t, i) => {
    const g = got[i];
    if (g) accumulate(t, g, createGraph);
  });
}

/** torch.autograd.grad(outputs, inputs, opts): the gradients, without touching `.grad`. */
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], opts: GradOptions = {}): (Tensor | null)[] {
  const outs = asList(outputs), ins = asList(inputs);
  outs.forEach((o, i) => {
    if (!o.requiresGrad)
      throw new RuntimeError(`element ${i} of tensors does not require grad and does not have a grad_fn`);
  });
  for (const t of ins) if (!t.requiresGrad) throw new RuntimeError("One of the differentiated Tensors does not require grad");
  const grads = rootGrads(outs, asList(opts.gradOutputs as Tensor | (Tensor | null)[] | null));
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const capture = new Map<Node, number[]>();
  const keys = ins.map((t) => {
    const [n, idx] = edgeOf(t);
    capture.set(n!, [...(capture.get(n!) ?? []), idx]);
    return `${n!.sequenceNr}:${idx}`;
  });
  const captured = run(outs.map(edgeOf), grads, retainGraph, createGraph, capture);
  return ins.map((t, i) => {
    const g = captured.get(keys[i]!) ?? null;
    if (g === null) {
      if (opts.materializeGrads) return t.newZeros(t._shape);
      if (!opts.allowUnused)
        throw new RuntimeError("One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.");
      return null;
    }
    return createGraph ? g : g.detach();
  });
}
