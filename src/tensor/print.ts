// SPDX-License-Identifier: BSD-3-Clause
/**
 * Tensor printing, character for character as PyTorch 1.13's `repr(tensor)`.
 *
 * The rules follow `torch/_tensor_str.py` (PyTorch 1.13): one formatter per tensor picks
 * integer, fixed or scientific notation from the finite nonzero elements, rows wrap at
 * `linewidth`, tensors above `threshold` elements show `edgeitems` at each end of every
 * dimension, and suffixes (`device=`, `dtype=`, `size=`, `grad_fn=`) follow the data.
 * Numbers are formatted as Python's `format(x, ".4f")` / `format(x, ".4e")` do: exactly,
 * rounding the binary value half to even, which `Number.prototype.toFixed` does not.
 *
 * @example
 * formatTensor({ shape: [2], dtype: "float32", get: (i) => [1, 2.5][i]! });
 * // "tensor([1.0000, 2.5000])"
 */

export type PrintValue = number | bigint | boolean;

export interface PrintOptions {
  precision: number;
  threshold: number;
  edgeitems: number;
  linewidth: number;
  sciMode: boolean | null;
}

export interface TensorPrintInfo {
  shape: readonly number[];
  dtype: string;
  /** Row-major element accessor: int64 as bigint, bool as boolean, the rest as number. */
  get(flatIndex: number): PrintValue;
  device?: string;
  requiresGrad?: boolean;
  gradFn?: string | null;
  defaultFloatDtype?: string;
}

type Profile = "default" | "short" | "full";

const PROFILES: Record<Profile, Omit<PrintOptions, "sciMode">> = {
  default: { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 },
  short: { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 },
  full: { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 },
};

const opts: PrintOptions = { ...PROFILES.default, sciMode: null };

/**
 * `torch.set_printoptions`. As in PyTorch, leaving out `sciMode` resets it to automatic.
 *
 * @example
 * setPrintoptions({ precision: 2 });   // tensor([1.12])
 * setPrintoptions({ profile: "default" });
 */
export function setPrintoptions(o: {
  precision?: number;
  threshold?: number;
  edgeitems?: number;
  linewidth?: number;
  profile?: Profile;
  sciMode?: boolean | null;
}): void {
  if (o.profile !== undefined) Object.assign(opts, PROFILES[o.profile]);
  if (o.precision !== undefined) opts.precision = o.precision;
  if (o.threshold !== undefined) opts.threshold = o.threshold;
  if (o.edgeitems !== undefined) opts.edgeitems = o.edgeitems;
  if (o.linewidth !== undefined) opts.linewidth = o.linewidth;
  opts.sciMode = o.sciMode ?? null;
}

/** A copy of the current print options, e.g. `getPrintoptions().precision === 4`. */
export function getPrintoptions(): PrintOptions {
  return { ...opts };
}

// ---------------------------------------------------------------------------
// Python's float formatting ('f' and 'e' presentation types), done exactly in BigInt.

const F64 = new DataView(new ArrayBuffer(8));

/** Splits a finite double into its sign and |x| = mant * 2^exp, exactly. */
function decompose(x: number): { neg: boolean; mant: bigint; exp: number } {
  F64.setFloat64(0, x);
  const bits = F64.getBigUint64(0);
  const neg = bits >> 63n === 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & 0xfffffffffffffn;
  if (biased === 0) return { neg, mant: frac, exp: -1074 }; // zero or subnormal
  return { neg, mant: frac | (1n << 52n), exp: biased - 1075 };
}

/** round(mant * 2^exp * 10^shift) with ties to even, as Python's correctly rounded dtoa. */
function roundScaled(mant: bigint, exp: number, shift: number): bigint {
  let num = mant;
  let den = 1n;
  if (exp >= 0) num <<= BigInt(exp);
  else den <<= BigInt(-exp);
  if (shift >= 0) num *= 10n ** BigInt(shift);
  else den *= 10n ** BigInt(-shift);
  const q = num / den;
  const twiceRem = (num % den) * 2n;
  return twiceRem > den || (twiceRem === den && (q & 1n) === 1n) ? q + 1n : q;
}

/** Python prints non-finite floats as nan, inf, -inf in every presentation type. */
function nonFinite(x: number): string | null {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return null;
}

/** Python's `format(x, f".{p}f")`; the sign of -0.0 and of values rounding to 0 is kept. */
function formatFixed(x: number, p: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  const { neg, mant, exp } = decompose(x);
  const digits = roundScaled(mant, exp, p).toString().padStart(p + 1, "0");
  const cut = digits.length - p;
  const frac = p > 0 ? "." + digits.slice(cut) : "";
  return (neg ? "-" : "") + digits.slice(0, cut) + frac;
}

/** Python's `format(x, f".{p}e")`: `1.0000e+05`, at least two exponent digits. */
function formatExp(x: number, p: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  const { neg, mant, exp } = decompose(x);
  let e = 0;
  let q = 0n;
  if (mant !== 0n) {
    // log10 only estimates the exponent; fix it until q has exactly p + 1 digits.
    const lo = 10n ** BigInt(p);
    const hi = lo * 10n;
    e = Math.floor(Math.log10(Math.abs(x)));
    for (;;) {
      q = roundScaled(mant, exp, p - e);
      if (q >= hi) e += 1;
      else if (q < lo) e -= 1;
      else break;
    }
  }
  const digits = q.toString().padStart(p + 1, "0");
  const mantissa = digits.slice(0, 1) + (p > 0 ? "." + digits.slice(1) : "");
  const expDigits = String(Math.abs(e)).padStart(2, "0");
  return `${neg ? "-" : ""}${mantissa}e${e < 0 ? "-" : "+"}${expDigits}`;
}

// ---------------------------------------------------------------------------
// The per-tensor formatter (PyTorch's _Formatter).

const FLOAT_DTYPES = new Set(["float16", "bfloat16", "float32", "float64"]);

interface Formatter {
  floating: boolean;
  intMode: boolean;
  sciMode: boolean;
  width: number;
}

/** Python's `str()` of an integer or bool element. */
function plainText(v: PrintValue): string {
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v).toString(); // never 1e+21
  return String(v);
}

/** Chooses notation and column width from the elements that will be shown. */
function makeFormatter(values: readonly PrintValue[], floating: boolean): Formatter {
  const f: Formatter = { floating, intMode: true, sciMode: false, width: 1 };
  if (!floating) {
    for (const v of values) f.width = Math.max(f.width, plainText(v).length);
    return f;
  }
  const finite: number[] = [];
  for (const v of values) {
    const x = Number(v);
    if (Number.isFinite(x) && x !== 0) finite.push(x);
  }
  // With no finite nonzero element PyTorch returns early, before applying the sciMode option.
  if (finite.length === 0) return f;
  let min = Infinity;
  let max = 0;
  for (const x of finite) {
    min = Math.min(min, Math.abs(x));
    max = Math.max(max, Math.abs(x));
    if (!Number.isInteger(x)) f.intMode = false;
  }
  const spread = max / min > 1000 || max > 1e8;
  f.sciMode = f.intMode ? spread : spread || min < 1e-4;
  const p = opts.precision;
  for (const x of finite) {
    let len: number;
    if (f.sciMode) len = formatExp(x, p).length;
    else if (f.intMode) len = formatFixed(x, 0).length + 1; // room for the trailing "."
    else len = formatFixed(x, p).length;
    f.width = Math.max(f.width, len);
  }
  if (opts.sciMode !== null) f.sciMode = opts.sciMode;
  return f;
}

/** One element, right-aligned to the formatter's width (never truncated). */
function formatValue(f: Formatter, v: PrintValue): string {
  let s: string;
  if (!f.floating) {
    s = plainText(v);
  } else {
    const x = Number(v);
    if (f.sciMode) s = formatExp(x, opts.precision);
    else if (f.intMode) s = formatFixed(x, 0) + (Number.isFinite(x) ? "." : "");
    else s = formatFixed(x, opts.precision);
  }
  return s.padStart(f.width);
}

// ---------------------------------------------------------------------------
// Layout: nested brackets, summarisation and row wrapping.

interface Walk {
  shape: readonly number[];
  strides: number[];
  get: (flatIndex: number) => PrintValue;
  summarize: boolean;
  edge: number;
}

/**
 * Indices shown along one dimension, with null where "..." goes. PyTorch takes the tail of
 * the last dimension as `x[-edgeitems:]`, so edgeitems = 0 shows that whole dimension after
 * the "..."; outer dimensions use a range, which is then empty.
 */
function shownIndices(w: Walk, size: number, last: boolean): (number | null)[] {
  const all = Array.from({ length: size }, (_, i) => i);
  if (!w.summarize || size <= 2 * w.edge) return all;
  const tailStart = last && w.edge === 0 ? 0 : size - w.edge;
  return [...all.slice(0, w.edge), null, ...all.slice(tailStart)];
}

/** Flat indices of the elements that will be printed, in order (get_summarized_data). */
function collect(w: Walk, dim: number, offset: number, out: number[]): void {
  if (dim === w.shape.length) {
    out.push(offset);
    return;
  }
  const last = dim === w.shape.length - 1;
  for (const i of shownIndices(w, w.shape[dim] ?? 0, last)) {
    if (i !== null) collect(w, dim + 1, offset + i * (w.strides[dim] ?? 0), out);
  }
}

function render(w: Walk, f: Formatter, dim: number, offset: number, indent: number): string {
  const rank = w.shape.length;
  if (rank === 0) return formatValue(f, w.get(0));
  const stride = w.strides[dim] ?? 0;
  const last = dim === rank - 1;
  const indices = shownIndices(w, w.shape[dim] ?? 0, last);
  if (!last) {
    const slices = indices.map((i) =>
      i === null ? "..." : render(w, f, dim + 1, offset + i * stride, indent + 1),
    );
    // One blank line between 2-D blocks, two between 3-D blocks, ...
    return "[" + slices.join("," + "\n".repeat(rank - dim - 1) + " ".repeat(indent + 1)) + "]";
  }
  const items = indices.map((i) => (i === null ? " ..." : formatValue(f, w.get(offset + i * stride))));
  // Each item takes its width plus ", "; the "..." item counts like any other.
  const perLine = Math.max(1, Math.floor((opts.linewidth - indent) / (f.width + 2)));
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(", "));
  return "[" + lines.join(",\n" + " ".repeat(indent + 1)) + "]";
}

function tupleText(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/** Appends ", suffix" or, when the line would pass linewidth, ",\n" + indent + suffix. */
function addSuffixes(text: string, suffixes: readonly string[], indent: number): string {
  // PyTorch's count: len(s) - s.rfind("\n") + 1, two more than the last line's length.
  let lastLineLen = text.length - text.lastIndexOf("\n") + 1;
  let out = text;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > opts.linewidth) {
      out += ",\n" + " ".repeat(indent) + suffix;
      lastLineLen = indent + suffix.length;
    } else {
      out += ", " + suffix;
      lastLineLen += suffix.length + 2;
    }
  }
  return out + ")";
}

/**
 * Python's `repr(tensor)` for a strided, non-complex tensor.
 *
 * @example
 * formatTensor({ shape: [2], dtype: "int32", get: (i) => i, requiresGrad: false });
 * // "tensor([0, 1], dtype=torch.int32)"
 */
export function formatTensor(t: TensorPrintInfo): string {
  const prefix = "tensor(";
  const indent = prefix.length;
  const shape = t.shape;
  const numel = shape.reduce((a, b) => a * b, 1);
  const defaultFloat = t.defaultFloatDtype ?? "float32";
  const suffixes: string[] = [];
  if (t.device !== undefined && t.device !== "cpu") suffixes.push(`device='${t.device}'`);

  let body: string;
  if (numel === 0) {
    // Empty tensors always name a non-default dtype: there is no element to infer it from.
    body = "[]";
    if (shape.length !== 1) suffixes.push(`size=${tupleText(shape)}`);
    if (t.dtype !== defaultFloat) suffixes.push(`dtype=torch.${t.dtype}`);
  } else {
    if (t.dtype !== defaultFloat && t.dtype !== "int64" && t.dtype !== "bool") {
      suffixes.push(`dtype=torch.${t.dtype}`);
    }
    const strides = shape.map(() => 1);
    for (let d = shape.length - 2; d >= 0; d--) strides[d] = (strides[d + 1] ?? 1) * (shape[d + 1] ?? 1);
    const w: Walk = {
      shape,
      strides,
      get: (i) => t.get(i),
      summarize: numel > opts.threshold,
      edge: opts.edgeitems,
    };
    const shown: number[] = [];
    collect(w, 0, 0, shown);
    const f = makeFormatter(shown.map((i) => t.get(i)), FLOAT_DTYPES.has(t.dtype));
    body = render(w, f, 0, 0, indent);
  }

  if (t.gradFn) suffixes.push(`grad_fn=<${t.gradFn}>`);
  else if (t.requiresGrad) suffixes.push("requires_grad=True");
  return addSuffixes(prefix + body, suffixes, indent);
}
