// SPDX-License-Identifier: BSD-3-Clause
// transforms.functional and the transform classes against torchvision 0.14's tensor path on the
// same images (scripts/gen_vision_fixtures.py): exact for geometric ops on uint8 images, within
// 1 (of 255) for resampling and colour ops on uint8, 1e-5 on float32. Random transforms are
// seeded with torch.manualSeed and must make torchvision's draws (two calls per seed, then the
// generator must be where torchvision left it).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import * as T from "../../src/vision/transforms/index.js";
import * as F from "../../src/vision/transforms/functional.js";
import { Image } from "../../src/vision/image.js";
import { loadFixture, type Json } from "../helpers.js";
import { assertTensor, fromEnc, type Enc } from "./common.js";

interface Fx {
  inputs: { u8: Enc; gray: Enc };
  functional: { fn: string; args: Json[]; kwargs: Record<string, Json>; input: "u8" | "f32" | "gray"; out: Enc }[];
  random: { transform: string; input: "u8" | "f32"; seed: number; outs: Enc[]; next_rand: number }[];
  reprs: Record<string, string>;
}
const fx = loadFixture<Fx>("vision/transforms.json");
const u8 = fromEnc(fx.inputs.u8), gray = fromEnc(fx.inputs.gray);
const inputs = { u8, gray, f32: u8.float().div(255) };

const GEOMETRIC = new Set(["pad", "crop", "center_crop", "hflip", "vflip", "erase"]);
const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function runFunctional(fn: string, x: torch.Tensor, a: any[], kw: Record<string, any>): torch.Tensor {
  switch (fn) {
    case "resize": return F.resize(x, a[0], kw["interpolation"] ?? "bilinear", kw["max_size"], kw["antialias"] ?? false) as torch.Tensor;
    case "pad": return F.pad(x, a[0], kw["fill"] ?? 0, kw["padding_mode"] ?? "constant") as torch.Tensor;
    case "crop": return F.crop(x, a[0], a[1], a[2], a[3]) as torch.Tensor;
    case "center_crop": return F.centerCrop(x, a[0]) as torch.Tensor;
    case "hflip": return F.hflip(x) as torch.Tensor;
    case "vflip": return F.vflip(x) as torch.Tensor;
    case "rotate": return F.rotate(x, a[0], kw["interpolation"] ?? "nearest", kw["expand"] ?? false, kw["center"], kw["fill"] ?? null) as torch.Tensor;
    case "affine": return F.affine(x, kw["angle"], kw["translate"], kw["scale"], kw["shear"], kw["interpolation"] ?? "nearest", kw["fill"] ?? null) as torch.Tensor;
    case "rgb_to_grayscale": return F.rgbToGrayscale(x, kw["num_output_channels"] ?? 1) as torch.Tensor;
    case "gaussian_blur": return F.gaussianBlur(x, a[0], a[1]) as torch.Tensor;
    case "erase": return F.erase(x, a[0], a[1], a[2], a[3], x.isFloatingPoint() ? a[4] : 1);
    case "convert_image_dtype": return F.convertImageDtype(x.isFloatingPoint() ? x.mul(0.999) : x, a[0]);
    case "normalize": return F.normalize(x, a[0], a[1]);
    case "to_pil_image": return F.pilToTensor(F.toPilImage(x.mul(1.3).sub(0.1)));
    default: return (F as any)[camel(fn)](x, ...a) as torch.Tensor;
  }
}

test("transforms.functional matches torchvision's tensor path", () => {
  const failures: string[] = [];
  for (const c of fx.functional) {
    const x = inputs[c.input];
    const exact = x.dtype === "uint8" && (GEOMETRIC.has(c.fn) || c.kwargs["interpolation"] === "nearest" ||
      ((c.fn === "rotate" || c.fn === "affine") && c.kwargs["interpolation"] === undefined));
    const tol = exact ? 0 : x.dtype === "uint8" ? 1 : 1e-5;
    try {
      const out = runFunctional(c.fn, x, c.args as any[], c.kwargs as any);
      assertTensor(out, c.out, tol, "");
    } catch (e) {
      failures.push(`${c.fn}(${c.input}, ${JSON.stringify(c.args)}, ${JSON.stringify(c.kwargs)}): ${(e as Error).message.split("\n")[0]}`);
    }
  }
  assert.deepEqual(failures, []);
});

const NEAREST = "nearest", BILINEAR = "bilinear";
const RANDOM: Record<string, () => T.Transform<any, any>> = {
  "RandomCrop(8, padding=2)": () => new T.RandomCrop(8, { padding: 2 }),
  "RandomCrop([10, 20], pad_if_needed=True, fill=3)": () => new T.RandomCrop([10, 20], { padIfNeeded: true, fill: 3 }),
  "RandomCrop(8, padding=[1, 2], padding_mode='reflect')": () => new T.RandomCrop(8, { padding: [1, 2], paddingMode: "reflect" }),
  "RandomResizedCrop(8)": () => new T.RandomResizedCrop(8),
  "RandomResizedCrop([6, 7], scale=(0.5, 1.0), ratio=(0.5, 2.0), interpolation=NEAREST)": () =>
    new T.RandomResizedCrop([6, 7], { scale: [0.5, 1.0], ratio: [0.5, 2.0], interpolation: NEAREST }),
  "RandomResizedCrop(9, scale=(0.9, 1.0), ratio=(3.0, 4.0))": () => new T.RandomResizedCrop(9, { scale: [0.9, 1.0], ratio: [3.0, 4.0] }),
  "RandomHorizontalFlip()": () => new T.RandomHorizontalFlip(),
  "RandomVerticalFlip(p=0.7)": () => new T.RandomVerticalFlip(0.7),
  "RandomRotation(40)": () => new T.RandomRotation(40),
  "RandomRotation([10, 80], expand=True, fill=[5, 6, 7])": () => new T.RandomRotation([10, 80], { expand: true, fill: [5, 6, 7] }),
  "RandomAffine(30, translate=(0.2, 0.1), scale=(0.8, 1.2), shear=[-10, 10, -5, 5])": () =>
    new T.RandomAffine(30, { translate: [0.2, 0.1], scale: [0.8, 1.2], shear: [-10, 10, -5, 5] }),
  "RandomAffine(0, shear=20, interpolation=BILINEAR)": () => new T.RandomAffine(0, { shear: 20, interpolation: BILINEAR }),
  "ColorJitter(0.4, 0.4, 0.4, 0.1)": () => new T.ColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 }),
  "ColorJitter(brightness=(0.5, 0.9), hue=(-0.3, -0.1))": () => new T.ColorJitter({ brightness: [0.5, 0.9], hue: [-0.3, -0.1] }),
  "RandomGrayscale(0.5)": () => new T.RandomGrayscale(0.5),
  "GaussianBlur(5, (0.1, 2.0))": () => new T.GaussianBlur(5, [0.1, 2.0]),
  "RandomErasing(p=1.0)": () => new T.RandomErasing({ p: 1.0 }),
  "RandomErasing(p=1.0, value='random')": () => new T.RandomErasing({ p: 1.0, value: "random" }),
  "RandomErasing(p=0.9, scale=(0.1, 0.2), value=[0.1, 0.2, 0.3])": () => new T.RandomErasing({ p: 0.9, scale: [0.1, 0.2], value: [0.1, 0.2, 0.3] }),
  "RandomApply([ColorJitter(0.5)], p=0.5)": () => new T.RandomApply([new T.ColorJitter({ brightness: 0.5 })], 0.5),
  "Compose([RandomResizedCrop(8), RandomHorizontalFlip(), ConvertImageDtype(float), Normalize(...)])": () =>
    new T.Compose([new T.RandomResizedCrop(8), new T.RandomHorizontalFlip(), new T.ConvertImageDtype("float32"), new T.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])]),
};

test("random transforms make torchvision's draws under torch.manualSeed", () => {
  const failures: string[] = [];
  for (const c of fx.random) {
    const t = RANDOM[c.transform]!();
    torch.manualSeed(c.seed);
    try {
      c.outs.forEach((o, k) => {
        const x = inputs[c.input].clone();
        const exact = c.input === "u8" && /Crop\(|Flip|Rotation|RandomAffine\(30/.test(c.transform) && !/Resized/.test(c.transform);
        assertTensor(t.forward(x) as torch.Tensor, o, exact ? 0 : c.input === "u8" ? 1 : 1e-5, `call ${k}`);
      });
      assert.equal(torch.rand(1).item(), c.next_rand, "the generator is left where torchvision leaves it");
    } catch (e) {
      failures.push(`${c.transform} on ${c.input}, seed ${c.seed}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  assert.deepEqual(failures, []);
});

test("reprs as torchvision's", () => {
  const mk: Record<string, () => unknown> = {
    ...RANDOM,
    "Resize(8)": () => new T.Resize(8), "CenterCrop(5)": () => new T.CenterCrop(5),
    "Pad([1, 2], fill=3, padding_mode='edge')": () => new T.Pad([1, 2], { fill: 3, paddingMode: "edge" }), "Grayscale(3)": () => new T.Grayscale(3),
  };
  // Python prints a tuple or a list as the user wrote it; JS has only arrays (printed as lists):
  // compare with that one difference taken out
  const brackets = (s: string) => s.replace(/\(([-\d.]+(, [-\d.]+)+)\)/g, "[$1]");
  for (const [label, expected] of Object.entries(fx.reprs)) assert.equal(brackets(String(mk[label]!())), brackets(expected), label);
});

test("Images go through the same tensor path and stay Images; HWC arrays for ToTensor", () => {
  const img = new Image(u8.permute(1, 2, 0));
  assert.deepEqual([img.mode, img.size], ["RGB", [17, 13]]);
  const out = new T.Compose([new T.CenterCrop(8), new T.Resize([4, 6])]).forward(img) as Image;
  assert.ok(out instanceof Image);
  assertTensor(out.toTensor(), F.resize(F.centerCrop(u8, 8), [4, 6]) as torch.Tensor);
  assertTensor(new T.ToTensor().forward(out), out.toTensor().float().div(255));
  assertTensor(new T.PILToTensor().forward(img), u8);
  assert.equal((new T.Grayscale().forward(img) as Image).mode, "L");
  // an MNIST-style (H, W) uint8 array
  assertTensor(new T.ToTensor().forward(gray.select(0, 0)), gray.float().div(255));
  assertTensor(new T.ToPILImage().forward(inputs.f32).toTensor(), inputs.f32.mul(255).to("uint8"));
  // non-contiguous input
  assertTensor(F.hflip(u8.transpose(1, 2)) as torch.Tensor, u8.transpose(1, 2).contiguous().flip(-1));
});

test("errors in torchvision's words", () => {
  assert.throws(() => F.pad(u8, [1, 2, 3]), /Padding must be an int or a 1, 2, or 4 element tuple, not a 3 element tuple/);
  assert.throws(() => F.pad(u8, 20, 0, "reflect"), /Padding size should be less than the corresponding input dimension/);
  assert.throws(() => F.resize(u8, 5, "nearest", undefined, true), /Antialias option is supported for bilinear and bicubic interpolation modes only/);
  assert.throws(() => F.resize(u8, 8, "bilinear", 8), /max_size = 8 must be strictly greater than the requested size for the smaller edge size = 8/);
  assert.throws(() => F.normalize(u8, [0.5], [0.5]), /Input tensor should be a float tensor. Got uint8./);
  assert.throws(() => F.normalize(inputs.f32, [0.5], [0]), /std evaluated to zero after conversion to float32, leading to division by zero./);
  assert.throws(() => F.adjustHue(u8, 0.7), /hue_factor \(0.7\) is not in \[-0.5, 0.5\]./);
  assert.throws(() => F.adjustBrightness(u8, -1), /brightness_factor \(-1\) is not non-negative./);
  assert.throws(() => F.gaussianBlur(u8, 4), /kernel_size should have odd and positive integers/);
  assert.throws(() => new T.RandomCrop(20).forward(u8), /Required crop size \(20, 20\) is larger then input image size \(13, 17\)/);
  assert.throws(() => F.rotate(u8, 10, "bicubic"), /Interpolation mode 'bicubic' is unsupported with Tensor input/);
  assert.throws(() => new T.RandomErasing({ p: 1, value: [1, 2] }).forward(inputs.f32),
    /If value is a sequence, it should have either a single value or 3 \(number of input channels\)/);
  assert.throws(() => F.toTensor(torch.zeros([1, 2, 3, 4], { dtype: torch.uint8 })), /pic should be 2\/3 dimensional. Got 4 dimensions./);
});

test("batches (..., C, H, W) and non-contiguous inputs give each image's result", () => {
  const batch = torch.stack([u8, u8.flip(-1)]);
  const perImage = (f: (x: torch.Tensor) => torch.Tensor) =>
    assertTensor(f(batch), torch.stack([f(u8), f(u8.flip(-1).contiguous())]), 0);
  perImage((x) => F.resize(x, [7, 9]) as torch.Tensor);
  perImage((x) => F.rotate(x, 33, "bilinear", true) as torch.Tensor);
  perImage((x) => F.affine(x, 10, [1, 2], 1.1, [5, 0]) as torch.Tensor);
  perImage((x) => F.gaussianBlur(x, 3, 1.0) as torch.Tensor);
  perImage((x) => F.adjustHue(x, 0.1) as torch.Tensor);
  perImage((x) => F.pad(x, [1, 2], 0, "symmetric") as torch.Tensor);
  const t = inputs.f32.transpose(1, 2);   // (3, 17, 13), strided
  assertTensor(F.resize(t, [6, 5]) as torch.Tensor, F.resize(t.contiguous(), [6, 5]) as torch.Tensor, 0);
  assertTensor(F.rotate(t, 20, "bilinear") as torch.Tensor, F.rotate(t.contiguous(), 20, "bilinear") as torch.Tensor, 0);
});

test("an Image takes the same random draws and pixels as its tensor", () => {
  const img = new Image(u8.permute(1, 2, 0));
  for (const make of [RANDOM["RandomResizedCrop(8)"]!, RANDOM["RandomAffine(30, translate=(0.2, 0.1), scale=(0.8, 1.2), shear=[-10, 10, -5, 5])"]!,
    RANDOM["ColorJitter(0.4, 0.4, 0.4, 0.1)"]!]) {
    const t = make();
    torch.manualSeed(3);
    const a = t.forward(u8) as torch.Tensor;
    torch.manualSeed(3);
    const b = t.forward(img) as Image;
    assert.ok(b instanceof Image);
    assertTensor(b.toTensor(), a, 0, String(t));
  }
});

test("resize, rotate and blur are differentiable compositions (gradcheck in float64)", () => {
  torch.manualSeed(0);
  const x = torch.rand([2, 5, 6], { dtype: torch.float64 }).requiresGrad_();
  for (const f of [(v: torch.Tensor) => F.resize(v, [3, 8]) as torch.Tensor, (v: torch.Tensor) => F.resize(v, [3, 4], "bicubic", undefined, true) as torch.Tensor,
    (v: torch.Tensor) => F.rotate(v, 17, "bilinear") as torch.Tensor, (v: torch.Tensor) => F.gaussianBlur(v, 3, 0.9) as torch.Tensor])
    assert.ok(torch.autograd.gradcheck(f, [x]));
});
