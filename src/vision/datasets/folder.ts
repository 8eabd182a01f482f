// SPDX-License-Identifier: BSD-3-Clause
// torchvision.datasets.DatasetFolder / ImageFolder: one folder per class under root, classes
// sorted by name, files walked in sorted order.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ValueError } from "../../errors.js";
import { Image } from "../image.js";
import { readImage } from "../io.js";
import { applyTransform, checkIndex, VisionDataset, type TransformLike } from "./vision.js";

export class FileNotFoundError extends Error {
  constructor(message: string) { super(message); this.name = "FileNotFoundError"; }
}

export const IMG_EXTENSIONS = [".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"];

export function hasFileAllowedExtension(filename: string, extensions: string | readonly string[]): boolean {
  const lower = filename.toLowerCase();
  return (typeof extensions === "string" ? [extensions] : extensions).some((e) => lower.endsWith(e));
}

export const isImageFile = (filename: string): boolean => hasFileAllowedExtension(filename, IMG_EXTENSIONS);

const isDir = (p: string) => { try { return statSync(p).isDirectory(); } catch { return false; } };
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);  // Python's sorted()

export function findClasses(directory: string): [string[], Record<string, number>] {
  const classes = readdirSync(directory).filter((n) => isDir(join(directory, n))).sort(byCodePoint);
  if (classes.length === 0) throw new FileNotFoundError(`Couldn't find any class folder in ${directory}.`);
  return [classes, Object.fromEntries(classes.map((c, i) => [c, i]))];
}

/** Python's os.walk(top, followlinks=True), sorted as torchvision sorts it: (dir, files) pairs. */
function walk(top: string): [string, string[]][] {
  const out: [string, string[]][] = [];
  const visit = (dir: string) => {
    const names = readdirSync(dir).sort(byCodePoint), dirs: string[] = [], files: string[] = [];
    for (const n of names) (isDir(join(dir, n)) ? dirs : files).push(n);
    out.push([dir, files]);
    for (const d of dirs) visit(join(dir, d));
  };
  visit(top);
  return out.sort((a, b) => byCodePoint(a[0], b[0]));
}

export function makeDataset(directory: string, classToIdx?: Record<string, number>, extensions?: string | readonly string[],
  isValidFile?: (path: string) => boolean, allowEmpty = false): [string, number][] {
  classToIdx ??= findClasses(directory)[1];
  if (Object.keys(classToIdx).length === 0) throw new ValueError("'class_to_index' must have at least one entry to collect any samples.");
  if ((extensions === undefined) === (isValidFile === undefined))
    throw new ValueError("Both extensions and is_valid_file cannot be None or not None at the same time");
  const valid = isValidFile ?? ((p: string) => hasFileAllowedExtension(p, extensions!));
  const instances: [string, number][] = [], available = new Set<string>();
  for (const cls of Object.keys(classToIdx).sort(byCodePoint)) {
    const target = join(directory, cls);
    if (!isDir(target)) continue;
    for (const [root, files] of walk(target)) for (const f of files) {
      const path = join(root, f);
      if (valid(path)) { instances.push([path, classToIdx[cls]!]); available.add(cls); }
    }
  }
  const empty = Object.keys(classToIdx).filter((c) => !available.has(c)).sort(byCodePoint);
  if (empty.length > 0 && !allowEmpty) {
    let msg = `Found no valid file for the classes ${empty.join(", ")}. `;
    if (extensions !== undefined) msg += `Supported extensions are: ${typeof extensions === "string" ? extensions : extensions.join(", ")}`;
    throw new FileNotFoundError(msg);
  }
  return instances;
}

export interface DatasetFolderOptions<S, I, T> {
  loader?: (path: string) => S;
  extensions?: string | readonly string[];
  transform?: TransformLike<S, I>;
  targetTransform?: TransformLike<number, T>;
  isValidFile?: (path: string) => boolean;
  /** Classes with no valid file are kept (not an error). */
  allowEmpty?: boolean;
}

export class DatasetFolder<S = unknown, I = S, T = number> extends VisionDataset<I, T> {
  readonly loader: (path: string) => S;
  readonly extensions: string | readonly string[] | undefined;
  readonly classes: string[];
  readonly classToIdx: Record<string, number>;
  readonly samples: [string, number][];
  readonly targets: number[];

  constructor(root: string, opts: DatasetFolderOptions<S, I, T> & { loader: (path: string) => S }) {
    super(root, opts);
    [this.classes, this.classToIdx] = this.findClasses(this.root);
    this.samples = makeDataset(this.root, this.classToIdx, opts.extensions, opts.isValidFile, opts.allowEmpty ?? false);
    this.loader = opts.loader;
    this.extensions = opts.extensions;
    this.targets = this.samples.map((s) => s[1]);
  }

  /** Override to change how classes are found (as torchvision's find_classes). */
  findClasses(directory: string): [string[], Record<string, number>] { return findClasses(directory); }

  get length(): number { return this.samples.length; }

  getItem(index: number): [I, T] {
    const [path, target] = this.samples[checkIndex(index, this.length)]!;
    return [applyTransform(this.transform, this.loader(path)), applyTransform(this.targetTransform, target)];
  }
}

/** torchvision's pil_loader: the file decoded and converted to RGB. */
export function defaultLoader(path: string): Image {
  return Image.fromTensor(readImage(path, "RGB"), "RGB");
}

export class ImageFolder<I = Image, T = number> extends DatasetFolder<Image, I, T> {
  /** imgs is samples, as in torchvision */
  get imgs(): [string, number][] { return this.samples; }
  constructor(root: string, opts: Omit<DatasetFolderOptions<Image, I, T>, "extensions"> = {}) {
    super(root, { ...opts, loader: opts.loader ?? defaultLoader, extensions: opts.isValidFile ? undefined : IMG_EXTENSIONS });
  }
}
