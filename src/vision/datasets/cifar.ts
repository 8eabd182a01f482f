// SPDX-License-Identifier: BSD-3-Clause
// torchvision.datasets.CIFAR10 / CIFAR100: the python pickle batches of cifar-10-python.tar.gz,
// read from the extracted folder (root/cifar-10-batches-py) or straight from the archive in
// root, with our restricted unpickler. download: true fetches and extracts the archive.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RuntimeError } from "../../errors.js";
import { cat } from "../../ops/join.js";
import { tensor } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import { Image } from "../image.js";
import { unpickle } from "./pickle.js";
import { readTar } from "./tar.js";
import { checkIntegrity, downloadAndExtractArchive } from "./utils.js";
import { applyTransform, checkIndex, VisionDataset, type TransformLike } from "./vision.js";

export interface CIFAROptions<I, T> {
  root?: string;
  train?: boolean;
  transform?: TransformLike<Image, I>;
  targetTransform?: TransformLike<number, T>;
  download?: boolean;
}

export class CIFAR10<I = Image, T = number> extends VisionDataset<I, T> {
  static baseFolder = "cifar-10-batches-py";
  /** Mirrors tried in order (torchvision has one). */
  static urls = ["https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"];
  static filename = "cifar-10-python.tar.gz";
  static tgzMd5 = "c58f30108f718f92721af3b95e74349a";
  static trainList: [string, string][] = [
    ["data_batch_1", "c99cafc152244af753f735de768cd75f"], ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
    ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"], ["data_batch_4", "634d18415352ddfa80567beed471001a"],
    ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"]];
  static testList: [string, string][] = [["test_batch", "40351d587109b95175f43aff81a1287e"]];
  static meta = { filename: "batches.meta", key: "label_names", md5: "5ff9c542aee3614f3951f8cda6e48888" };
  static labelsKey = "labels";

  readonly train: boolean;
  /** uint8 (N, 32, 32, 3), as torchvision's numpy array */
  readonly data: Tensor;
  readonly targets: number[];
  readonly classes: string[];
  readonly classToIdx: Record<string, number>;

  constructor(opts: CIFAROptions<I, T> = {}) {
    super(opts.root ?? "data", opts);
    this.train = opts.train ?? true;
    const C = this.constructor as typeof CIFAR10;
    const folder = join(this.root, C.baseFolder), archive = join(this.root, C.filename);
    let read: (name: string, md5: string) => Uint8Array | null;
    const fromFolder = (n: string, md5: string) => (checkIntegrity(join(folder, n), md5) ? readFileSync(join(folder, n)) : null);
    if (this.checkIntegrity()) read = fromFolder;
    else if (checkIntegrity(archive, C.tgzMd5) || (opts.download && this.download())) {
      if (this.checkIntegrity()) read = fromFolder;
      else {  // read the members from the archive in memory
        const members = new Map(readTar(readFileSync(archive), archive).map((e) => [e.name, e.data]));
        read = (n) => members.get(`${C.baseFolder}/${n}`) ?? null;
      }
    } else throw new RuntimeError("Dataset not found or corrupted. You can use download=True to download it");
    const batches: Tensor[] = [];
    this.targets = [];
    for (const [name, md5] of this.train ? C.trainList : C.testList) {
      const bytes = read(name, md5);
      if (bytes === null) throw new RuntimeError("Dataset not found or corrupted. You can use download=True to download it");
      const entry = unpickle(bytes) as Record<string, unknown>;
      const data = entry["data"] as Tensor, labels = (entry["labels"] ?? entry["fine_labels"]) as number[];
      if (!data || !Array.isArray(labels) || data.dtype !== "uint8" || data.ndim !== 2 || data.size(1) !== 3072 || data.size(0) !== labels.length)
        throw new RuntimeError(`${name}: not a CIFAR batch (expected uint8 data (N, 3072) and N labels)`);
      batches.push(data);
      this.targets.push(...labels);
    }
    this.data = cat(batches, 0).reshape(-1, 3, 32, 32).permute(0, 2, 3, 1).contiguous();  // convert to HWC
    const metaBytes = read(C.meta.filename, C.meta.md5);
    if (metaBytes === null) throw new RuntimeError("Dataset metadata file not found or corrupted. You can use download=True to download it");
    this.classes = (unpickle(metaBytes) as Record<string, string[]>)[C.meta.key]!;
    this.classToIdx = Object.fromEntries(this.classes.map((c, i) => [c, i]));
  }

  /** Every batch file is in root/baseFolder with the right MD5. */
  checkIntegrity(): boolean {
    const C = this.constructor as typeof CIFAR10;
    return [...C.trainList, ...C.testList].every(([f, md5]) => checkIntegrity(join(this.root, C.baseFolder, f), md5));
  }

  download(): boolean {
    if (this.checkIntegrity()) { process.stderr.write("Files already downloaded and verified\n"); return true; }
    const C = this.constructor as typeof CIFAR10;
    downloadAndExtractArchive(C.urls, this.root, { filename: C.filename, md5: C.tgzMd5 });
    return true;
  }

  get length(): number { return this.targets.length; }

  /** [image, target]: the image as an RGB `Image` (torchvision's PIL image), before transforms. */
  getItem(index: number): [I, T] {
    const i = checkIndex(index, this.length);
    return [applyTransform(this.transform, new Image(this.data.select(0, i), "RGB")), applyTransform(this.targetTransform, this.targets[i]!)];
  }

  /** int64 (N) targets as a tensor */
  get targetsTensor(): Tensor { return tensor(this.targets, { dtype: "int64" }); }

  protected override extraRepr(): string[] { return [`Split: ${this.train ? "Train" : "Test"}`]; }
}

export class CIFAR100<I = Image, T = number> extends CIFAR10<I, T> {
  static override baseFolder = "cifar-100-python";
  static override urls = ["https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"];
  static override filename = "cifar-100-python.tar.gz";
  static override tgzMd5 = "eb9058c3a382ffc7106e4002c42a8d85";
  static override trainList: [string, string][] = [["train", "16019d7e3df5f24257cddd939b257f8d"]];
  static override testList: [string, string][] = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]];
  static override meta = { filename: "meta", key: "fine_label_names", md5: "7973b15100ade9c7d40fb424638fde48" };
}
