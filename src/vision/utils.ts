// SPDX-License-Identifier: BSD-3-Clause
// torchvision.utils.make_grid / save_image, and plotLossCurve: a training-loss chart drawn by
// Vega-Lite (compiled and rendered to SVG by Vega) and rasterised to PNG by sharp.
import { writeFileSync } from "node:fs";
import { extname } from "node:path";
import sharp from "sharp";
import { ValueError } from "../errors.js";
import { cat, stack } from "../ops/join.js";
import { full } from "../ops/creation.js";
import { Tensor } from "../tensor/tensor.js";
import { writeJpeg, writePng } from "./io.js";

export interface MakeGridOptions {
  /** images per row (default 8) */
  nrow?: number;
  padding?: number;
  normalize?: boolean;
  /** [min, max] used to normalize; default: the tensor's min and max */
  valueRange?: [number, number];
  scaleEach?: boolean;
  padValue?: number;
}

/** (B, C, H, W) images (or a list of (C, H, W), or one (C, H, W) / (H, W)) -> one (C, H', W') grid. */
export function makeGrid(input: Tensor | Tensor[], opts: MakeGridOptions = {}): Tensor {
  const { nrow = 8, padding = 2, normalize = false, valueRange, scaleEach = false, padValue = 0 } = opts;
  let t = Array.isArray(input) ? stack(input, 0) : input;
  if (!(t instanceof Tensor)) throw new TypeError(`tensor or list of tensors expected, got ${typeof input}`);
  if (t.ndim === 2) t = t.unsqueeze(0);
  if (t.ndim === 3) {
    if (t.size(0) === 1) t = cat([t, t, t], 0);
    t = t.unsqueeze(0);
  }
  if (t.ndim === 4 && t.size(1) === 1) t = cat([t, t, t], 1);
  if (normalize) {
    t = t.clone();
    if (valueRange !== undefined && (!Array.isArray(valueRange) || valueRange.length !== 2))
      throw new TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers");
    const normIp = (img: Tensor, low: number, high: number) => { img.clamp_(low, high).sub_(low).div_(Math.max(high - low, 1e-5)); };
    const normRange = (x: Tensor) => {
      if (valueRange) normIp(x, valueRange[0], valueRange[1]);
      else normIp(x, x.min().item() as number, x.max().item() as number);
    };
    if (scaleEach) for (let i = 0; i < t.size(0); i++) normRange(t.select(0, i));
    else normRange(t);
  }
  if (t.size(0) === 1) return t.squeeze(0);
  const nmaps = t.size(0), xmaps = Math.min(nrow, nmaps), ymaps = Math.ceil(nmaps / xmaps);
  const height = t.size(2) + padding, width = t.size(3) + padding, c = t.size(1);
  const grid = full([c, height * ymaps + padding, width * xmaps + padding], padValue, { dtype: t.dtype });
  let k = 0;
  for (let y = 0; y < ymaps; y++) for (let x = 0; x < xmaps && k < nmaps; x++, k++)
    grid.narrow(1, y * height + padding, height - padding).narrow(2, x * width + padding, width - padding).copy_(t.select(0, k));
  return grid;
}

export interface SaveImageOptions extends MakeGridOptions {
  /** "png" or "jpeg"; by default from the file's extension */
  format?: "png" | "jpeg";
}

/** makeGrid, scaled to bytes as torchvision does (x * 255 + 0.5, clamped), written as PNG or JPEG. */
export function saveImage(input: Tensor | Tensor[], path: string, opts: SaveImageOptions = {}): void {
  const grid = makeGrid(input, opts);
  const bytes = grid.mul(255).add(0.5).clamp(0, 255).to("uint8");
  const format = opts.format ?? (/^\.jpe?g$/i.test(extname(path)) ? "jpeg" : "png");
  if (format === "jpeg") writeJpeg(bytes, path);
  else writePng(bytes, path);
}

export interface PlotLossCurveOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** also draw a moving average over this many points (0: none) */
  smoothing?: number;
  /** "png" (default, or from the extension) or "svg" */
  format?: "png" | "svg";
}

/** The Vega-Lite spec of a loss curve (exposed so callers can adapt it). */
export function lossCurveSpec(values: readonly number[], opts: PlotLossCurveOptions = {}): Record<string, unknown> {
  if (values.length === 0) throw new ValueError("plotLossCurve: no values to plot");
  const { title = "Training loss", xLabel = "step", yLabel = "loss", width = 640, height = 360, smoothing = 0 } = opts;
  const data = values.map((v, i) => ({ step: i + 1, loss: v }));
  const x = { field: "step", type: "quantitative", title: xLabel };
  const layers: Record<string, unknown>[] = [
    { mark: { type: "line", color: "#4c78a8", opacity: smoothing > 0 ? 0.45 : 1 }, encoding: { x, y: { field: "loss", type: "quantitative", title: yLabel } } },
  ];
  if (smoothing > 0) layers.push({
    transform: [{ window: [{ op: "mean", field: "loss", as: "smoothed" }], frame: [-(smoothing - 1), 0] }],
    mark: { type: "line", color: "#e45756", strokeWidth: 2 },
    encoding: { x, y: { field: "smoothed", type: "quantitative" } },
  });
  return { $schema: "https://vega.github.io/schema/vega-lite/v5.json", title, width, height, background: "white", data: { values: data }, layer: layers };
}

/** Renders values (one per step) as a line chart to `path` (PNG, or SVG for a .svg path). */
export async function plotLossCurve(values: readonly number[], path: string, opts: PlotLossCurveOptions = {}): Promise<void> {
  const [vega, vl] = await Promise.all([import("vega"), import("vega-lite")]);
  const spec = vl.compile(lossCurveSpec(values, opts) as never).spec;
  const view = new vega.View(vega.parse(spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  const format = opts.format ?? (extname(path).toLowerCase() === ".svg" ? "svg" : "png");
  if (format === "svg") writeFileSync(path, svg);
  else writeFileSync(path, await sharp(Buffer.from(svg)).flatten({ background: "#ffffff" }).png().toBuffer());
}

export interface LabeledGridOptions {
  nrow?: number;
  /** integer upscaling of each image (nearest), so small images stay readable */
  scale?: number;
  padding?: number;
  fontSize?: number;
  /** a CSS colour per label (for example green for right predictions and red for wrong ones) */
  colors?: readonly string[];
  normalize?: boolean;
  valueRange?: [number, number];
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A PNG of images (B, C, H, W) in a grid with a text label under each, drawn by sharp (libvips
 * and librsvg for the text).
 */
export async function saveLabeledGrid(images: Tensor, labels: readonly string[], path: string, opts: LabeledGridOptions = {}): Promise<void> {
  if (images.ndim !== 4) throw new ValueError(`saveLabeledGrid: expected images (B, C, H, W), got [${images.shape.join(", ")}]`);
  const n = images.size(0);
  if (labels.length !== n) throw new ValueError(`saveLabeledGrid: ${n} images but ${labels.length} labels`);
  const { nrow = 8, scale = 3, padding = 6, fontSize = 14, colors, normalize = false, valueRange } = opts;
  const h = images.size(2) * scale, w = images.size(3) * scale, labelH = Math.ceil(fontSize * 1.6);
  const cols = Math.min(nrow, n), rows = Math.ceil(n / cols);
  const cellW = w + padding, cellH = h + labelH + padding;
  const layers: sharp.OverlayOptions[] = [];
  let text = "";
  for (let k = 0; k < n; k++) {
    let img = images.select(0, k);
    if (normalize) img = makeGrid(img.unsqueeze(0), { normalize, valueRange, padding: 0 });
    const bytes = img.mul(255).add(0.5).clamp(0, 255).to("uint8");
    const c = bytes.size(0) === 1 ? 1 : 3;
    const hwc = bytes.narrow(0, 0, c).permute(1, 2, 0).contiguous();
    const raw = Buffer.from((hwc.numpy() as Uint8Array).slice());
    const cell = await sharp(raw, { raw: { width: images.size(3), height: images.size(2), channels: c } })
      .resize(w, h, { kernel: "nearest" }).toColourspace("srgb").png().toBuffer();
    const x = padding + (k % cols) * cellW, y = padding + Math.floor(k / cols) * cellH;
    layers.push({ input: cell, left: x, top: y });
    text += `<text x="${x + w / 2}" y="${y + h + fontSize * 1.15}" fill="${escapeXml(colors?.[k] ?? "#000")}">${escapeXml(labels[k]!)}</text>`;
  }
  const width = padding + cols * cellW, height = padding + rows * cellH;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<g font-family="sans-serif" font-size="${fontSize}" text-anchor="middle">${text}</g></svg>`;
  layers.push({ input: Buffer.from(svg), left: 0, top: 0 });
  const png = await sharp({ create: { width, height, channels: 3, background: "#ffffff" } }).composite(layers).removeAlpha().png().toBuffer();
  writeFileSync(path, png);
}
