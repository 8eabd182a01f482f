// SPDX-License-Identifier: BSD-3-Clause
// The decoding and encoding done by `sharp` (libvips), shared by io.ts (async, on the main
// thread) and io-worker.ts (the synchronous calls, run in a worker). Pixels cross as
// interleaved (H, W, C) bytes; the channel conversions of torchvision.io's modes are done here
// with libpng's and libjpeg's own formulas, so GRAY/RGB/RGB_ALPHA results match torchvision.io.
import sharp from "sharp";

export type ImageReadModeName = "UNCHANGED" | "GRAY" | "GRAY_ALPHA" | "RGB" | "RGB_ALPHA";

export interface RawImage { data: Uint8Array; height: number; width: number; channels: number }

/**
 * (R, G, B) -> gray as torchvision.io does it: libjpeg's JCS_GRAYSCALE for JPEG, libpng's
 * png_set_rgb_to_gray(png, 1, 0.2989, 0.587) (15-bit fixed point) for PNG.
 */
function gray(r: number, g: number, b: number, jpeg: boolean): number {
  return jpeg ? (19595 * r + 38470 * g + 7471 * b + 32768) >> 16 : (9794 * r + 19234 * g + 3740 * b) >> 15;
}

export async function decodeRaw(bytes: Uint8Array, mode: ImageReadModeName): Promise<RawImage> {
  const unsupported = "Unsupported image file. Only jpeg and png are currently supported.";
  const img = sharp(bytes, { failOn: "error" });
  const meta = await img.metadata().catch((e: Error) => {
    throw new Error(/unsupported image format/.test(e.message) ? unsupported : e.message);
  });
  if (meta.format !== "png" && meta.format !== "jpeg") throw new Error(unsupported);
  const jpeg = meta.format === "jpeg";
  const { data, info } = await img.raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
  const c = info.channels, n = info.width * info.height;
  // libvips hands gray images over as RGB(A) with R = G = B; the file's own channel count says which
  const hasAlpha = c === 2 || c === 4, isGray = (meta.channels ?? c) <= 2;
  const want = mode === "UNCHANGED" ? (isGray ? (hasAlpha ? 2 : 1) : c) : mode === "GRAY" ? 1 : mode === "GRAY_ALPHA" ? 2 : mode === "RGB" ? 3 : 4;
  const out = new Uint8Array(n * want);
  for (let i = 0; i < n; i++) {
    const s = i * c, r = data[s]!, g = isGray ? r : data[s + 1]!, b = isGray ? r : data[s + 2]!;
    const a = hasAlpha ? data[s + c - 1]! : 255, o = i * want;
    if (want <= 2) out[o] = isGray ? r : gray(r, g, b, jpeg);
    else { out[o] = r; out[o + 1] = g; out[o + 2] = b; }
    if (want === 2 || want === 4) out[o + want - 1] = a;
  }
  return { data: out, height: info.height, width: info.width, channels: want };
}

export interface PngOptions { compressionLevel?: number }
export interface JpegOptions { quality?: number }

export async function encodeRaw(img: RawImage, format: "png" | "jpeg", opts: PngOptions & JpegOptions): Promise<Uint8Array> {
  const s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels as 1 | 2 | 3 | 4 } })
    .toColourspace(img.channels <= 2 ? "b-w" : "srgb");
  const buf = format === "png"
    ? await s.png({ compressionLevel: opts.compressionLevel ?? 6 }).toBuffer()
    : await s.jpeg({ quality: opts.quality ?? 75 }).toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
