// SPDX-License-Identifier: BSD-3-Clause
// Python's repr of the values modules print (floats, bools, tuples), so String(module) matches PyTorch.

/** Python's repr(float(x)): "0.5", "1.0", "1e-05", "inf". */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp < -4 || exp >= 16) {
    const [m, e] = x.toExponential().split("e") as [string, string];
    const n = Number(e);
    return `${m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  const s = String(x);
  return s.includes(".") || s.includes("e") ? s : s + ".0";
}

export const pyBool = (b: boolean): string => (b ? "True" : "False");

/** A number prints as itself; an array as a Python tuple ("(3, 3)", "(1,)"). */
export function pyValue(v: unknown): string {
  if (typeof v === "boolean") return pyBool(v);
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "None";
  if (Array.isArray(v)) return v.length === 1 ? `(${pyValue(v[0])},)` : `(${v.map(pyValue).join(", ")})`;
  return String(v);
}

/** torch.nn.modules.module._addindent: indent every line but the first. */
export function addIndent(s: string, n: number): string {
  const lines = s.split("\n");
  if (lines.length === 1) return s;
  const pad = " ".repeat(n);
  return [lines[0]!, ...lines.slice(1).map((l) => pad + l)].join("\n");
}

/** Python's "torch.Size([2, 3])". */
export const pySize = (shape: readonly number[]): string => `torch.Size([${shape.join(", ")}])`;

const TYPENAME: Record<string, string> = {
  float32: "torch.FloatTensor", float64: "torch.DoubleTensor", float16: "torch.HalfTensor", bfloat16: "torch.BFloat16Tensor",
  int64: "torch.LongTensor", int32: "torch.IntTensor", int16: "torch.ShortTensor", int8: "torch.CharTensor",
  uint8: "torch.ByteTensor", bool: "torch.BoolTensor",
};

/** torch.typename(x): "torch.FloatTensor" for a float32 tensor; Python's type name for other values. */
export function pyTypename(v: unknown): string {
  const o = v as { dtype?: string; _storage?: unknown } | null;
  if (o !== null && typeof o === "object" && typeof o.dtype === "string" && o._storage !== undefined) return TYPENAME[o.dtype] ?? `torch.${o.dtype}`;
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "str";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "list";
  return (v as object).constructor?.name ?? "object";
}
