// SPDX-License-Identifier: BSD-3-Clause
// nn.Parameter: a Tensor that a Module registers as a parameter when assigned to one of its fields.
import { empty } from "../ops/creation.js";
import { Tensor } from "../tensor/tensor.js";

export class Parameter extends Tensor {
  /** Shares `data`'s storage (like torch.nn.Parameter(data)); requiresGrad defaults to true. */
  constructor(data?: Tensor | null, requiresGrad = true) {
    const d = data ?? empty([0]);
    super(d._storage, [...d._shape], [...d._strides], d._offset, d.dtype);
    this.requiresGrad = requiresGrad;
  }

  override toString(): string {
    return "Parameter containing:\n" + super.toString();
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string { return this.toString(); }
}

/** Retargets `t` (a Parameter or buffer) to `src`'s data in place, so identity is kept (param.data = src). */
export function setData(t: Tensor, src: Tensor): void {
  t._storage = src._storage;
  t._shape = [...src._shape];
  t._strides = [...src._strides];
  t._offset = src._offset;
  (t as { dtype: Tensor["dtype"] }).dtype = src.dtype;
  t._base = null;
}
