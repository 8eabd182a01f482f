// SPDX-License-Identifier: BSD-3-Clause
// F.layerNorm and F.rmsNorm: normalise over the trailing normalizedShape dims. layerNorm runs in
// native/cpu/norm_layer.cc (forward and backward) and joins the graph as one node
// (NativeLayerNormBackward0); when its backward is itself recorded (createGraph) the gradient is
// written with differentiable ops, so double backward works. rmsNorm is composite, as PyTorch's.
import { native } from "../../backends/cpu/native.js";
import { isGradEnabled, noGrad } from "../../autograd/grad-mode.js";
import { record } from "../../autograd/record.js";
import { RuntimeError } from "../../errors.js";
import { Tensor } from "../../tensor/tensor.js";
import { dtypeCode } from "./util.js";

export type NormalizedShape = number | readonly number[];

const shapeOf = (s: NormalizedShape): number[] => (typeof s === "number" ? [s] : [...s]);

function checkInputs(input: Tensor, ns: number[], weight: Tensor | null, bias: Tensor | null): number[] {
  if (ns.length < 1)
    throw new RuntimeError(`Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = [${ns.join(", ")}]`);
  const same = (t: Tensor) => t.ndim === ns.length && t.shape.every((s, i) => s === ns[i]);
  if (weight !== null && !same(weight))
    throw new RuntimeError(`Expected weight to be of same shape as normalized_shape, but got weight of shape [${weight.shape.join(", ")}] and normalized_shape = [${ns.join(", ")}]`);
  if (bias !== null && !same(bias))
    throw new RuntimeError(`Expected bias to be of same shape as normalized_shape, but got bias of shape [${bias.shape.join(", ")}] and normalized_shape = [${ns.join(", ")}]`);
  const lead = input.ndim - ns.length;
  if (lead < 0 || !ns.every((s, i) => input.shape[lead + i] === s))
    throw new RuntimeError(`Given normalized_shape=[${ns.join(", ")}], expected input with shape [*${ns.map((s) => `, ${s}`).join("")}], but got input of size[${input.shape.join(", ")}]`);
  return Array.from({ length: ns.length }, (_, i) => lead + i);
}

/** (x - mean) * rstd over `dims`, with mean / rstd computed from x (differentiable). */
function normalize(x: Tensor, dims: number[], eps: number): { xhat: Tensor; rstd: Tensor } {
  const mean = x.mean(dims, { keepdim: true });
  const rstd = x.var(dims, { correction: 0, keepdim: true }).add(eps).rsqrt();
  return { xhat: x.sub(mean).mul(rstd), rstd };
}

/** F.layerNorm(input, normalizedShape, weight?, bias?, eps = 1e-5) (options object accepted last). */
export function layerNorm(input: Tensor, normalizedShape: NormalizedShape,
  weight: Tensor | null | { weight?: Tensor | null; bias?: Tensor | null; eps?: number } = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  if (weight !== null && !(typeof (weight as Tensor).ndim === "number")) {
    const o = weight as { weight?: Tensor | null; bias?: Tensor | null; eps?: number };
    return layerNorm(input, normalizedShape, o.weight ?? null, o.bias ?? null, o.eps ?? 1e-5);
  }
  const w = weight as Tensor | null;
  const ns = shapeOf(normalizedShape);
  const dims = checkInputs(input, ns, w, bias);
  const lead = Array.from({ length: input.ndim - ns.length }, (_, i) => i);
  const red = (t: Tensor) => (lead.length > 0 ? t.sum(lead) : t);
  // the double-backward-capable formula, used when the backward itself is recorded (createGraph)
  const composite = (g: Tensor, x: Tensor, ws: Tensor | undefined): (Tensor | null)[] => {
    const { xhat, rstd } = normalize(x, dims, eps);
    const gxhat = ws !== undefined ? g.mul(ws) : g;
    const gx = rstd.mul(gxhat.sub(gxhat.mean(dims, { keepdim: true })).sub(xhat.mul(gxhat.mul(xhat).mean(dims, { keepdim: true }))));
    return [gx, w !== null ? red(g.mul(xhat)) : null, bias !== null ? red(g) : null];
  };
  const fl = (t: Tensor | null) => t === null || (t.dtype === input.dtype && t.device.type === "cpu");
  if (input.device.type === "cpu" && (input.dtype === "float32" || input.dtype === "float64") && fl(w) && fl(bias)) {
    // native/cpu/norm_layer.cc: one pass per row, forward and backward
    const N = ns.reduce((a, b) => a * b, 1), M = N > 0 ? input.numel() / N : 0;
    const xc = input.contiguous(), wc = w?.contiguous() ?? null, bc = bias?.contiguous() ?? null;
    const out = Tensor._empty(input.shape, input.dtype);
    const mean = Tensor._empty([M], input.dtype), rstd = Tensor._empty([M], input.dtype);
    const dt = dtypeCode(input);
    if (out.numel() > 0)
      native.layerNorm(0, [out._storage.data, mean._storage.data, rstd._storage.data, xc._storage.data, wc?._storage.data ?? null, bc?._storage.data ?? null],
        Float64Array.from([dt, M, N, eps, wc !== null ? 1 : 0, bc !== null ? 1 : 0, 0, 0, 0, xc._offset, wc?._offset ?? 0, bc?._offset ?? 0]));
    return record(out, {
      name: "NativeLayerNormBackward0", inputs: [input, w, bias], save: wc !== null ? [xc, mean, rstd, wc] : [xc, mean, rstd],
      backward: ([g], [xs, ms, rs, ws]) => {
        if (isGradEnabled()) return composite(g!, xs!, ws);
        const gc = g!.contiguous();
        const gx = Tensor._empty(input.shape, input.dtype);
        const gw = w !== null ? Tensor._empty(ns, input.dtype) : null, gb = bias !== null ? Tensor._empty(ns, input.dtype) : null;
        if (gx.numel() > 0)
          native.layerNorm(1, [gx._storage.data, gw?._storage.data ?? null, gb?._storage.data ?? null, gc._storage.data, xs!._storage.data,
            ms!._storage.data, rs!._storage.data, ws?._storage.data ?? null],
          Float64Array.from([dt, M, N, eps, ws !== undefined ? 1 : 0, 0, 0, 0, 0, gc._offset, xs!._offset, ms!._offset, rs!._offset, ws?._offset ?? 0]));
        else { gw?.zero_(); gb?.zero_(); }
        return [gx, gw, gb];
      },
    });
  }
  const y = noGrad(() => {
    let r = normalize(input, dims, eps).xhat;
    if (w !== null) r = r.mul(w);
    if (bias !== null) r = r.add(bias);
    return r;
  });
  return record(y, {
    name: "NativeLayerNormBackward0", inputs: [input, w, bias], save: w !== null ? [input, w] : [input],
    backward: ([g], [x, ws]) => composite(g!, x!, ws),
  });
}

const FINFO_EPS: Record<string, number> = { float32: 1.1920928955078125e-07, float64: 2.220446049250313e-16, float16: 0.0009765625, bfloat16: 0.0078125 };

/** F.rmsNorm(input, normalizedShape, weight?, eps?): x * rsqrt(mean(x^2) + eps) * weight; eps null: finfo(input.dtype).eps. */
export function rmsNorm(input: Tensor, normalizedShape: NormalizedShape,
  weight: Tensor | null | { weight?: Tensor | null; eps?: number | null } = null, eps: number | null = null): Tensor {
  if (weight !== null && !(typeof (weight as Tensor).ndim === "number")) {
    const o = weight as { weight?: Tensor | null; eps?: number | null };
    return rmsNorm(input, normalizedShape, o.weight ?? null, o.eps ?? null);
  }
  const w = weight as Tensor | null;
  const ns = shapeOf(normalizedShape);
  const dims = checkInputs(input, ns, w, null);
  const e = eps ?? FINFO_EPS[input.dtype] ?? FINFO_EPS.float32!;
  const y = input.mul(input.pow(2).mean(dims, { keepdim: true }).add(e).rsqrt());
  return w !== null ? y.mul(w) : y;
}
