// SPDX-License-Identifier: BSD-3-Clause
// torchvision.datasets.FakeData: image i is torch.randn(imageSize) under manual_seed(i +
// randomOffset), made an image as ToPILImage does (x * 255 cast to uint8), and its target
// randint(0, numClasses) right after; the global generator state is restored afterwards.
import { IndexError } from "../../errors.js";
import { randint, randn } from "../../ops/creation.js";
import { getRngState, manualSeed, setRngState } from "../../tensor/random.js";
import { Image } from "../image.js";
import { applyTransform, VisionDataset, type TransformLike } from "./vision.js";

export interface FakeDataOptions<I, T> {
  size?: number;
  /** [C, H, W] */
  imageSize?: [number, number, number];
  numClasses?: number;
  transform?: TransformLike<Image, I>;
  targetTransform?: TransformLike<number, T>;
  randomOffset?: number;
}

export class FakeData<I = Image, T = number> extends VisionDataset<I, T> {
  readonly size: number;
  readonly imageSize: [number, number, number];
  readonly numClasses: number;
  readonly randomOffset: number;
  constructor(opts: FakeDataOptions<I, T> = {}) {
    super("", opts);
    this.size = opts.size ?? 1000;
    this.imageSize = opts.imageSize ?? [3, 224, 224];
    this.numClasses = opts.numClasses ?? 10;
    this.randomOffset = opts.randomOffset ?? 0;
  }
  get length(): number { return this.size; }
  getItem(index: number): [I, T] {
    if (index >= this.length) throw new IndexError(`${this.constructor.name} index out of range`);
    const state = getRngState();
    let img, target: number;
    try {
      manualSeed(index + this.randomOffset);
      img = randn(...this.imageSize);
      target = randint(0, this.numClasses, [1], { dtype: "int64" }).item() as number;
    } finally {
      setRngState(state);
    }
    return [applyTransform(this.transform, Image.fromTensor(img.mul(255).to("uint8"))), applyTransform(this.targetTransform, target)];
  }
}
