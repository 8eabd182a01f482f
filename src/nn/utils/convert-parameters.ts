// SPDX-License-Identifier: BSD-3-Clause
// torch.nn.utils.parameters_to_vector / vector_to_parameters.
import { noGrad } from "../../autograd/grad-mode.js";
import { RuntimeError } from "../../errors.js";
import { cat } from "../../ops/join.js";
import { Tensor } from "../../tensor/tensor.js";
import { setData } from "../parameter.js";

function checkSameDevice(param: Tensor, old: string | null): string {
  const d = String(param.device);
  if (old !== null && old !== d) throw new TypeError("Found two parameters on different devices, this is currently not supported.");
  return d;
}

/** parametersToVector(parameters): one 1-D tensor of every parameter, flattened, in order. */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  let dev: string | null = null;
  const parts: Tensor[] = [];
  for (const p of parameters) { dev = checkSameDevice(p, dev); parts.push(p.reshape(-1)); }
  if (parts.length === 0) throw new RuntimeError("torch.cat(): expected a non-empty list of Tensors");
  return cat(parts);
}

/** vectorToParameters(vec, parameters): each parameter's data becomes the next slice of vec (param.data = slice). */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  if (!(vec instanceof Tensor)) throw new TypeError(`expected torch.Tensor, but got: ${typeof vec === "object" && vec !== null ? (vec as object).constructor.name : typeof vec}`);
  let dev: string | null = null;
  let pointer = 0;
  for (const p of parameters) {
    dev = checkSameDevice(p, dev);
    const n = p.numel();
    noGrad(() => setData(p, vec.narrow(0, pointer, n).view(p.shape)));
    pointer += n;
  }
}
