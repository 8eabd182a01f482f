// SPDX-License-Identifier: BSD-3-Clause
// CIFAR10/100 (python pickle batches in the real .tar.gz), gzipped IDX, ImageFolder/DatasetFolder
// and FakeData against what torchvision reads from the same files; the restricted unpickler and
// the tar reader refusing hostile input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import * as torch from "../../src/index.js";
import { CIFAR10, CIFAR100, DatasetFolder, FakeData, FashionMNIST, FileNotFoundError, ImageFolder, readTar, unpickle,
  UnpicklingError, utils } from "../../src/vision/datasets/index.js";
import { Image } from "../../src/vision/image.js";
import { Compose, Normalize, RandomCrop, RandomHorizontalFlip, ToTensor } from "../../src/vision/transforms/index.js";
import { fixturePath, loadFixture } from "../helpers.js";
import { assertTensor, withFixtureChecksums, type Enc } from "./common.js";

interface Split { data: Enc; targets: number[] | Enc; first: Enc }
interface CifarFx { tgz_md5: string; train_list: [string, string][]; test_list: [string, string][]; meta_md5: string; train: Split; test: Split; classes: string[] }
const fx = loadFixture<{
  mnist: { resources: [string, string][]; train: Split; test: Split };
  cifar: Record<"CIFAR10" | "CIFAR100", CifarFx>;
  folder: { refused: string; classes: string[]; class_to_idx: Record<string, number>; samples: [string, number][] };
  fakedata: { kwargs: { size: number; image_size: [number, number, number]; num_classes: number; random_offset?: number }; items: [Enc, number][] }[];
}>("vision/datasets.json");


for (const C of [CIFAR10, CIFAR100]) {
  const f = fx.cifar[C.name as "CIFAR10"];
  test(`${C.name} from the .tar.gz in root and from the extracted folder, as torchvision reads them`, () => {
    const root = mkdtempSync(join(tmpdir(), "torchts-cifar-"));
    assert.throws(() => new C({ root }), /^RuntimeError: Dataset not found or corrupted. You can use download=True to download it$/);
    copyFileSync(fixturePath(`vision/cifar/${C.filename}`), join(root, C.filename));
    withFixtureChecksums(C, f, () => {
      for (const train of [true, false]) {
        const ds = new C({ root, train }), e = train ? f.train : f.test;
        assertTensor(ds.data, e.data, 0, "data");
        assert.deepEqual(ds.targets, e.targets);
        assert.deepEqual(ds.classes, f.classes);
        assert.equal(ds.classToIdx[f.classes[3]!], 3);
        assert.equal(ds.length, (e.targets as number[]).length);
        const [img, target] = ds.getItem(0);
        assert.ok(img instanceof Image);
        assert.equal(img.mode, "RGB");
        assertTensor(img.toTensor(), e.first, 0, "first image");
        assert.equal(target, (e.targets as number[])[0]);
        assert.equal(ds.getItem(-1)[1], (e.targets as number[]).at(-1));
        assert.throws(() => ds.getItem(ds.length), torch.IndexError);
      }
      // extracted (what download does), then read from the folder with each batch's checksum checked
      utils.extractArchive(join(root, C.filename), root);
      const ds = new C({ root, train: false, transform: new ToTensor(), targetTransform: (t: number) => t + 1000 });
      const [x, t] = ds.getItem(1);
      assertTensor(x as torch.Tensor, ds.data.select(0, 1).permute(2, 0, 1).float().div(255), 1e-7);
      assert.equal(t, (f.test.targets as number[])[1]! + 1000);
      assert.match(String(ds), new RegExp(`^Dataset ${C.name}\\n    Number of datapoints: 3\\n    Root location: .*\\n    Split: Test`));
      // a corrupted batch is noticed
      writeFileSync(join(root, C.baseFolder, f.test_list[0]![0]), "garbage");
      mkdirSync(join(root, "moved"));
      copyFileSync(join(root, C.filename), join(root, "moved", C.filename));
      writeFileSync(join(root, C.filename), "also garbage");
      assert.throws(() => new C({ root, train: false }), /Dataset not found or corrupted/);
    });
  });
}

test("the unpickler reads what numpy/python pickle and refuses everything else", () => {
  const batch = readTar(readFileSync(fixturePath("vision/cifar/cifar-10-python.tar.gz")))
    .find((e) => e.name.endsWith("data_batch_2"))!;
  const d = unpickle(batch.data) as Record<string, unknown>;
  assert.deepEqual(Object.keys(d).sort(), ["batch_label", "data", "filenames", "labels"]);
  assert.equal(d["batch_label"], "batch data_batch_2");
  assert.deepEqual(d["filenames"], ["img_0.png", "img_1.png"]);
  assert.deepEqual((d["data"] as torch.Tensor).shape, [2, 3072]);
  // protocol 4 with unicode, floats, negative and long ints, tuples, nested containers (python3 -c 'pickle.dumps(...)')
  const p4 = Buffer.from("gASVPAAAAAAAAAB9lCiMAWGUXZQoSwFK/////4oJAAAAAAAAAAABR0AEAAAAAAAAZYwBYpSJjALDqZROjAFjlEMCeHmUdS4=", "base64");
  assert.deepEqual(unpickle(p4), { a: [1, -1, 2n ** 64n, 2.5], b: false, "é": null, c: new Uint8Array([120, 121]) });
  // os.system via GLOBAL + REDUCE
  const evil = Buffer.from("cos\nsystem\n(S'echo hacked'\ntR.", "latin1");
  assert.throws(() => unpickle(evil), (e: Error) => e instanceof UnpicklingError && /Unsupported global: GLOBAL os.system/.test(e.message));
  assert.throws(() => unpickle(Buffer.from([0x80, 0x02, 0x7d])), /pickle data was truncated/);
  assert.throws(() => unpickle(Buffer.from([0x80, 0x02, 0xff])), /unsupported pickle opcode 0xff/);
});

test("the tar reader refuses paths outside the target and bad headers", () => {
  const header = (name: string) => {
    const h = Buffer.alloc(1024);
    h.write(name, 0); h.write("0000644\0", 100); h.write("00000000000\0", 124); h.write("0", 156); h.write("ustar\0", 257);
    h.fill(32, 148, 156);
    let sum = 0; for (let i = 0; i < 512; i++) sum += h[i]!;
    h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    return h;
  };
  assert.deepEqual(readTar(header("ok.txt")).map((e) => e.name), ["ok.txt"]);
  assert.throws(() => readTar(header("../evil.txt")), /refusing to extract/);
  assert.throws(() => readTar(header("/etc/evil")), /refusing to extract/);
  const bad = header("x"); bad[0] = 0x79;
  assert.throws(() => readTar(bad), /bad header checksum/);
});

test("gzipped IDX files as torchvision reads them", () => {
  const root = mkdtempSync(join(tmpdir(), "torchts-idx-"));
  mkdirSync(join(root, "FashionMNIST", "raw"), { recursive: true });
  for (const [name] of fx.mnist.resources) copyFileSync(fixturePath(`vision/mnist/${name}`), join(root, "FashionMNIST", "raw", name));
  for (const train of [true, false]) {
    const ds = new FashionMNIST({ root, train }), e = train ? fx.mnist.train : fx.mnist.test;
    assertTensor(ds.data, e.data);
    assertTensor(ds.targets, e.targets as Enc);
    assertTensor(ds.getItem(0)[0].unsqueeze(0), e.first);
  }
});

test("ImageFolder / DatasetFolder: classes, classToIdx, samples and errors as torchvision", () => {
  const root = fixturePath("vision/folder");
  assert.throws(() => new ImageFolder(root), (e: Error) => e instanceof FileNotFoundError && e.message === fx.folder.refused.replace("ROOT", root));
  const ds = new DatasetFolder(root, { loader: (p: string) => p, isValidFile: (p) => /\.(png|jpg|md)$/i.test(p) });
  assert.deepEqual(ds.classes, fx.folder.classes);
  assert.deepEqual(ds.classToIdx, fx.folder.class_to_idx);
  assert.deepEqual(ds.samples.map(([p, t]) => [relative(root, p), t]), fx.folder.samples);
  assert.deepEqual(ds.targets, fx.folder.samples.map((s) => s[1]));
  const images = new ImageFolder(root, { allowEmpty: true });
  assert.deepEqual(images.classes, fx.folder.classes);
  assert.deepEqual(images.samples.map(([p, t]) => [relative(root, p), t]), fx.folder.samples.filter(([p]) => !p.endsWith(".md")));
  const [img, t] = images.getItem(2);   // cat/x/deep.png, an RGB image 5x5
  assert.ok(img instanceof Image);
  assert.deepEqual([img.mode, img.size, t], ["RGB", [5, 5], 1]);
  assert.throws(() => new DatasetFolder(root, { loader: (p: string) => p }), /Both extensions and is_valid_file cannot be None or not None at the same time/);
  assert.throws(() => new ImageFolder(join(root, "dog")), /Couldn't find any class folder in/);
});

test("FakeData: the images and targets torchvision generates, and the global RNG untouched", () => {
  for (const { kwargs, items } of fx.fakedata) {
    const ds = new FakeData({ size: kwargs.size, imageSize: kwargs.image_size, numClasses: kwargs.num_classes, randomOffset: kwargs.random_offset });
    assert.equal(ds.length, items.length);
    torch.manualSeed(123);
    const before = torch.rand(3);
    torch.manualSeed(123);
    items.forEach(([img, target], i) => {
      const [x, t] = ds.getItem(i);
      assertTensor(x.toTensor(), img, 0, `item ${i}`);
      assert.equal(t, target);
    });
    assertTensor(torch.rand(3), before);
    assert.throws(() => ds.getItem(items.length), /FakeData index out of range/);
  }
});

test("CIFAR10 with the tutorial's transforms through a DataLoader", async () => {
  const root = mkdtempSync(join(tmpdir(), "torchts-cifar-dl-"));
  copyFileSync(fixturePath("vision/cifar/cifar-10-python.tar.gz"), join(root, "cifar-10-python.tar.gz"));
  await withFixtureChecksums(CIFAR10, fx.cifar.CIFAR10, async () => {
    const transform = new Compose([new RandomCrop(32, { padding: 4 }), new RandomHorizontalFlip(), new ToTensor(), new Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])]);
    const ds = new CIFAR10({ root, transform });
    const loader = new torch.utils.data.DataLoader(ds, { batchSize: 4, shuffle: true });
    const shapes: number[][] = [], labels: number[] = [];
    for await (const [x, y] of loader as AsyncIterable<[torch.Tensor, torch.Tensor]>) { shapes.push(x.shape); labels.push(...(y.tolist() as number[])); }
    assert.deepEqual(shapes, [[4, 3, 32, 32], [4, 3, 32, 32], [2, 3, 32, 32]]);
    assert.deepEqual([...labels].sort(), [...(fx.cifar.CIFAR10.train.targets as number[])].sort());
  });
});
