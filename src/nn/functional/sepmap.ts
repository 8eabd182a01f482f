// SPDX-License-Identifier: BSD-3-Clause
// A separable linear map over the last 1-3 dims (native/cpu/resample.cc "sepmap"): each output
// position o along a mapped dim reads T taps (source index, weight). F.pad, F.interpolate
// (nearest/linear/cubic) and adaptive average pooling are all such maps. The map and its adjoint
// are each other's gradient, so double backward works.
import { native } from "../../backends/cpu/native.js";
import { record } from "../../autograd/record.js";
import { RuntimeError, NotImplementedError } from "../../errors.js";
import { Tensor } from "../../tensor/tensor.js";
import { dtypeCode } from "./util.js";

/** One mapped dim: input size I, output size O, T taps per output (idx -1: outside, gives `fill`). */
export interface TapDim { I: number; O: number; T: number; idx: Float64Array; w: Float64Array }

const unit: TapDim = { I: 1, O: 1, T: 1, idx: Float64Array.of(0), w: Float64Array.of(1) };

function run(mode: 0 | 1, src: Tensor, taps: TapDim[], fill: number | null): Tensor {
  const nd = taps.length;
  const t3 = [...Array(3 - nd).fill(unit), ...taps] as TapDim[];
  const lead = src.shape.slice(0, src.ndim - nd);
  const outShape = [...lead, ...taps.map((t) => (mode === 0 ? t.O : t.I))];
  const out = Tensor._empty(outShape, src.dtype);
  if (out.numel() === 0) return out;
  const sc = src.contiguous();
  const P = lead.reduce((a, b) => a * b, 1);
  if (sc.numel() === 0) { out.fill_(fill ?? 0); return out; }
  const meta = Float64Array.from([dtypeCode(src), P, t3[0]!.I, t3[1]!.I, t3[2]!.I, t3[0]!.O, t3[1]!.O, t3[2]!.O, t3[0]!.T, t3[1]!.T, t3[2]!.T,
    fill ?? 0, fill === null ? 0 : 1, 0, sc._offset]);
  native.sepmap(mode, [out._storage.data, sc._storage.data, ...t3.flatMap((t) => [t.idx, t.w])], meta);
  return out;
}

const SCALAR: Record<string, string> = { int64: "Long", int32: "Int", int16: "Short", int8: "Char", uint8: "Byte", bool: "Bool", float16: "Half", bfloat16: "BFloat16" };
/** PyTorch's dtype-dispatch error: `"kernel" not implemented for 'Long'`. */
export function checkFloat(x: Tensor, kernel: string): void {
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new RuntimeError(`"${kernel}" not implemented for '${SCALAR[x.dtype] ?? x.dtype}'`);
}

/** out[..., o] = sum of w * x[..., idx] over the taps (fill where a tap index is -1). */
export function sepmap(x: Tensor, taps: TapDim[], fill: number | null, name: string): Tensor {
  const out = run(0, x, taps, fill);
  return record(out, { name, inputs: [x], backward: ([g]) => [sepmapT(g!, taps, name)] });
}

/** The adjoint: scatters each output's gradient back through its taps. */
export function sepmapT(g: Tensor, taps: TapDim[], name: string): Tensor {
  const out = run(1, g, taps, null);
  return record(out, { name: name.replace(/Backward0$/, "BackwardBackward0"), inputs: [g], backward: ([gg]) => [sepmap(gg!, taps, 0, name)] });
}

/** Builds a TapDim from a per-output function returning [indices, weights]. */
export function tapDim(I: number, O: number, T: number, f: (o: number, idx: number[], w: number[]) => void): TapDim {
  const idx = new Float64Array(O * T), w = new Float64Array(O * T);
  const ib: number[] = [], wb: number[] = [];
  for (let o = 0; o < O; o++) {
    ib.length = 0; wb.length = 0;
    f(o, ib, wb);
    for (let t = 0; t < T; t++) { idx[o * T + t] = ib[t] ?? -1; w[o * T + t] = t < wb.length ? wb[t]! : 0; }  // unused taps: skipped
  }
  return { I, O, T, idx, w };
}
export { NotImplementedError };
