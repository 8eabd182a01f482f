// SPDX-License-Identifier: BSD-3-Clause
// F.conv2d over the native im2col + GEMM kernel (native/cpu/conv.cc), forward and backward.
import { native } from "../../backends/cpu/native.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { record } from "../../autograd/record.js";
import { RuntimeError } from "../../errors.js";
import { cat } from "../../ops/join.js";
import { zeros } from "../../ops/creation.js";
import { Tensor } from "../../tensor/tensor.js";
import { argsOf, dtypeCode, type IntOrTuple, tuple } from "./util.js";

export type Conv2dPadding = IntOrTuple | "same" | "valid";
export interface Conv2dOptions { bias?: Tensor | null; stride?: IntOrTuple; padding?: Conv2dPadding; dilation?: IntOrTuple; groups?: number }

interface Geom { N: number; C: number; H: number; W: number; OC: number; KH: number; KW: number; s: number[]; p: number[]; d: number[]; G: number; OH: number; OW: number }

function meta(g: Geom, dt: number, offs: number[]): Float64Array {
  return Float64Array.from([dt, g.N, g.C, g.H, g.W, g.OC, g.KH, g.KW, g.s[0]!, g.s[1]!, g.p[0]!, g.p[1]!, g.d[0]!, g.d[1]!,
    g.G, g.OH, g.OW, ...offs, 0, 0, 0, 0].slice(0, 21));
}

/** Zero-pads the last two dims by [top, bottom, left, right] (for asymmetric "same" padding). */
function zeroPad2d(x: Tensor, [t, b, l, r]: number[]): Tensor {
  const parts = (dim: number, before: number, after: number, y: Tensor): Tensor => {
    const z = (n: number) => { const s = [...y.shape]; s[dim] = n; return zeros(s, { dtype: y.dtype }); };
    const list = [before > 0 ? z(before) : null, y, after > 0 ? z(after) : null].filter((v): v is Tensor => v !== null);
    return list.length === 1 ? y : cat(list, dim);
  };
  return parts(x.ndim - 1, l!, r!, parts(x.ndim - 2, t!, b!, x));
}

function conv2dRaw(x: Tensor, w: Tensor, g: Geom, bias: Tensor | null): Tensor {
  const out = Tensor._empty([g.N, g.OC, g.OH, g.OW], x.dtype);
  if (out.numel() === 0) return out;
  const bufs = [out, x, w, bias].map((t) => (t ? t._storage.data : null));
  native.conv2d(0, bufs, meta(g, dtypeCode(x), [0, x._offset, w._offset, bias?._offset ?? 0]));
  return out;
}

/**
 * F.conv2d(input, weight, bias?, stride = 1, padding = 0, dilation = 1, groups = 1); any of the
 * optional arguments may also come in a trailing options object. Input (N, C, H, W) or (C, H, W).
 */
export function conv2d(input: Tensor, weight: Tensor, ...rest: unknown[]): Tensor {
  const o = argsOf<Required<Conv2dOptions>>(["bias", "stride", "padding", "dilation", "groups"], rest,
    { bias: null, stride: 1, padding: 0, dilation: 1, groups: 1 });
  if (input.ndim !== 3 && input.ndim !== 4)
    throw new RuntimeError(`Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [${input.shape.join(", ")}]`);
  if (input.ndim === 3) return conv2d(input.unsqueeze(0), weight, o).squeeze(0);
  if (weight.ndim !== 4)
    throw new RuntimeError(`weight should have at least three dimensions`);
  if (input.dtype !== weight.dtype || (o.bias && o.bias.dtype !== input.dtype))
    throw new RuntimeError(`expected scalar type ${input.dtype === "float64" ? "Double" : "Float"} but found ${weight.dtype === "float64" ? "Double" : "Float"}`);
  if (input.dtype !== "float32" && input.dtype !== "float64")
    throw new RuntimeError(`"slow_conv2d_cpu" not implemented for '${input.dtype}'`);
  const stride = tuple(o.stride, 2, "stride"), dilation = tuple(o.dilation, 2, "dilation"), G = o.groups;
  const [N, C] = input.shape as [number, number, number, number];
  const [OC, Cg, KH, KW] = weight.shape as [number, number, number, number];
  if (C !== Cg * G)
    throw new RuntimeError(`Given groups=${G}, weight of size [${weight.shape.join(", ")}], expected input[${input.shape.join(", ")}] to have ${Cg * G} channels, but got ${C} channels instead`);
  if (OC % G !== 0) throw new RuntimeError("Given groups=" + G + ", expected weight to be divisible by " + G + " at dimension 0, but got weight of size [" + weight.shape.join(", ") + "] instead");
  let x = input, pad: number[];
  if (o.padding === "valid") pad = [0, 0];
  else if (o.padding === "same") {
    if (stride.some((s) => s !== 1)) throw new RangeError("padding='same' is not supported for strided convolutions");
    const total = [dilation[0]! * (KH - 1), dilation[1]! * (KW - 1)];
    pad = total.map((t) => Math.floor(t / 2));
    // odd totals: the extra row/column goes after, as PyTorch's _convolution_same pads
    if (total.some((t) => t % 2 === 1)) x = zeroPad2d(x, [0, total[0]! % 2, 0, total[1]! % 2]);
  } else pad = tuple(o.padding, 2, "padding");
  const Hp = x.shape[2]!, Wp = x.shape[3]!;
  const OH = Math.floor((Hp + 2 * pad[0]! - dilation[0]! * (KH - 1) - 1) / stride[0]!) + 1;
  const OW = Math.floor((Wp + 2 * pad[1]! - dilation[1]! * (KW - 1) - 1) / stride[1]!) + 1;
  if (OH <= 0 || OW <= 0)
    throw new RuntimeError(`Calculated padded input size per channel: (${Hp + 2 * pad[0]!} x ${Wp + 2 * pad[1]!}). Kernel size: (${(KH - 1) * dilation[0]! + 1} x ${(KW - 1) * dilation[1]! + 1}). Kernel size can't be greater than actual input size`);
  const bias = o.bias;
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== OC))
    throw new RuntimeError(`Given weight of size [${weight.shape.join(", ")}], expected bias to be 1-dimensional with ${OC} elements, but got bias of size [${bias.shape.join(", ")}] instead`);
  const g: Geom = { N, C, H: Hp, W: Wp, OC, KH, KW, s: stride, p: pad, d: dilation, G, OH, OW };
  const xc = x.contiguous(), wc = weight.contiguous(), bc = bias ? bias.contiguous() : null;
  const out = noGrad(() => conv2dRaw(xc, wc, g, bc));
  const needX = x.requiresGrad, needW = weight.requiresGrad;
  return record(out, {
    name: "ConvolutionBackward0", inputs: [x, weight, bias], save: [xc, wc],
    backward: ([go], [xs, ws]) => {
      const gc = go!.contiguous();
      const dt = dtypeCode(gc);
      let gx: Tensor | null = null, gw: Tensor | null = null;
      if (needX && gc.numel() > 0) {
        gx = Tensor._empty([N, C, Hp, Wp], gc.dtype);
        native.conv2d(1, [gx._storage.data, gc._storage.data, ws!._storage.data], meta(g, dt, [0, gc._offset, ws!._offset, 0]));
      }
      if (needW) {
        gw = Tensor._empty([OC, Cg, KH, KW], gc.dtype);
        native.conv2d(2, [gw._storage.data, gc._storage.data, xs!._storage.data], meta(g, dt, [0, gc._offset, xs!._offset, 0]));
      }
      const gb = bias ? gc.sum([0, 2, 3]) : null;
      return [gx, gw, gb];
    },
  });
}
