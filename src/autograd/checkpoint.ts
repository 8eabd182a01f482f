// SPDX-License-Identifier: BSD-3-Clause
// torch.utils.checkpoint.checkpoint: run fn without keeping its graph, and recompute it in
// backward (trading compute for memory). The RNG state is restored for the recomputation, as
// PyTorch's preserve_rng_state does, so dropout masks match.
import { Tensor } from "../tensor/tensor.js";
import { defaultGenerator } from "../tensor/random.js";
import { grad } from "./engine.js";
import { enableGrad, noGrad } from "./grad-mode.js";
import { record } from "./record.js";
import { FunctionNode } from "./graph.js";

export function checkpoint<T extends Tensor | Tensor[]>(fn: (...args: Tensor[]) => T, ...args: Tensor[]): T {
  const rng = defaultGenerator.getState();
  const result = noGrad(() => fn(...args));
  const outs = Array.isArray(result) ? result : [result];
  const recorded = record(result, {
    name: "CheckpointFunctionBackward",
    inputs: args,
    backward: (grads) => {
      const now = defaultGenerator.getState();
      defaultGenerator.setState(rng);
      const inputs = args.map((a) => (a.requiresGrad ? a.detach().requiresGrad_(true) : a.detach()));
      const again = enableGrad(() => fn(...inputs));
      defaultGenerator.setState(now);
      const redone = Array.isArray(again) ? again : [again];
      const needed = redone.map((o, i) => [o, grads[i] ?? outs[i]!.newZeros(outs[i]!._shape)] as const).filter(([o]) => o.requiresGrad);
      const diff = inputs.filter((t) => t.requiresGrad);
      const gs = needed.length ? grad(needed.map(([o]) => o), diff, { gradOutputs: needed.map(([, g]) => g), allowUnused: true }) : [];
      let k = 0;
      return inputs.map((t) => (t.requiresGrad ? gs[k++] ?? null : null));
    },
  });
  // fn runs again in backward and may keep what its gradients flow through (a hook)
  const node = outs.find((o) => o.gradFn !== null)?.gradFn;
  if (node instanceof FunctionNode) node.opaque = true;
  return recorded;
}
