// SPDX-License-Identifier: BSD-3-Clause
// `Image`: what torchvision's datasets hand to transforms as a PIL image. A uint8 (H, W, C)
// tensor plus PIL's mode ("L", "LA", "RGB", "RGBA") and size ([width, height]).
import { RuntimeError, ValueError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";

export type ImageMode = "L" | "LA" | "RGB" | "RGBA";
const MODES: Record<number, ImageMode> = { 1: "L", 2: "LA", 3: "RGB", 4: "RGBA" };

export class Image {
  /** uint8 (H, W, C), contiguous */
  readonly data: Tensor;
  readonly mode: ImageMode;

  /** From a uint8 (H, W) or (H, W, C) tensor (the layout of a NumPy image array). */
  constructor(hwc: Tensor, mode?: ImageMode) {
    if (hwc.dtype !== "uint8") throw new TypeError(`Image: expected a uint8 tensor, got ${hwc.dtype}`);
    if (hwc.ndim === 2) hwc = hwc.unsqueeze(2);
    if (hwc.ndim !== 3) throw new ValueError(`pic should be 2/3 dimensional. Got ${hwc.ndim} dimensions.`);
    const c = hwc.size(2), m = mode ?? MODES[c];
    if (m === undefined || m.length !== c) throw new ValueError(`Only modes with 1 to 4 channels are supported, got ${c} channels${mode ? ` for mode ${mode}` : ""}`);
    this.data = hwc.contiguous();
    this.mode = m;
  }

  /** A uint8 (C, H, W) tensor (or (H, W) -> (1, H, W)): torchvision's ToPILImage input. */
  static fromTensor(chw: Tensor, mode?: ImageMode): Image {
    if (chw.ndim === 2) chw = chw.unsqueeze(0);
    if (chw.ndim !== 3) throw new ValueError(`pic should be 2/3 dimensional. Got ${chw.ndim} dimensions.`);
    if (chw.dtype !== "uint8") throw new RuntimeError(`Image.fromTensor: expected uint8, got ${chw.dtype}`);
    return new Image(chw.permute(1, 2, 0), mode);
  }

  get width(): number { return this.data.size(1); }
  get height(): number { return this.data.size(0); }
  get channels(): number { return this.data.size(2); }
  /** PIL's size: [width, height]. */
  get size(): [number, number] { return [this.width, this.height]; }

  /** uint8 (C, H, W), a new contiguous tensor (PILToTensor). */
  toTensor(): Tensor { return this.data.permute(2, 0, 1).contiguous(); }

  toString(): string { return `<Image mode=${this.mode} size=${this.width}x${this.height}>`; }
}
