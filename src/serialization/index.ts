// SPDX-License-Identifier: BSD-3-Clause
// torch.save / torch.load / torch.saveAsync / torch.loadAsync, torch.serialization and
// torch.safetensors (API.md rule 14; docs/serialization.md).
import * as fs from "node:fs";
import { native } from "../backends/cpu/native.js";
import { type LoadOptions, loadBytes } from "./load.js";
import { type WritableLike, checkSaveTarget, save as saveImpl, saveAsync as saveAsyncImpl, saveToBuffer } from "./save.js";
import { CheckpointError, type CheckpointErrorCode } from "./errors.js";
import { PyFloat, float, isOrderedDict, isTuple, orderedDict, tuple } from "./values.js";
import * as safetensorsNs from "./safetensors.js";

export type { LoadOptions, MapLocation } from "./load.js";
export type { WritableLike } from "./save.js";

/** What torch.load reads: a path, or the checkpoint's bytes. */
export type LoadSource = string | Uint8Array | ArrayBuffer;

/** The file's bytes: mapped (copy-on-write) with `mmap`, else read into one buffer. */
function readSource(file: string, mmap: boolean): { bytes: Uint8Array; mapped: boolean } {
  const mapper = (native as { mmapFile?: (p: string) => ArrayBuffer }).mmapFile;
  if (mmap && typeof mapper === "function") return { bytes: new Uint8Array(mapper(file)), mapped: true };
  return { bytes: fs.readFileSync(file), mapped: false };
}

function bytesOf(f: Uint8Array | ArrayBuffer): Uint8Array {
  return f instanceof ArrayBuffer ? new Uint8Array(f) : f;
}

/**
 * torch.load(f, { mapLocation, weightsOnly = true }): a path's file is read once and tensors view it
 * where aligned (zero-copy); bytes passed in are copied out, so the caller's buffer is never aliased.
 */
export function load(f: LoadSource, opts: LoadOptions = {}): unknown {
  if (typeof f === "string") {
    const { bytes, mapped } = readSource(f, opts.mmap ?? false);
    return loadBytes(bytes, opts, true, mapped);
  }
  return loadBytes(bytesOf(f), opts, false);
}

/** torch.load without blocking the event loop while the file is read. */
export async function loadAsync(f: LoadSource, opts: LoadOptions = {}): Promise<unknown> {
  if (typeof f === "string") {
    if (opts.mmap) return load(f, opts);
    return loadBytes(await fs.promises.readFile(f), opts, true);
  }
  return loadBytes(bytesOf(f), opts, false);
}

/** torch.save(obj, f): PyTorch's zip format; a path is replaced atomically. */
export function save(obj: unknown, f: string | WritableLike): void {
  checkSaveTarget(f);
  saveImpl(obj, f);
}

/** torch.save without blocking the event loop while the file is written. */
export async function saveAsync(obj: unknown, f: string | WritableLike): Promise<void> {
  checkSaveTarget(f);
  await saveAsyncImpl(obj, f);
}

/** torch.serialization */
export const serialization = {
  CheckpointError,
  /** Marks an array to be saved as a Python tuple; loaded tuples carry the mark. */
  tuple,
  isTuple,
  /** Marks a plain object to be saved as collections.OrderedDict (optionally with `_metadata`). */
  orderedDict,
  isOrderedDict,
  /** A number saved as a Python float even when integral. */
  float,
  PyFloat,
  /** torch.save into a Buffer (like saving into io.BytesIO). */
  saveToBuffer,
};
export { CheckpointError };
export type { CheckpointErrorCode };

/** torch.safetensors (safetensors.torch): loadFile, saveFile, load, save. */
export const safetensors = {
  load: safetensorsNs.load,
  loadFile: safetensorsNs.loadFile,
  loadFileAsync: safetensorsNs.loadFileAsync,
  save: safetensorsNs.save,
  saveFile: safetensorsNs.saveFile,
  saveFileAsync: safetensorsNs.saveFileAsync,
  metadata: safetensorsNs.metadata,
};
