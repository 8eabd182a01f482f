// SPDX-License-Identifier: BSD-3-Clause
// torchvision.io: decoding PNG/JPEG files in every read mode against torchvision's decode_image,
// encoding round trips, and errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../../src/index.js";
import * as io from "../../src/vision/io.js";
import { fixturePath, loadFixture } from "../helpers.js";
import { assertTensor, type Enc } from "./common.js";

const fx = loadFixture<{ io: Record<string, Record<string, Enc>> }>("vision/datasets.json").io;

for (const [file, modes] of Object.entries(fx)) {
  test(`decodeImage ${file} in every mode matches torchvision.io`, () => {
    const path = fixturePath(`vision/images/${file}`);
    for (const [mode, expected] of Object.entries(modes)) {
      const img = io.readImage(path, mode as io.ImageReadMode);
      // PNG is lossless: exact. JPEG: libvips' and torchvision's libjpeg-turbo decoders agree to 1.
      assertTensor(img, expected, file.endsWith(".jpg") ? 1 : 0, `${file} ${mode}`);
    }
    const bytes = io.readFile(path);
    assert.deepEqual(bytes.shape, [readFileSync(path).length]);
    assertTensor(io.decodeImage(bytes), modes["UNCHANGED"]!, file.endsWith(".jpg") ? 1 : 0, "from a uint8 tensor");
  });
}

test("decodeImageAsync / readImageAsync give the same tensors", async () => {
  const path = fixturePath("vision/images/rgba.png");
  assertTensor(await io.readImageAsync(path, "RGB"), fx["rgba.png"]!["RGB"]!);
  assertTensor(await io.decodeImageAsync(readFileSync(path)), fx["rgba.png"]!["UNCHANGED"]!);
});

test("encodePng/writePng round-trip exactly for 1-4 channels; JPEG is close; errors", () => {
  const dir = mkdtempSync(join(tmpdir(), "torchts-io-"));
  torch.manualSeed(0);
  for (const c of [1, 2, 3, 4]) {
    const x = torch.randint(0, 256, [c, 6, 9], { dtype: torch.uint8 });
    assertTensor(io.decodeImage(io.encodePng(x)), x, 0, `png ${c}`);
    io.writePng(x.permute(0, 2, 1), join(dir, `x${c}.png`), 9);   // non-contiguous input
    assertTensor(io.readImage(join(dir, `x${c}.png`)), x.permute(0, 2, 1).contiguous(), 0, `png file ${c}`);
  }
  const smooth = io.readImage(fixturePath("vision/images/rgb.png"));
  io.writeJpeg(smooth, join(dir, "a.jpg"), 95);
  const back = io.readImage(join(dir, "a.jpg"));
  assert.deepEqual(back.shape, smooth.shape);
  // 4:2:0 chroma subsampling (libjpeg's default, as torchvision's) on a noisy 9x11 image
  const err = (q: number) => io.decodeImage(io.encodeJpeg(smooth, q)).float().sub(smooth.float()).abs().mean().item() as number;
  assert.ok((back.float().sub(smooth.float()).abs().mean().item() as number) < 20);
  assert.ok(err(95) < err(50) && err(50) < err(10));
  assert.ok(io.encodeJpeg(smooth, 10).numel() < io.encodeJpeg(smooth, 95).numel());
  assert.throws(() => io.encodeJpeg(smooth, 0), /Image quality should be a positive number between 1 and 100/);
  assert.throws(() => io.encodePng(smooth.float()), /Input tensor dtype should be uint8/);
  assert.throws(() => io.encodeJpeg(torch.zeros([4, 2, 2], { dtype: torch.uint8 })), /The number of channels should be 1 or 3, got: 4/);
  assert.throws(() => io.decodeImage(new Uint8Array([1, 2, 3, 4])), (e: Error) => e instanceof torch.RuntimeError &&
    e.message === "Unsupported image file. Only jpeg and png are currently supported.");
  const truncated = readFileSync(fixturePath("vision/images/rgb.png")).subarray(0, 60);
  assert.throws(() => io.decodeImage(truncated), torch.RuntimeError);
  assert.throws(() => io.readImage(join(dir, "missing.png")), /ENOENT/);
});
