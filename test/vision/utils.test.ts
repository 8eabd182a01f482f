// SPDX-License-Identifier: BSD-3-Clause
// makeGrid and saveImage against torchvision.utils on the same tensors; plotLossCurve renders a
// real PNG/SVG chart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../../src/index.js";
import { lossCurveSpec, makeGrid, plotLossCurve, saveImage } from "../../src/vision/utils.js";
import { readImage } from "../../src/vision/io.js";
import { loadFixture, type Json } from "../helpers.js";
import { assertTensor, fromEnc, type Enc } from "./common.js";

const fx = loadFixture<{ make_grid: { label: string; input: Enc; kwargs: Record<string, Json>; out: Enc }[];
  save_image: { input: Enc; kwargs: { nrow: number }; pixels: Enc } }>("vision/utils.json");

test("makeGrid: torchvision's layout, padding, normalisation", () => {
  for (const c of fx.make_grid) {
    const k = c.kwargs as Record<string, any>;
    const out = makeGrid(fromEnc(c.input), { nrow: k["nrow"], padding: k["padding"], normalize: k["normalize"], valueRange: k["value_range"],
      scaleEach: k["scale_each"], padValue: k["pad_value"] });
    assertTensor(out, c.out, 1e-6, c.label);
  }
  const imgs = fromEnc(fx.make_grid[0]!.input);
  assertTensor(makeGrid([imgs.select(0, 0), imgs.select(0, 1)], { padding: 0 }), torch.cat([imgs.select(0, 0), imgs.select(0, 1)], 2));
  assert.throws(() => makeGrid(imgs, { normalize: true, valueRange: [1] as unknown as [number, number] }), /value_range has to be a tuple \(min, max\)/);
});

test("saveImage writes the PNG torchvision writes", () => {
  const dir = mkdtempSync(join(tmpdir(), "torchts-grid-"));
  saveImage(fromEnc(fx.save_image.input), join(dir, "grid.png"), { nrow: fx.save_image.kwargs.nrow });
  assertTensor(readImage(join(dir, "grid.png")), fx.save_image.pixels);
  saveImage(fromEnc(fx.save_image.input), join(dir, "grid.jpg"), { nrow: 3 });
  assert.deepEqual(readImage(join(dir, "grid.jpg")).shape, fromEnc(fx.save_image.pixels).shape);
});

test("plotLossCurve renders a chart with Vega-Lite to PNG and SVG", async () => {
  const dir = mkdtempSync(join(tmpdir(), "torchts-plot-"));
  const losses = Array.from({ length: 200 }, (_, i) => 2.3 * Math.exp(-i / 40) + 0.05 * Math.sin(i));
  await plotLossCurve(losses, join(dir, "loss.png"), { title: "MNIST training loss", smoothing: 10, width: 400, height: 200 });
  const png = readImage(join(dir, "loss.png"));
  assert.equal(png.size(0), 3);
  assert.ok(png.size(2) >= 400 && png.size(1) >= 200, `chart size ${png.shape}`);
  // mostly white background with coloured line pixels
  const blue = png.select(0, 2).float().sub(png.select(0, 0).float()).gt(40).sum().item() as number;
  assert.ok(blue > 100, `line pixels: ${blue}`);
  await plotLossCurve(losses, join(dir, "loss.svg"));
  const svg = readFileSync(join(dir, "loss.svg"), "utf8");
  assert.match(svg, /^<svg/);
  assert.match(svg, /Training loss/);
  assert.equal((lossCurveSpec([1, 2]) as { data: { values: unknown[] } }).data.values.length, 2);
  await assert.rejects(plotLossCurve([], join(dir, "x.png")), /no values to plot/);
});

test("saveLabeledGrid: images upscaled in a grid with a label under each", async () => {
  const { saveLabeledGrid } = await import("../../src/vision/utils.js");
  const dir = mkdtempSync(join(tmpdir(), "torchts-lgrid-"));
  torch.manualSeed(0);
  const imgs = torch.zeros([5, 1, 4, 4]);
  imgs.index(":", ":", "1:3", "1:3").fill_(1);   // a white square in each black image
  await saveLabeledGrid(imgs, ["0", "1", "2", "3", "<4>"], join(dir, "g.png"), { nrow: 3, scale: 5, padding: 2, fontSize: 10, colors: ["green", "red", "green", "green", "red"] });
  const png = readImage(join(dir, "g.png"));
  const labelH = 16, cellW = 20 + 2, cellH = 20 + labelH + 2;
  assert.deepEqual(png.shape, [3, 2 + 2 * cellH, 2 + 3 * cellW]);
  // first image: black border pixel, white centre (upscaled 5x, nearest)
  assert.deepEqual(png.index(":", 2 + 1, 2 + 1).tolist(), [0, 0, 0]);
  assert.deepEqual(png.index(":", 2 + 10, 2 + 10).tolist(), [255, 255, 255]);
  // some red text under the second image
  const strip = png.index(":", `${2 + 20}:${2 + 20 + labelH}`, `${2 + cellW}:${2 + cellW + 20}`);
  assert.ok((strip.select(0, 0).float().sub(strip.select(0, 1).float()).gt(100).sum().item() as number) > 3);
  await assert.rejects(saveLabeledGrid(imgs, ["a"], join(dir, "x.png")), /5 images but 1 labels/);
});
