// SPDX-License-Identifier: BSD-3-Clause
// F.gridSample (4-D input: bilinear/nearest, zeros/border/reflection padding) over the native
// kernel in native/cpu/resample.cc, and F.affineGrid (4-D and 5-D sizes) from differentiable ops.
import { native } from "../../backends/cpu/native.js";
import { record } from "../../autograd/record.js";
import { RuntimeError, ValueError } from "../../errors.js";
import { linspace, ones, tensor } from "../../ops/creation.js";
import { stack } from "../../ops/join.js";
import { Tensor } from "../../tensor/tensor.js";
import { NotImplementedError } from "./sepmap.js";
import { dtypeCode } from "./util.js";

export interface GridSampleOptions { mode?: "bilinear" | "nearest" | "bicubic"; paddingMode?: "zeros" | "border" | "reflection"; alignCorners?: boolean | null }

const PAD = { zeros: 0, border: 1, reflection: 2 } as const;

/**
 * F.gridSample(input, grid, { mode = "bilinear", paddingMode = "zeros", alignCorners = false }):
 * input (N, C, H, W), grid (N, OH, OW, 2) of (x, y) in [-1, 1]; output (N, C, OH, OW).
 */
export function gridSample(input: Tensor, grid: Tensor, opts: GridSampleOptions | string = {}, paddingMode?: string, alignCorners?: boolean | null): Tensor {
  const o: GridSampleOptions = typeof opts === "string" ? { mode: opts as GridSampleOptions["mode"], paddingMode: paddingMode as GridSampleOptions["paddingMode"], alignCorners } : opts;
  const mode = o.mode ?? "bilinear", pm = o.paddingMode ?? "zeros", align = o.alignCorners ?? false;
  if (mode !== "bilinear" && mode !== "nearest" && mode !== "bicubic")
    throw new ValueError(`nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: '${String(mode)}'`);
  if (pm !== "zeros" && pm !== "border" && pm !== "reflection")
    throw new ValueError(`nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', but got: '${String(pm)}'`);
  const sz = (t: Tensor): string => `[${t.shape.join(", ")}]`;
  if (input.dtype !== grid.dtype)
    throw new RuntimeError(`grid_sampler(): expected input and grid to have same dtype, but input has ${input.dtype} and grid has ${grid.dtype}`);
  if ((input.ndim !== 4 && input.ndim !== 5) || input.ndim !== grid.ndim)
    throw new RuntimeError(`grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but got input with sizes ${sz(input)} and grid with sizes ${sz(grid)}`);
  if (input.shape[0] !== grid.shape[0])
    throw new RuntimeError(`grid_sampler(): expected grid and input to have same batch size, but got input with sizes ${sz(input)} and grid with sizes ${sz(grid)}`);
  if (grid.shape[grid.ndim - 1] !== input.ndim - 2)
    throw new RuntimeError(`grid_sampler(): expected grid to have size ${input.ndim - 2} in last dimension, but got grid with sizes ${sz(grid)}`);
  if (input.ndim === 5) throw new NotImplementedError("gridSample: 5-D (volumetric) inputs are not implemented in torchts yet");
  if (mode === "bicubic") throw new NotImplementedError("gridSample: mode='bicubic' is not implemented in torchts yet");
  if (input.dtype !== "float32" && input.dtype !== "float64") throw new RuntimeError(`"grid_sampler_2d_cpu" not implemented for '${input.dtype}'`);
  const [N, C, H, W] = input.shape as [number, number, number, number];
  const OH = grid.shape[1]!, OW = grid.shape[2]!;
  const xc = input.contiguous(), gc = grid.contiguous();
  const head = [dtypeCode(input), N, C, H, W, OH, OW, mode === "nearest" ? 1 : 0, PAD[pm], align ? 1 : 0];
  const out = Tensor._empty([N, C, OH, OW], input.dtype);
  if (out.numel() > 0) native.gridsample2d(0, [out._storage.data, xc._storage.data, gc._storage.data], Float64Array.from([...head, 0, xc._offset, gc._offset, 0, 0]));
  return record(out, {
    name: "GridSampler2DBackward0", inputs: [input, grid], save: [xc, gc],
    backward: ([go], [xs, gs]) => {
      const goc = go!.contiguous();
      const gx = Tensor._empty([N, C, H, W], input.dtype), gg = Tensor._empty([N, OH, OW, 2], input.dtype);
      if (goc.numel() > 0)
        native.gridsample2d(1, [gx._storage.data, goc._storage.data, gs!._storage.data, xs!._storage.data, gg._storage.data],
          Float64Array.from([...head, 0, goc._offset, gs!._offset, xs!._offset, 0]));
      else { gx.zero_(); gg.zero_(); }
      return [gx, gg];
    },
  });
}

function linspaceFromNegOne(theta: Tensor, n: number, align: boolean): Tensor {
  if (n <= 1) return tensor([0], { dtype: theta.dtype });
  const r = linspace(-1, 1, n, { dtype: theta.dtype });
  return align ? r : r.mul(n - 1).div(n);
}

/**
 * F.affineGrid(theta, size, { alignCorners = false }): theta (N, 2, 3) with size [N, C, H, W] gives
 * a (N, H, W, 2) grid; theta (N, 3, 4) with size [N, C, D, H, W] gives (N, D, H, W, 3).
 */
export function affineGrid(theta: Tensor, size: readonly number[], opts: { alignCorners?: boolean | null } | boolean | null = {}): Tensor {
  const align = (typeof opts === "object" && opts !== null ? opts.alignCorners : opts) ?? false;
  const pySize = `[${size.join(", ")}]`, tSize = `torch.Size([${theta.shape.join(", ")}])`;
  if (!theta.isFloatingPoint()) throw new ValueError(`Expected theta to have floating point type, but got ${theta.dtype}`);
  if (size.length === 4) {
    if (theta.ndim !== 3 || theta.shape[1] !== 2 || theta.shape[2] !== 3)
      throw new ValueError(`Expected a batch of 2D affine matrices of shape Nx2x3 for size ${pySize}. Got ${tSize}.`);
  } else if (size.length === 5) {
    if (theta.ndim !== 3 || theta.shape[1] !== 3 || theta.shape[2] !== 4)
      throw new ValueError(`Expected a batch of 3D affine matrices of shape Nx3x4 for size ${pySize}. Got ${tSize}.`);
  } else throw new NotImplementedError(`affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. Got size ${pySize}.`);
  if (Math.min(...size) <= 0) throw new ValueError(`Expected non-zero, positive output size. Got ${pySize}`);
  if (theta.shape[0] !== size[0])
    throw new RuntimeError(`Expected theta to have batch size ${size[0]} but got ${theta.shape[0]}`);
  const N = size[0]!, sp = size.slice(2);
  const axes = sp.map((n) => linspaceFromNegOne(theta, n, align));  // D?, H, W
  const k = sp.length;
  // coordinate order is (x, y[, z]) = (W, H[, D]) then a column of ones
  const comps = axes.map((a, i) => {
    const shape = sp.map((_, j) => (j === i ? sp[i]! : 1));
    return a.reshape(shape).expand(sp);
  }).reverse();
  const base = stack([...comps, ones(sp, { dtype: theta.dtype })], -1);  // (*sp, k+1)
  const M = sp.reduce((a, b) => a * b, 1);
  const grid = base.reshape([1, M, k + 1]).expand([N, M, k + 1]).matmul(theta.transpose(1, 2));
  return grid.reshape([N, ...sp, k]);
}
