// SPDX-License-Identifier: BSD-3-Clause
// torchvision.transforms (first slice): Compose, ToTensor, Normalize, Lambda, ConvertImageDtype.
// Images are uint8 tensors (H, W) or (H, W, C), as decoded; tensors are (C, H, W) floats.
import { RuntimeError } from "../../errors.js";
import { type DTypeLike, toDType, isFloatingPoint } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { tensor } from "../../ops/creation.js";

export interface Transform<A = unknown, B = unknown> { forward(x: A): B }

export class Compose implements Transform {
  constructor(readonly transforms: readonly (Transform | ((x: unknown) => unknown))[]) {}
  forward(x: unknown): unknown {
    return this.transforms.reduce((v, t) => (typeof t === "function" ? t(v) : t.forward(v)), x);
  }
  toString(): string { return `Compose(\n${this.transforms.map((t) => `    ${String(t)}`).join("\n")}\n)`; }
}

/** uint8 (H, W[, C]) image -> float32 (C, H, W) in [0, 1]; float tensors pass through. */
export class ToTensor implements Transform<Tensor, Tensor> {
  forward(img: Tensor): Tensor {
    if (isFloatingPoint(img.dtype)) return img;
    if (img.ndim !== 2 && img.ndim !== 3) throw new RuntimeError(`pic should be 2/3 dimensional. Got ${img.ndim} dimensions.`);
    const chw = img.ndim === 2 ? img.unsqueeze(0) : img.permute(2, 0, 1);
    return chw.contiguous().float().div(255);
  }
  toString(): string { return "ToTensor()"; }
}

export class ConvertImageDtype implements Transform<Tensor, Tensor> {
  readonly dtype;
  constructor(dtype: DTypeLike) { this.dtype = toDType(dtype); }
  forward(img: Tensor): Tensor {
    if (img.dtype === this.dtype) return img;
    if (!isFloatingPoint(img.dtype) && isFloatingPoint(this.dtype)) return img.to(this.dtype).div(255);
    if (isFloatingPoint(img.dtype) && !isFloatingPoint(this.dtype)) return img.mul(255.999).to(this.dtype);
    return img.to(this.dtype);
  }
}

/** (x - mean[c]) / std[c] per channel of a (..., C, H, W) float tensor. */
export class Normalize implements Transform<Tensor, Tensor> {
  constructor(readonly mean: readonly number[], readonly std: readonly number[], readonly inplace = false) {
    if (std.some((s) => s === 0)) throw new RuntimeError(`std evaluated to zero after conversion to float32, leading to division by zero.`);
  }
  forward(x: Tensor): Tensor {
    if (!isFloatingPoint(x.dtype)) throw new TypeError(`Input tensor should be a float tensor. Got ${x.dtype}.`);
    if (x.ndim < 3) throw new RuntimeError(`Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = [${x.shape.join(", ")}]`);
    const m = tensor([...this.mean], { dtype: x.dtype }).reshape(-1, 1, 1), s = tensor([...this.std], { dtype: x.dtype }).reshape(-1, 1, 1);
    return this.inplace ? x.sub_(m).div_(s) : x.sub(m).div(s);
  }
  toString(): string { return `Normalize(mean=(${this.mean.join(", ")}), std=(${this.std.join(", ")}))`; }
}

export class Lambda<A, B> implements Transform<A, B> {
  constructor(readonly lambd: (x: A) => B) {}
  forward(x: A): B { return this.lambd(x); }
}


