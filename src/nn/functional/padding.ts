// SPDX-License-Identifier: BSD-3-Clause
// F.pad: constant (any number of dims, negative pads crop), reflect, replicate and circular
// (the last 1, 2 or 3 dims), as one native gather per call (sepmap.ts), forward and backward.
import { RuntimeError } from "../../errors.js";
import type { Tensor } from "../../tensor/tensor.js";
import { NotImplementedError, sepmap, type TapDim, tapDim } from "./sepmap.js";

export type PadMode = "constant" | "reflect" | "replicate" | "circular";

const NAMES: Record<PadMode, string> = {
  constant: "ConstantPadNdBackward0", reflect: "ReflectionPad%dDBackward0", replicate: "ReplicationPad%dDBackward0", circular: "CircularPadBackward0",
};

/** The tap table of one padded dim of size n padded by (l, r). */
function padDim(mode: PadMode, n: number, l: number, r: number): TapDim {
  const O = n + l + r;
  const a = Math.max(-l, 0), b = n - Math.max(-r, 0), m = b - a, lp = Math.max(l, 0);
  return tapDim(n, O, 1, (o, idx, w) => {
    let s = o - l;
    switch (mode) {
      case "constant": if (s < 0 || s >= n) s = -1; break;
      case "reflect": if (s < 0) s = -s; if (s >= n) s = 2 * (n - 1) - s; break;
      case "replicate": s = Math.min(Math.max(s, 0), n - 1); break;
      case "circular": s = a + ((((o - lp) % m) + m) % m); break;
    }
    idx.push(s); w.push(1);
  });
}

/**
 * F.pad(input, pad, mode = "constant", value = 0): pad lists (left, right) pairs starting from the
 * last dim, as PyTorch's. Also F.pad(input, pad, { mode, value }).
 */
export function pad(input: Tensor, pad: readonly number[], mode: PadMode | { mode?: PadMode; value?: number | null } = "constant", value: number | null = null): Tensor {
  if (typeof mode === "object") { value = mode.value ?? null; mode = mode.mode ?? "constant"; }
  const nd = input.ndim;
  if (pad.length % 2 !== 0) throw new RuntimeError("Padding length must be divisible by 2");
  if (pad.length > 2 * nd)
    throw new RuntimeError("Padding length too large");
  const k = pad.length / 2;
  if (!(mode in NAMES)) throw new NotImplementedError(`Unrecognised padding mode ${String(mode)}`);
  if (mode === "constant") {
    for (let i = 0; i < k; i++) {
      const dim = nd - 1 - i, n = input.shape[dim]!, l = pad[2 * i]!, r = pad[2 * i + 1]!, out = n + l + r;
      // constant_pad_nd narrows by the negative pads first
      if (l < 0 && n + l < 0) throw new RuntimeError(`start (${-l}) + length (${n + l}) exceeds dimension size (${n}).`);
      const n1 = n + Math.min(l, 0);
      if (r < 0 && n1 + r < 0) throw new RuntimeError(`start (0) + length (${n1 + r}) exceeds dimension size (${n1}).`);
      if (out < 0)
        throw new RuntimeError(`The input size ${n}, plus negative padding ${pad[2 * i]} and ${pad[2 * i + 1]} resulted in a negative output size, which is invalid. Check dimension ${dim} of your input.`);
    }
    if (k === 0) return input.clone();
    const fill = value ?? 0;
    if (k <= 3) return sepmap(input, dims(input, pad, k, "constant"), fill, NAMES.constant);
    // more than three padded dims: pad the last three, then the rest with them moved to the end
    const y = pad3(input, pad.slice(0, 6), fill);
    const rest = pad.slice(6), r = rest.length / 2;
    const src = Array.from({ length: r }, (_, i) => nd - 4 - i).reverse(), dst = Array.from({ length: r }, (_, i) => nd - r + i);
    return padFn(y.movedim(src, dst), rest, "constant", fill).movedim(dst, src);
  }
  if (value !== null && value !== 0) throw new RuntimeError(`Padding mode "${mode}" doesn't take in value argument`);
  const ok = (k === 1 && (nd === 2 || nd === 3)) || (k === 2 && (nd === 3 || nd === 4)) || (k === 3 && (nd === 4 || nd === 5));
  if (!ok) throw new NotImplementedError("Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now");
  for (let i = 0; i < k; i++) {
    const dim = nd - 1 - i, n = input.shape[dim]!, l = pad[2 * i]!, r = pad[2 * i + 1]!;
    if (mode === "reflect" && (l >= n || r >= n)) {
      const arg = [4, 6, 8][i];
      throw new RuntimeError(`Argument #${arg}: Padding size should be less than the corresponding input dimension, but got: padding (${l}, ${r}) at dimension ${dim} of input [${input.shape.join(", ")}]`);
    }
    if (mode === "circular" && (l > n || r > n)) throw new RuntimeError("Padding value causes wrapping around more than once.");
    if (mode === "replicate" && n + l + r < 1)
      throw new RuntimeError(`input (W: ${n}) is too small. Calculated output W: ${n + l + r}`);
    if (n === 0) throw new RuntimeError(`Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: [${input.shape.join(", ")}]`);
  }
  return sepmap(input, dims(input, pad, k, mode), null, NAMES[mode].replace("%d", String(k)));
}

const padFn = pad;

function dims(input: Tensor, pad: readonly number[], k: number, mode: PadMode): TapDim[] {
  const out: TapDim[] = [];
  for (let i = k - 1; i >= 0; i--) out.push(padDim(mode, input.shape[input.ndim - 1 - i]!, pad[2 * i]!, pad[2 * i + 1]!));
  return out;
}

function pad3(input: Tensor, p: number[], fill: number): Tensor {
  return sepmap(input, dims(input, p, 3, "constant"), fill, NAMES.constant);
}
