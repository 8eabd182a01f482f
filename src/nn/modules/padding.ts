// SPDX-License-Identifier: BSD-3-Clause
// nn.ConstantPad1d/2d/3d, nn.ZeroPad1d/2d/3d, nn.ReflectionPad1d/2d/3d, nn.ReplicationPad1d/2d/3d,
// nn.CircularPad1d/2d/3d over F.pad.
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional/index.js";
import type { PadMode } from "../functional/padding.js";
import { Module } from "../module.js";
import { pyFloat, pyValue } from "../repr.js";

type Pad = number | readonly number[];

abstract class PadNd extends Module {
  readonly padding: number[];
  constructor(nd: number, padding: Pad, readonly mode: PadMode, readonly value = 0, readonly zero = false) {
    super();
    this.padding = typeof padding === "number" ? Array(2 * nd).fill(padding) as number[] : [...padding];
  }
  override forward(input: Tensor): Tensor {
    return this.mode === "constant" ? F.pad(input, this.padding, "constant", this.value) : F.pad(input, this.padding, this.mode);
  }
  override extraRepr(): string {
    return this.mode === "constant" && !this.zero ? `padding=${pyValue(this.padding)}, value=${pyFloat(this.value)}` : pyValue(this.padding);
  }
}

/** nn.ConstantPad1d(padding, value): padding an int or (left, right). */
export class ConstantPad1d extends PadNd { constructor(padding: Pad, value: number) { super(1, padding, "constant", value); } }
/** nn.ConstantPad2d(padding, value): padding an int or (left, right, top, bottom). */
export class ConstantPad2d extends PadNd { constructor(padding: Pad, value: number) { super(2, padding, "constant", value); } }
/** nn.ConstantPad3d(padding, value): padding an int or a 6-tuple. */
export class ConstantPad3d extends PadNd { constructor(padding: Pad, value: number) { super(3, padding, "constant", value); } }
/** nn.ZeroPad1d(padding). */
export class ZeroPad1d extends PadNd { constructor(padding: Pad) { super(1, padding, "constant", 0, true); } }
/** nn.ZeroPad2d(padding). */
export class ZeroPad2d extends PadNd { constructor(padding: Pad) { super(2, padding, "constant", 0, true); } }
/** nn.ZeroPad3d(padding). */
export class ZeroPad3d extends PadNd { constructor(padding: Pad) { super(3, padding, "constant", 0, true); } }
/** nn.ReflectionPad1d(padding). */
export class ReflectionPad1d extends PadNd { constructor(padding: Pad) { super(1, padding, "reflect"); } }
/** nn.ReflectionPad2d(padding). */
export class ReflectionPad2d extends PadNd { constructor(padding: Pad) { super(2, padding, "reflect"); } }
/** nn.ReflectionPad3d(padding). */
export class ReflectionPad3d extends PadNd { constructor(padding: Pad) { super(3, padding, "reflect"); } }
/** nn.ReplicationPad1d(padding). */
export class ReplicationPad1d extends PadNd { constructor(padding: Pad) { super(1, padding, "replicate"); } }
/** nn.ReplicationPad2d(padding). */
export class ReplicationPad2d extends PadNd { constructor(padding: Pad) { super(2, padding, "replicate"); } }
/** nn.ReplicationPad3d(padding). */
export class ReplicationPad3d extends PadNd { constructor(padding: Pad) { super(3, padding, "replicate"); } }
/** nn.CircularPad1d(padding) (PyTorch 2.1+). */
export class CircularPad1d extends PadNd { constructor(padding: Pad) { super(1, padding, "circular"); } }
/** nn.CircularPad2d(padding) (PyTorch 2.1+). */
export class CircularPad2d extends PadNd { constructor(padding: Pad) { super(2, padding, "circular"); } }
/** nn.CircularPad3d(padding) (PyTorch 2.1+). */
export class CircularPad3d extends PadNd { constructor(padding: Pad) { super(3, padding, "circular"); } }
