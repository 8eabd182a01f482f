// SPDX-License-Identifier: BSD-3-Clause
// nn.Upsample, nn.UpsamplingNearest2d, nn.UpsamplingBilinear2d over F.interpolate; nn.PixelShuffle,
// nn.PixelUnshuffle.
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional/index.js";
import type { InterpolateMode } from "../functional/resample.js";
import { Module } from "../module.js";
import { pyFloat } from "../repr.js";

type Size = number | readonly number[] | null;
export interface UpsampleOptions { size?: Size; scaleFactor?: number | readonly number[] | null; mode?: InterpolateMode; alignCorners?: boolean | null; recomputeScaleFactor?: boolean | null }

const pyTuple = (v: readonly string[]): string => (v.length === 1 ? `(${v[0]},)` : `(${v.join(", ")})`);

/** nn.Upsample({ size, scaleFactor, mode = "nearest", alignCorners, recomputeScaleFactor }). */
export class Upsample extends Module {
  readonly size: Size;
  readonly scaleFactor: number | number[] | null;
  readonly mode: InterpolateMode;
  readonly alignCorners: boolean | null;
  readonly recomputeScaleFactor: boolean | null;
  constructor(opts: UpsampleOptions = {}) {
    super();
    this.size = opts.size ?? null;
    const sf = opts.scaleFactor ?? null;
    this.scaleFactor = sf === null || sf === 0 ? null : typeof sf === "number" ? sf : [...sf];
    this.mode = opts.mode ?? "nearest";
    this.alignCorners = opts.alignCorners ?? null;
    this.recomputeScaleFactor = opts.recomputeScaleFactor ?? null;
  }
  override forward(input: Tensor): Tensor {
    return F.interpolate(input, { size: this.size, scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners, recomputeScaleFactor: this.recomputeScaleFactor });
  }
  override extraRepr(): string {
    let info: string;
    if (this.scaleFactor !== null) info = "scale_factor=" + (typeof this.scaleFactor === "number" ? pyFloat(this.scaleFactor) : pyTuple(this.scaleFactor.map(pyFloat)));
    else info = "size=" + (this.size === null ? "None" : typeof this.size === "number" ? String(this.size) : pyTuple(this.size.map(String)));
    return info + `, mode=${this.mode}`;
  }
}

/** nn.UpsamplingNearest2d({ size, scaleFactor }). */
export class UpsamplingNearest2d extends Upsample {
  constructor(opts: { size?: Size; scaleFactor?: number | readonly number[] | null } = {}) { super({ ...opts, mode: "nearest" }); }
}
/** nn.UpsamplingBilinear2d({ size, scaleFactor }): bilinear with alignCorners = true. */
export class UpsamplingBilinear2d extends Upsample {
  constructor(opts: { size?: Size; scaleFactor?: number | readonly number[] | null } = {}) { super({ ...opts, mode: "bilinear", alignCorners: true }); }
}

/** nn.PixelShuffle(upscaleFactor). */
export class PixelShuffle extends Module {
  constructor(readonly upscaleFactor: number) { super(); }
  override forward(input: Tensor): Tensor { return F.pixelShuffle(input, this.upscaleFactor); }
  override extraRepr(): string { return `upscale_factor=${this.upscaleFactor}`; }
}
/** nn.PixelUnshuffle(downscaleFactor). */
export class PixelUnshuffle extends Module {
  constructor(readonly downscaleFactor: number) { super(); }
  override forward(input: Tensor): Tensor { return F.pixelUnshuffle(input, this.downscaleFactor); }
  override extraRepr(): string { return `downscale_factor=${this.downscaleFactor}`; }
}
