// SPDX-License-Identifier: BSD-3-Clause
// torchvision.models._api / _utils / _presets: Weights, the weights enums, the model registry
// (getModel, listModels, getModelWeights), loading checkpoints from the hub cache, and the
// ImageClassification preset.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join } from "node:path";

import { RuntimeError, ValueError } from "../../errors.js";
import type { Module } from "../../nn/module.js";
import { load } from "../../serialization/index.js";
import type { Tensor } from "../../tensor/tensor.js";
import { downloadUrl } from "../datasets/utils.js";
import { Image } from "../image.js";
import * as T from "../transforms/index.js";
import { IMAGENET_CATEGORIES } from "./_meta.js";
import { WEIGHTS_TABLE, type WeightsRow } from "./_weights_table.js";

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * torchvision's ImageClassification preset (0.14): resize (bilinear; antialiased for an Image as PIL
 * does, not for a tensor) to resizeSize, center crop
 * to cropSize, to a float tensor in [0, 1], normalize. Accepts an Image or a uint8/float CHW tensor
 * (or a batch).
 */
export class ImageClassification {
  readonly cropSize: number[];
  readonly resizeSize: number[];
  readonly mean: number[];
  readonly std: number[];
  readonly interpolation: string;
  constructor({ cropSize, resizeSize = 256, mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225], interpolation = "bilinear" }:
    { cropSize: number; resizeSize?: number; mean?: number[]; std?: number[]; interpolation?: string }) {
    this.cropSize = [cropSize];
    this.resizeSize = [resizeSize];
    this.mean = mean;
    this.std = std;
    this.interpolation = interpolation;
  }

  forward(img: Image | Tensor): Tensor {
    let x: any = new T.Resize(this.resizeSize, { interpolation: this.interpolation as any, antialias: img instanceof Image } as any).forward(img as any);
    x = new T.CenterCrop(this.cropSize).forward(x);
    if (x instanceof Image) x = new T.PILToTensor().forward(x);
    x = new T.ConvertImageDtype("float32").forward(x as Tensor);
    return new T.Normalize(this.mean, this.std).forward(x as Tensor);
  }

  toString(): string {
    return `ImageClassification(\n    crop_size=[${this.cropSize}]\n    resize_size=[${this.resizeSize}]\n    mean=[${this.mean.join(", ")}]\n` +
      `    std=[${this.std.join(", ")}]\n    interpolation=InterpolationMode.${this.interpolation.toUpperCase()}\n)`;
  }
}

export interface WeightsMeta {
  categories: readonly string[] | null;
  numParams: number;
  minSize: number[];
  recipe: string | null;
  metrics: Record<string, Record<string, number>>;
  ops: number | null;
}

/** One entry of a weights enum (torchvision.models.Weights): url, meta, transforms(). */
export class Weights {
  readonly meta: WeightsMeta;
  constructor(readonly enumName: string, readonly name: string, readonly url: string, private readonly row: WeightsRow) {
    this.meta = Object.freeze({
      categories: row.imagenetCategories ? IMAGENET_CATEGORIES : null,
      numParams: row.numParams, minSize: [row.minSize[0]!, row.minSize[1]!], recipe: row.recipe, metrics: row.metrics, ops: row.ops,
    });
  }
  /** The checkpoint's file name, e.g. "resnet18-f37072fd.pth". */
  get fileName(): string { return basename(new URL(this.url).pathname); }
  /** The sha256 prefix torchvision puts in the file name (checked after a download). */
  get hashPrefix(): string | null { return /-([a-f0-9]+)\.pth$/.exec(this.fileName)?.[1] ?? null; }
  /** The preprocessing these weights expect. */
  transforms(): ImageClassification {
    const t = this.row.transforms;
    return new ImageClassification({ cropSize: t.cropSize, resizeSize: t.resizeSize, mean: t.mean, std: t.std, interpolation: t.interpolation });
  }
  /** The state dict, from the hub cache or downloaded into it (see loadStateDictFromUrl). */
  getStateDict({ progress = true, modelDir }: { progress?: boolean; modelDir?: string } = {}): Record<string, Tensor> {
    return loadStateDictFromUrl(this.url, { progress, modelDir, checkHash: true });
  }
  toString(): string { return `${this.enumName}.${this.name}`; }
}

export type WeightsEnum = Record<string, Weights> & { readonly DEFAULT: Weights };

const ENUMS = new Map<string, WeightsEnum>();

/** Builds the weights enum `name` (e.g. "ResNet18_Weights") from torchvision's table. */
export function weightsEnum(name: string): WeightsEnum {
  const row = WEIGHTS_TABLE[name];
  if (row === undefined) throw new RuntimeError(`no weights table entry ${name}`);
  const e: Record<string, Weights> = {};
  for (const [k, r] of Object.entries(row.entries)) e[k] = new Weights(name, k, r.url, r);
  Object.defineProperty(e, "DEFAULT", { value: e[row.default], enumerable: false });
  Object.defineProperty(e, "toString", { value: () => name, enumerable: false });
  const frozen = Object.freeze(e) as WeightsEnum;
  ENUMS.set(name, frozen);
  return frozen;
}

/** $TORCH_HOME/hub/checkpoints, TORCH_HOME defaulting to $XDG_CACHE_HOME/torch or ~/.cache/torch (as torch.hub). */
export function getDir(): string {
  const torchHome = process.env.TORCH_HOME ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "torch");
  return join(torchHome, "hub");
}

/**
 * torch.hub.load_state_dict_from_url: the file is looked up in modelDir (default
 * getDir()/checkpoints); if absent it is downloaded there (progress on stderr) and, with checkHash,
 * its sha256 must start with the hash in the file name. Offline, the error says where to put it.
 */
export function loadStateDictFromUrl(url: string, { modelDir, progress = true, checkHash = false, fileName }:
  { modelDir?: string; progress?: boolean; checkHash?: boolean; fileName?: string } = {}): Record<string, Tensor> {
  const dir = modelDir ?? join(getDir(), "checkpoints");
  const file = fileName ?? basename(new URL(url).pathname);
  const path = join(dir, file);
  if (!existsSync(path)) {
    if (progress) process.stderr.write(`Downloading: "${url}" to ${path}\n`);
    let tmp: string;
    try {
      tmp = downloadUrl(url, dir, { filename: `${file}.partial`, progress });
    } catch (e) {
      throw new RuntimeError(`could not download ${url} (${(e as Error).message}); without network access, download it elsewhere and put it at ${path} ` +
        `(set TORCH_HOME to change the cache directory)`);
    }
    if (checkHash) {
      const prefix = /-([a-f0-9]+)\./.exec(file)?.[1];
      const digest = createHash("sha256").update(readFileSync(tmp)).digest("hex");
      if (prefix !== undefined && !digest.startsWith(prefix)) {
        rmSync(tmp, { force: true });
        throw new RuntimeError(`invalid hash value (expected "${prefix}", got "${digest}")`);
      }
    }
    renameSync(tmp, path);
  }
  return load(path, { mapLocation: "cpu", weightsOnly: true }) as Record<string, Tensor>;
}

// ---- builders: weights handling ------------------------------------------------------------------

export interface ModelOptions { weights?: Weights | string | null; progress?: boolean; numClasses?: number }

/** Resolves `weights` (a Weights, "IMAGENET1K_V1", "ResNet18_Weights.IMAGENET1K_V1", "DEFAULT" or null) against enum e. */
export function verifyWeights(e: WeightsEnum, weights: Weights | string | null | undefined): Weights | null {
  if (weights === null || weights === undefined) return null;
  if (weights instanceof Weights) {
    if (ENUMS.get(weights.enumName) !== e) throw new TypeError(`Invalid Weight class provided; expected ${String(e)} but received ${weights.enumName}.`);
    return weights;
  }
  const key = weights.replace(`${String(e)}.`, "");
  const w = key === "DEFAULT" ? e.DEFAULT : Object.prototype.hasOwnProperty.call(e, key) ? e[key] : undefined;
  if (w === undefined) throw new ValueError(`Unknown value '${key}' for ${String(e)}.`);
  return w;
}

/** _ovewrite_named_param: with weights, numClasses must equal the categories' length. */
export function numClassesFor(opts: ModelOptions, w: Weights | null, dflt = 1000): number {
  if (w === null) return opts.numClasses ?? dflt;
  const n = w.meta.categories?.length ?? dflt;
  if (opts.numClasses !== undefined && opts.numClasses !== n) throw new ValueError(`The parameter 'num_classes' expected value ${n} but got ${opts.numClasses} instead.`);
  return n;
}

/** torchvision's _ovewrite_named_param: the value the weights force, or ValueError if the caller asked for another. */
export function overwriteNamedParam<T>(given: T | undefined, pyName: string, value: T): T {
  if (given !== undefined && given !== value) {
    const py = (v: unknown) => (v === true ? "True" : v === false ? "False" : v === null ? "None" : String(v));
    throw new ValueError(`The parameter '${pyName}' expected value ${py(value)} but got ${py(given)} instead.`);
  }
  return value;
}

/** Loads w's state dict strictly into model (after the builder made it). */
export function loadWeights<M extends Module>(model: M, w: Weights | null, progress = true,
  fix?: (sd: Record<string, Tensor>) => Record<string, Tensor>): M {
  if (w !== null) {
    const sd = w.getStateDict({ progress });
    model.loadStateDict(fix === undefined ? sd : fix(sd), { strict: true });
  }
  return model;
}

// ---- registry ------------------------------------------------------------------------------------

type Builder = (opts?: any) => Module;
const BUILDERS = new Map<string, { builder: Builder; weights: WeightsEnum | null }>();

/** Registers builder under torchvision's snake_case name (e.g. "resnet18"). */
export function registerModel(name: string, builder: Builder, weights: WeightsEnum | null): void {
  BUILDERS.set(name, { builder, weights });
}

function entry(name: string): { builder: Builder; weights: WeightsEnum | null } {
  const e = BUILDERS.get(name.toLowerCase());
  if (e === undefined) throw new ValueError(`Unknown model ${name}`);
  return e;
}

/** models.getModel("resnet18", { weights: "DEFAULT", numClasses }) (torchvision.models.get_model). */
export function getModel(name: string, opts: Record<string, unknown> = {}): Module { return entry(name).builder(opts); }
/** The builder function itself (torchvision.models.get_model_builder). */
export function getModelBuilder(name: string): Builder { return entry(name).builder; }
/** The weights enum of a model name, or of a "ResNet18_Weights.IMAGENET1K_V1"-style string's entry. */
export function getModelWeights(name: string): WeightsEnum {
  const e = entry(name).weights;
  if (e === null) throw new ValueError(`Model ${name} has no weights enum`);
  return e;
}
/** A Weights from "ResNet18_Weights.IMAGENET1K_V1" (torchvision.models.get_weight). */
export function getWeight(name: string): Weights {
  const dot = name.indexOf(".");
  const e = ENUMS.get(name.slice(0, dot));
  const w = dot < 0 || e === undefined ? undefined : name.slice(dot + 1) === "DEFAULT" ? e.DEFAULT : e[name.slice(dot + 1)];
  if (w === undefined) throw new ValueError(`Unknown weight enum ${name}`);
  return w;
}
/** Sorted model names (torchvision.models.list_models), optionally filtered by a glob ("resnet*"). */
export function listModels({ include }: { include?: string } = {}): string[] {
  let names = [...BUILDERS.keys()].sort();
  if (include !== undefined) {
    const re = new RegExp(`^${include.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
    names = names.filter((n) => re.test(n));
  }
  return names;
}

/** torchvision.models._utils._make_divisible. */
export function makeDivisible(v: number, divisor: number, minValue: number | null = null): number {
  const mv = minValue ?? divisor;
  let newV = Math.max(mv, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (newV < 0.9 * v) newV += divisor;
  return newV;
}
