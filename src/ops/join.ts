// SPDX-License-Identifier: BSD-3-Clause
// Joining and rearranging: cat, stack, repeat, tile, flip, roll, rot90, meshgrid, broadcasting helpers.
// Results are built from views plus one native copy (cat, repeat) or one native gather (flip, roll,
// repeat_interleave); meshgrid and broadcast_tensors are views. Each op records its own backward
// (PyTorch's node names); the composites (tile, hstack, fliplr, ...) get theirs from their parts.
import { checkOut } from "../autograd/graph.js";
import { record } from "../autograd/record.js";
import { IndexError, RuntimeError } from "../errors.js";
import { SCALAR_TYPE_NAME, canCast, promoteTypes } from "../tensor/dtype.js";
import { broadcastShapes, checkShape, contiguousStrides, normalizeDim, normalizeDims } from "../tensor/layout.js";
import { Tensor } from "../tensor/tensor.js";
import { arange } from "./creation.js";
import { gatherAlongDims, indexSelect, longIndex, untracked } from "./indexing.js";
import { runElementwise } from "./kernel.js";
import { remainder } from "./math.js";
import { expand, narrow, reshape, select, transpose, unsqueeze } from "./movement.js";
import { amin, cumsum, sum } from "./reduce.js";
import { scatterAdd_ } from "./scatter.js";

export interface CatOptions { dim?: number; out?: Tensor }

/** `(tensors, dim?, opts?)` or `(tensors, { dim, out })` (API.md rule 3). */
function catArgs(dim: number | CatOptions, opts: CatOptions): [number, Tensor | undefined] {
  return typeof dim === "object" ? [dim.dim ?? 0, dim.out] : [dim, opts.out];
}

/**
 * torch.cat: joins tensors along an existing dim, promoting dtypes. Legacy empty 1-D tensors
 * (shape [0]) are skipped, as in PyTorch. Backward: each input gets its slab of the gradient.
 *
 *     torch.cat([a, b], 1)     // (2, 3) + (2, 4) -> (2, 7)
 */
export function cat(tensors: readonly Tensor[], dim: number | CatOptions = 0, opts: CatOptions = {}): Tensor {
  const [dim0, outArg] = catArgs(dim, opts);
  checkOut("cat", [...tensors, outArg], outArg);
  if (tensors.length === 0) throw new RuntimeError("torch.cat(): expected a non-empty list of Tensors");
  tensors.forEach((t, i) => {
    if (t.ndim === 0) throw new RuntimeError(`zero-dimensional tensor (at position ${i}) cannot be concatenated`);
  });
  const dtype = tensors.map((t) => t.dtype).reduce((a, b) => promoteTypes(a, b));
  const skip = (t: Tensor) => t.ndim === 1 && t._shape[0] === 0;
  const first = tensors.find((t) => !skip(t));
  let shape = [0], d = 0;
  if (first !== undefined) {
    d = normalizeDim(dim0, first.ndim);
    let size = 0;
    tensors.forEach((t, i) => {
      if (skip(t)) return;
      if (t.ndim !== first.ndim)
        throw new RuntimeError(`Tensors must have same number of dimensions: got ${first.ndim} and ${t.ndim}`);
      t._shape.forEach((s, j) => {
        if (j !== d && s !== first._shape[j])
          throw new RuntimeError(`Sizes of tensors must match except in dimension ${d}. Expected size ${first._shape[j]} ` +
            `but got size ${s} for tensor number ${i} in the list.`);
      });
      size += t._shape[d]!;
    });
    shape = [...first._shape];
    shape[d] = size;
  }
  if (outArg !== undefined) {
    if (!canCast(dtype, outArg.dtype))
      throw new RuntimeError(`torch.cat(): input types can't be cast to the desired output type ${SCALAR_TYPE_NAME[outArg.dtype]}`);
    if (tensors.some((t) => t._storage === outArg._storage))
      throw new RuntimeError("unsupported operation: the input tensors cannot refer to any of the output memory locations. " +
        "Found overlap in input tensor 0");
    if (outArg._shape.join() !== shape.join()) outArg._resize(shape);
  }
  const out = outArg ?? Tensor._empty(shape, dtype);
  const slabs: [number, number][] = [];  // each input's (offset, length) along d; legacy empties get none
  let offset = 0;
  for (const t of tensors) {
    if (skip(t)) { slabs.push([0, -1]); continue; }
    const len = t._shape[d]!;
    runElementwise("copy", narrow(out, d, offset, len), [t]); // (.., len, ..) slab of the output
    slabs.push([offset, len]);
    offset += len;
  }
  if (outArg !== undefined) outArg._bumpVersion();
  if (outArg !== undefined) return out;
  const wanted = tensors.map((t) => t.requiresGrad);
  return record(out, {
    name: "CatBackward0", inputs: tensors,
    backward: ([g]) => slabs.map(([o, len], i) => {
      if (!wanted[i]) return null;
      return len < 0 ? g!.newZeros([0]) : narrow(g!, d, o, len);
    }),
  });
}
export const concat = cat;
export const concatenate = cat;

/** torch.stack: joins equal-shaped tensors along a new dim. Backward: each input gets its slice of the gradient. */
export function stack(tensors: readonly Tensor[], dim: number | CatOptions = 0, opts: CatOptions = {}): Tensor {
  const [dim0, out] = catArgs(dim, opts);
  checkOut("stack", [...tensors, out], out);
  if (tensors.length === 0) throw new RuntimeError("stack expects a non-empty TensorList");
  const first = tensors[0]!;
  const d = normalizeDim(dim0, first.ndim + 1);
  tensors.forEach((t, i) => {
    if (t._shape.join() !== first._shape.join())
      throw new RuntimeError(`stack expects each tensor to be equal size, but got [${first._shape.join(", ")}] at entry 0 ` +
        `and [${t._shape.join(", ")}] at entry ${i}`);
  });
  const result = untracked(tensors, () => cat(tensors.map((t) => unsqueeze(t, d)), d, { out })); // each (..) -> (.., 1, ..)
  if (out !== undefined) return result;
  const wanted = tensors.map((t) => t.requiresGrad);
  return record(result, {
    name: "StackBackward0", inputs: tensors,
    backward: ([g]) => wanted.map((w, i) => (w ? select(g!, d, i) : null)),
  });
}

// PyTorch's atleast_nd: reshape for 0-dim, unsqueeze otherwise (their gradients come from those views)
const atleast1d = (t: Tensor): Tensor => (t.ndim === 0 ? reshape(t, [1]) : t);
const atleast2d = (t: Tensor): Tensor => (t.ndim === 0 ? reshape(t, [1, 1]) : t.ndim === 1 ? unsqueeze(t, 0) : t);
function atleast3d(t: Tensor): Tensor {
  if (t.ndim === 0) return reshape(t, [1, 1, 1]);
  if (t.ndim === 1) return unsqueeze(unsqueeze(t, 0), 2); // (n) -> (1, n, 1)
  return t.ndim === 2 ? unsqueeze(t, 2) : t; // (m, n) -> (m, n, 1)
}
function nonEmpty(name: string, tensors: readonly Tensor[]): void {
  if (tensors.length === 0) throw new RuntimeError(`${name} expects a non-empty TensorList`);
}

/** torch.hstack: cat along dim 1 (dim 0 for 1-D inputs). */
export function hstack(tensors: readonly Tensor[]): Tensor {
  nonEmpty("hstack", tensors);
  const rep = tensors.map(atleast1d);
  return cat(rep, rep[0]!.ndim === 1 ? 0 : 1);
}
/** torch.vstack: cat along dim 0 after making every input at least 2-D. */
export function vstack(tensors: readonly Tensor[]): Tensor {
  nonEmpty("vstack", tensors);
  return cat(tensors.map(atleast2d), 0);
}
/** torch.dstack: cat along dim 2 after making every input at least 3-D. */
export function dstack(tensors: readonly Tensor[]): Tensor {
  nonEmpty("dstack", tensors);
  return cat(tensors.map(atleast3d), 2);
}

// ---- repeating --------------------------------------------------------------------------------------------

/**
 * x.repeat(sizes): tiles x `sizes[i]` times along each dim (sizes may add leading dims).
 * Backward: the gradient viewed as (r0, s0, r1, s1, ...) summed over the repeats.
 */
export function repeat(x: Tensor, sizes: readonly number[]): Tensor {
  if (sizes.length < x.ndim)
    throw new RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
  const pad = sizes.length - x.ndim;
  const shape = [...Array<number>(pad).fill(1), ...x._shape];
  const strides = [...Array<number>(pad).fill(0), ...x._strides];
  const target = shape.map((s, i) => s * sizes[i]!);
  checkShape(target);
  const out = Tensor._empty(target, x.dtype);
  // out viewed as (r0, s0, r1, s1, ...) receives x broadcast over the r dims
  const inter = shape.flatMap((s, i) => [sizes[i]!, s]);
  runElementwise("copy", out._view(inter, contiguousStrides(inter), 0), [x._view(inter, strides.flatMap((st) => [0, st]), x._offset)]);
  const xShape = [...x._shape];
  const repeatDims = inter.map((_, i) => i).filter((i) => i % 2 === 0);
  return record(out, {
    name: "RepeatBackward0", inputs: [x],
    backward: ([g]) => [inter.length === 0 ? g! : reshape(sum(reshape(g!, inter), repeatDims), xShape)], // (r0, s0, ...) -> x
  });
}

/** torch.tile: repeat, with dims padded by leading 1s when shorter than x.ndim. */
export function tile(x: Tensor, dims: readonly number[]): Tensor {
  const pad = Math.max(0, x.ndim - dims.length);
  return repeat(x, [...Array<number>(pad).fill(1), ...dims]);
}

function repeatsIndex(repeats: Tensor, outputSize?: number): Tensor {
  if (repeats.dtype !== "int64" && repeats.dtype !== "int32")
    throw new RuntimeError(`"repeat_interleave_cpu" not implemented for '${SCALAR_TYPE_NAME[repeats.dtype]}'`);
  const r = longIndex(repeats), n = r.numel();
  if (n > 0 && Number(amin(r).item()) < 0) throw new RuntimeError("repeats can not be negative");
  const cs = cumsum(r, 0);
  const total = n === 0 ? 0 : Number(cs.index(-1).item());
  if (outputSize !== undefined && outputSize !== total) throw new RuntimeError("allocated size does not match required size");
  // position p belongs to segment #{i < n-1 : cs[i] <= p}: scatter 1s at the segment ends, then cumsum
  const z = Tensor._empty([total + 1], "int64").fill_(0);
  if (n > 1) scatterAdd_(z, 0, narrow(cs, 0, 0, n - 1), Tensor._empty([n - 1], "int64").fill_(1));
  return narrow(cumsum(z, 0), 0, 0, total);
}

export interface RepeatInterleaveOptions { dim?: number | null; outputSize?: number }

/**
 * torch.repeat_interleave: each element (slice along dim) repeated `repeats` times; a tensor of
 * repeats gives one count per element. Without dim x is flattened first. The gradient is
 * index_select's (PyTorch builds the op from it): the repeats summed back.
 *
 *     torch.tensor([1, 2]).repeatInterleave(torch.tensor([1, 2]))   // [1, 2, 2]
 */
export function repeatInterleave(x: Tensor, repeats?: number | Tensor, dim?: number | null | RepeatInterleaveOptions,
  opts: RepeatInterleaveOptions = {}): Tensor {
  const o = dim !== null && typeof dim === "object" ? dim : { ...opts, dim };
  if (repeats === undefined) return repeatsIndex(x, o.outputSize); // torch.repeat_interleave(repeats)
  let input = x, d = 0;
  if (o.dim === null || o.dim === undefined) input = repeats instanceof Tensor ? reshape(x, [-1]) : untracked([x], () => reshape(x, [-1]));
  else if (x.ndim === 0) throw new IndexError(`Dimension specified as ${o.dim} but tensor has no dimensions`);
  else d = normalizeDim(o.dim, x.ndim);
  if (repeats instanceof Tensor) {
    if (repeats.ndim > 1) throw new RuntimeError("repeats must be 0-dim or 1-dim tensor");
    if (repeats.numel() !== 1 || repeats.dtype === "bool" || repeats.dtype.startsWith("float") || repeats.dtype === "bfloat16") {
      if (repeats.numel() !== 1 && repeats._shape[0] !== input._shape[d])
        throw new RuntimeError("repeats must have the same size as input along dim");
      return indexSelect(input, d, repeatsIndex(repeats, o.outputSize));
    }
    repeats = Number(repeats.item());
  }
  if (repeats < 0) throw new RuntimeError("repeats can not be negative");
  const shape = input._shape;
  if (o.outputSize !== undefined && o.outputSize !== shape[d]! * repeats)
    throw new RuntimeError("allocated size does not match required size");
  const inter = [...shape.slice(0, d + 1), repeats, ...shape.slice(d + 1)]; // (.., n, r, ..)
  const src = untracked([x], () => expand(unsqueeze(input, d + 1), inter));
  const out = Tensor._empty(inter, x.dtype);
  runElementwise("copy", out, [src]);
  const target = [...shape];
  target[d] = shape[d]! * repeats;
  const result = new Tensor(out._storage, target, contiguousStrides(target), 0, x.dtype); // (.., n, r, ..) -> (.., n * r, ..)
  const xShape = [...x._shape];
  return record(result, {
    name: "IndexSelectBackward0", inputs: [x],
    backward: ([g]) => [reshape(sum(reshape(g!, inter), d + 1), xShape)], // (.., n * r, ..) -> (.., n, r, ..) -> x
  });
}

// ---- rearranging ------------------------------------------------------------------------------------------

/** torch.flip: reverses the order of elements along each of dims (a copy). Backward: the gradient flipped back. */
export function flip(x: Tensor, dims: readonly number[]): Tensor {
  const ds = normalizeDims(dims, x.ndim);
  const out = x.ndim === 0 || ds.length === 0 || x.numel() === 0 ? untracked([x], () => x.clone())
    : gatherAlongDims(x, ds.map((d) => ({ dim: d, index: arange(x._shape[d]! - 1, -1, -1, { dtype: "int64" }) })));
  return record(out, { name: "FlipBackward0", inputs: [x], backward: ([g]) => [flip(g!, ds)] });
}
export function fliplr(x: Tensor): Tensor {
  if (x.ndim < 2) throw new RuntimeError("Input must be >= 2-d.");
  return flip(x, [1]);
}
export function flipud(x: Tensor): Tensor {
  if (x.ndim < 1) throw new RuntimeError("Input must be >= 1-d.");
  return flip(x, [0]);
}

/** torch.roll: shifts elements along dims, wrapping around; without dims x is rolled flattened. Backward: rolled back. */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor {
  const sh = typeof shifts === "number" ? [shifts] : [...shifts];
  const ds = dims === null || dims === undefined ? [] : typeof dims === "number" ? [dims] : [...dims];
  const out = untracked([x], () => rollImpl(x, sh, ds));
  return record(out, { name: "RollBackward0", inputs: [x], backward: ([g]) => [roll(g!, sh.map((s) => -s), ds)] });
}

function rollImpl(x: Tensor, sh: number[], ds: number[]): Tensor {
  if (ds.length === 0 && sh.length === 1) {
    if (x.numel() === 0) return x.clone();
    return reshape(rollImpl(reshape(x, [-1]), sh, [0]), x._shape); // roll the flattened tensor
  }
  if (sh.length !== ds.length) throw new RuntimeError(`shifts and dimensions must align. shifts: ${sh.length}, dims:${ds.length}`);
  if (x.ndim === 0) throw new IndexError(`Dimension specified as ${ds[0]} but tensor has no dimensions`);
  const total = new Map<number, number>();
  ds.forEach((d, i) => {
    const nd = normalizeDim(d, x.ndim);
    total.set(nd, (total.get(nd) ?? 0) + sh[i]!);
  });
  if (x.numel() === 0) return x.clone();
  // out[i] = x[(i - shift) mod n] along each rolled dim
  const entries = [...total].map(([d, s]) => {
    const n = x._shape[d]!, start = (((-s) % n) + n) % n;
    return { dim: d, index: remainder(arange(start, start + n, { dtype: "int64" }), n) };
  });
  return gatherAlongDims(x, entries);
}

/**
 * torch.rot90: rotates by 90 degrees k times in the plane of dims, from the first towards the second.
 * Backward: the gradient rotated back (-k).
 */
export function rot90(x: Tensor, k = 1, dims: readonly number[] = [0, 1]): Tensor {
  if (dims.length !== 2) throw new RuntimeError(`expected total rotation dims == 2, but got dims = ${dims.length}`);
  const n = x.ndim;
  if (n < 2) throw new RuntimeError(`expected total dims >= 2, but got total dims = ${n}`);
  const [a, b] = dims as [number, number];
  if (a === b || Math.abs(a - b) === n)
    throw new RuntimeError(`expected rotation dims to be different, but got dim0 = ${a} and dim1 = ${b}`);
  if (a >= n || a < -n) throw new RuntimeError(`Rotation dim0 out of range, dim0 = ${a}`);
  if (b >= n || b < -n) throw new RuntimeError(`Rotation dim1 out of range, dim1 = ${b}`);
  const out = untracked([x], () => {
    switch (((k % 4) + 4) % 4) {
      case 1: return transpose(flip(x, [b]), a, b);
      case 2: return flip(x, [a, b]);
      case 3: return transpose(flip(x, [a]), a, b);
      default: return x.clone();
    }
  });
  return record(out, { name: "Rot90Backward0", inputs: [x], backward: ([g]) => [rot90(g!, -k, [a, b])] });
}

// ---- grids and broadcasting ------------------------------------------------------------------------------------

export type MeshgridArgs = (Tensor | readonly Tensor[] | { indexing?: "ij" | "xy" })[];

/**
 * torch.meshgrid: for 0-D/1-D inputs of sizes n0, n1, ..., grids of shape (n0, n1, ...) (views);
 * indexing "xy" swaps the first two dims. Tensors as varargs or one array, options last.
 *
 *     const [gx, gy] = torch.meshgrid(x, y, { indexing: "xy" })
 */
export function meshgrid(...args: MeshgridArgs): Tensor[] {
  const last = args[args.length - 1];
  const opts = last !== undefined && !(last instanceof Tensor) && !Array.isArray(last) ? (last as { indexing?: string }) : {};
  const tensors = args.flatMap((a) => (a instanceof Tensor ? [a] : Array.isArray(a) ? [...(a as readonly Tensor[])] : []));
  if (tensors.length === 0) throw new RuntimeError("meshgrid expects a non-empty TensorList");
  for (let i = 0; i + 1 < tensors.length; i++)
    if (tensors[i]!.dtype !== tensors[i + 1]!.dtype) throw new RuntimeError("meshgrid expects all tensors to have the same dtype");
  const indexing = opts.indexing ?? "ij";
  if (indexing !== "xy" && indexing !== "ij")
    throw new RuntimeError(`torch.meshgrid: indexing must be one of "xy" or "ij", but received: ${indexing}`);
  const swap = indexing === "xy" && tensors.length >= 2;
  const refs = [...tensors];
  if (swap) [refs[0], refs[1]] = [refs[1]!, refs[0]!];
  for (const t of refs)
    if (t.ndim > 1) throw new RuntimeError(`torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: ${String(t)}`);
  const shape = refs.map((t) => t.numel());
  // PyTorch's t.view(1, .., n, .., 1).expand(shape): the gradients come from those views
  const grids = refs.map((t, i) => expand(reshape(t, shape.map((s, j) => (j === i ? s : 1))), shape));
  if (swap) [grids[0], grids[1]] = [grids[1]!, grids[0]!];
  return grids;
}

/** torch.broadcast_tensors: every input expanded (a view) to the common broadcast shape. */
export function broadcastTensors(...tensors: (Tensor | readonly Tensor[])[]): Tensor[] {
  const list = tensors.flatMap((t) => (t instanceof Tensor ? [t] : [...t]));
  let shape: number[] = [];
  for (const t of list) shape = broadcastShapes(shape, t._shape);
  return list.map((t) => expand(t, shape));
}
