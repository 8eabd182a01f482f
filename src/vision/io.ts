// SPDX-License-Identifier: BSD-3-Clause
// torchvision.io: readImage/decodeImage to uint8 (C, H, W) tensors, encodePng/writePng and
// encodeJpeg/writeJpeg from them. The codecs are libvips' (the `sharp` package). The plain
// calls are synchronous like torchvision's (a worker thread runs sharp while this thread waits);
// the *Async variants call sharp directly.
import { readFileSync, writeFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { RuntimeError } from "../errors.js";
import { fromTypedArray } from "../ops/creation.js";
import { Tensor } from "../tensor/tensor.js";
import { callSync } from "./sync.js";
import { decodeRaw, encodeRaw, type ImageReadModeName, type JpegOptions, type PngOptions, type RawImage } from "./codec.js";

/** torchvision.io.ImageReadMode */
export const ImageReadMode = { UNCHANGED: "UNCHANGED", GRAY: "GRAY", GRAY_ALPHA: "GRAY_ALPHA", RGB: "RGB", RGB_ALPHA: "RGB_ALPHA" } as const;
export type ImageReadMode = ImageReadModeName;
export type { PngOptions, JpegOptions };

const toTensor = (r: RawImage): Tensor =>
  fromTypedArray(new Uint8Array(r.data), [r.height, r.width, r.channels]).permute(2, 0, 1).contiguous();

function bytesOf(input: Tensor | Uint8Array): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input.dtype !== "uint8" || input.ndim !== 1) throw new RuntimeError("Expected a 1 dimensional uint8 tensor of the file's bytes");
  return new Uint8Array(input.contiguous().numpy() as Uint8Array);
}

function rawOf(img: Tensor, fn: string): RawImage {
  if (img.dtype !== "uint8") throw new RuntimeError(`Input tensor dtype should be uint8`);
  if (img.ndim !== 3) throw new RuntimeError(`Input data should be a 3-dimensional tensor, but got ${img.ndim} dimensions.`);
  const c = img.size(0);
  if (c !== 1 && c !== 3 && (fn === "jpeg" || (c !== 2 && c !== 4)))
    throw new RuntimeError(`The number of channels should be ${fn === "jpeg" ? "1 or 3" : "1, 2, 3 or 4"}, got: ${c}`);
  const hwc = img.permute(1, 2, 0).contiguous();
  return { data: new Uint8Array(hwc.numpy() as Uint8Array), height: img.size(1), width: img.size(2), channels: c };
}

/** The bytes of a file as a 1-d uint8 tensor (torchvision.io.read_file). */
export function readFile_(path: string): Tensor { return fromTypedArray(new Uint8Array(readFileSync(path))); }
export { readFile_ as readFile };

/** PNG or JPEG bytes -> uint8 (C, H, W). */
export function decodeImage(input: Tensor | Uint8Array, mode: ImageReadMode = "UNCHANGED"): Tensor {
  return toTensor(callSync<RawImage>({ op: "decode", bytes: bytesOf(input), mode }));
}
export async function decodeImageAsync(input: Tensor | Uint8Array, mode: ImageReadMode = "UNCHANGED"): Promise<Tensor> {
  return toTensor(await decodeRaw(bytesOf(input), mode).catch((e: Error) => { throw new RuntimeError(e.message); }));
}
export const decodePng = decodeImage, decodeJpeg = decodeImage;

export function readImage(path: string, mode: ImageReadMode = "UNCHANGED"): Tensor {
  return decodeImage(readFileSync(path), mode);
}
export async function readImageAsync(path: string, mode: ImageReadMode = "UNCHANGED"): Promise<Tensor> {
  return decodeImageAsync(await readFile(path), mode);
}

/** uint8 (C, H, W), C in 1..4 -> PNG bytes as a 1-d uint8 tensor. */
export function encodePng(img: Tensor, compressionLevel = 6): Tensor {
  return fromTypedArray(callSync<Uint8Array>({ op: "encode", img: rawOf(img, "png"), format: "png", opts: { compressionLevel } }));
}
/** uint8 (C, H, W), C = 1 or 3 -> JPEG bytes as a 1-d uint8 tensor. */
export function encodeJpeg(img: Tensor, quality = 75): Tensor {
  if (quality < 1 || quality > 100) throw new RuntimeError("Image quality should be a positive number between 1 and 100");
  return fromTypedArray(callSync<Uint8Array>({ op: "encode", img: rawOf(img, "jpeg"), format: "jpeg", opts: { quality } }));
}
export function writePng(img: Tensor, path: string, compressionLevel = 6): void {
  writeFileSync(path, encodePng(img, compressionLevel).numpy() as Uint8Array);
}
export function writeJpeg(img: Tensor, path: string, quality = 75): void {
  writeFileSync(path, encodeJpeg(img, quality).numpy() as Uint8Array);
}
export async function writePngAsync(img: Tensor, path: string, compressionLevel = 6): Promise<void> {
  await writeFile(path, await encodeRaw(rawOf(img, "png"), "png", { compressionLevel }));
}
export async function writeJpegAsync(img: Tensor, path: string, quality = 75): Promise<void> {
  await writeFile(path, await encodeRaw(rawOf(img, "jpeg"), "jpeg", { quality }));
}
