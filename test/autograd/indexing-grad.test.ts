// SPDX-License-Identifier: BSD-3-Clause
// Gradients of the indexing, scatter, join, sorting and matrix ops: each fixture case
// (test/fixtures/grad-indexing.json, written by scripts/gen_grad_fixtures.py from PyTorch 1.13)
// checks the grad_fn name and the input gradients against PyTorch, then runs gradcheck in float64
// on the same inputs (many of them non-contiguous, many with repeated indices). Below the table:
// what PyTorch cannot compare (its backward fails there), the in-place rules, double backward.
import { test } from "node:test";
import assert from "node:assert/strict";

import * as torch from "../../src/index.js";
import type { DType, Tensor } from "../../src/index.js";
import { decodeElement, loadFixture } from "../helpers.js";

const f64 = { dtype: torch.float64 } as const;
const { gradcheck, gradgradcheck } = torch.autograd;

// ---- the fixture table ------------------------------------------------------------------------------------

type Json = number | string | boolean | null | Json[] | { [key: string]: Json };
interface TensorSpec { dtype: DType; shape: number[]; values: (number | string | boolean)[]; strided?: [number[], number[], number] }
interface Case {
  name: string; call: "method" | "function"; fn: string; args: Json[]; grad: number[][];
  prep?: "clone"; output?: "values" | number; gradcheck?: false; composite?: true;
  gradOutput: TensorSpec; expected: { gradFn: string; grads: (TensorSpec | null)[] };
}

const fixture = loadFixture<{ torch: string; cases: Case[] }>("grad-indexing.json");

/** A fixture tensor of its own (not a view); a strided one reads a larger storage (a non-contiguous input). */
function makeTensor(spec: TensorSpec): Tensor {
  const base = torch.tensor(spec.values.map((v) => decodeElement(v, spec.dtype)), { dtype: spec.dtype }).reshape(spec.shape);
  return (spec.strided ? base.asStrided(spec.strided[0], spec.strided[1], spec.strided[2]) : base).detach();
}

function decodeArg(a: Json): unknown {
  if (Array.isArray(a)) return a.map(decodeArg);
  if (a !== null && typeof a === "object") {
    if ("tensor" in a) return makeTensor(a["tensor"] as unknown as TensorSpec);
    if ("opts" in a) return Object.fromEntries(Object.entries(a["opts"] as Record<string, Json>).map(([k, v]) => [k, decodeArg(v)]));
  }
  return a;
}

const at = (args: unknown[], path: number[]): unknown => path.reduce<unknown>((v, i) => (v as unknown[])[i], args);

/** args with the tensors at `paths` replaced by `xs` (lists are copied, never mutated). */
function substitute(args: unknown[], paths: number[][], xs: Tensor[]): unknown[] {
  const copy = (v: unknown): unknown => (Array.isArray(v) ? v.map(copy) : v);
  const out = copy(args) as unknown[];
  paths.forEach((p, k) => {
    const parent = at(out, p.slice(0, -1)) as unknown[];
    parent[p[p.length - 1]!] = xs[k];
  });
  return out;
}

/** Runs the case's call on args and picks the differentiated output. */
function run(c: Case, args: unknown[]): Tensor {
  const a = [...args];
  if (c.prep === "clone") a[0] = (a[0] as Tensor).clone();
  const t = torch as unknown as Record<string, (...xs: unknown[]) => unknown>;
  const r = c.call === "method"
    ? ((a[0] as unknown as Record<string, (...xs: unknown[]) => unknown>)[c.fn]!).call(a[0], ...a.slice(1))
    : t[c.fn]!(...a);
  if (c.output === "values") return (r as { values: Tensor }).values;
  if (typeof c.output === "number") return (r as Tensor[])[c.output]!;
  return r as Tensor;
}

/** The case's arguments with fresh leaves (requiring grad) at its grad paths. */
function setup(c: Case): { args: unknown[]; leaves: Tensor[] } {
  const args = c.args.map(decodeArg);
  const leaves = c.grad.map((p) => (at(args, p) as Tensor).requiresGrad_(true));
  return { args, leaves };
}

function assertCloseTo(actual: Tensor | null, expected: TensorSpec | null, what: string): void {
  if (expected === null) {
    assert.ok(actual === null || (actual.eq(0).all().item() as boolean), `${what}: expected no gradient`);
    return;
  }
  assert.ok(actual !== null, `${what}: no gradient`);
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const got = actual.reshape(-1).tolist() as number[];
  expected.values.forEach((v, i) => {
    const e = decodeElement(v, expected.dtype) as number, g = got[i]!;
    if (Number.isNaN(e)) assert.ok(Number.isNaN(g), `${what}[${i}]: ${g}, expected nan`);
    else assert.ok(Math.abs(g - e) <= 1e-10 + 1e-9 * Math.abs(e), `${what}[${i}]: ${g}, expected ${e}`);
  });
}

for (const c of fixture.cases) {
  test(`grad: ${c.name}`, () => {
    const { args, leaves } = setup(c);
    const out = run(c, args);
    if (!c.composite) assert.equal(out.gradFn?.name(), c.expected.gradFn);
    else assert.ok(out.requiresGrad);
    const grads = torch.autograd.grad([out], leaves, { gradOutputs: [makeTensor(c.gradOutput)], allowUnused: true });
    grads.forEach((g, i) => assertCloseTo(g, c.expected.grads[i] ?? null, `grad of input ${c.grad[i]!.join(".")}`));
    if (c.gradcheck !== false) assert.ok(gradcheck((...xs: Tensor[]) => run(c, substitute(args, c.grad, xs)), leaves));
  });
}

test("the fixtures come from PyTorch 1.13 and cover every differentiable op here", () => {
  assert.match(fixture.torch, /^1\.13/);
  const covered = new Set(fixture.cases.map((c) => c.fn));
  for (const fn of ["index", "take", "gather", "indexSelect", "takeAlongDim", "maskedSelect", "maskedFill", "maskedFill_",
    "maskedScatter", "maskedScatter_", "scatter", "scatter_", "scatterAdd", "scatterAdd_", "scatterReduce", "scatterReduce_",
    "indexAdd", "indexAdd_", "indexCopy", "indexCopy_", "indexFill", "indexFill_", "indexPut", "indexPut_", "cat", "concat",
    "stack", "hstack", "vstack", "dstack", "repeat", "tile", "repeatInterleave", "flip", "fliplr", "flipud", "roll", "rot90",
    "sort", "msort", "topk", "kthvalue", "median", "nanmedian", "mode", "trace", "tril", "triu", "kron", "einsum", "tensordot"])
    assert.ok(covered.has(fn), fn);
});

// ---- repeated indices, stated plainly --------------------------------------------------------------------------

test("repeated indices accumulate: x[[0, 0, 2]], gather, indexSelect, take", () => {
  const x = torch.zeros(3, { ...f64, requiresGrad: true });
  const ones = torch.ones(3, f64);
  const idx = torch.tensor([0, 0, 2]);
  for (const y of [x.index([0, 0, 2]), x.gather(0, idx), x.indexSelect(0, idx), x.take(idx)]) {
    const [g] = torch.autograd.grad([y], [x], { gradOutputs: [ones] });
    assert.deepEqual(g!.tolist(), [2, 0, 1]);  // d sum(y) / dx = how often each x[i] was read
  }
  const m = torch.zeros(2, 2, { ...f64, requiresGrad: true });
  const [gm] = torch.autograd.grad([m.index([1, 1, 1], [0, 1, 0])], [m], { gradOutputs: [torch.tensor([1, 2, 3], f64)] });
  assert.deepEqual(gm!.tolist(), [[0, 0], [4, 2]]);  // m[1, 0] read twice (1 + 3), m[1, 1] once (2)
});

test("indexSelect backward on a large repeated index is one native scatter (accumulates 100k reads)", () => {
  const x = torch.zeros(10, { ...f64, requiresGrad: true });
  const idx = torch.arange(100_000).remainder(10);
  const [g] = torch.autograd.grad([x.indexSelect(0, idx)], [x], { gradOutputs: [torch.ones(100_000, f64)] });
  assert.deepEqual(g!.tolist(), new Array(10).fill(10_000));
});

// ---- where PyTorch's backward fails: gradcheck alone ----------------------------------------------------------

test("scatter / scatterAdd / scatterReduce with src larger than index: unread src elements get zero gradient", () => {
  const x = torch.randn(3, 4, { ...f64, requiresGrad: true }), src = torch.randn(3, 3, { ...f64, requiresGrad: true });
  const idx = torch.tensor([[3], [0], [2]]);
  assert.ok(gradcheck((a, b) => a!.scatter(1, idx, b!), [x, src]));
  assert.ok(gradcheck((a, b) => a!.scatterAdd(1, torch.tensor([[0, 0], [1, 3], [2, 2]]), b!), [x, src]));
  for (const reduce of ["sum", "mean", "prod", "amax", "amin"] as const)
    assert.ok(gradcheck((a, b) => a!.scatterReduce(1, torch.tensor([[0, 0], [1, 3], [2, 2]]), b!, reduce), [x, src]), reduce);
  const [, gs] = torch.autograd.grad([x.scatter(1, idx, src)], [x, src], { gradOutputs: [torch.ones(3, 4, f64)] });
  assert.deepEqual(gs!.tolist(), [[1, 0, 0], [1, 0, 0], [1, 0, 0]]);
});

test("indexAdd with source slices broadcast over x's slices sums the broadcast dims", () => {
  const x = torch.randn(3, 4, 2, { ...f64, requiresGrad: true });
  for (const shape of [[2, 1, 2], [2, 4, 1], [2, 2], [2, 1]]) {
    const src = torch.randn(shape, { ...f64, requiresGrad: true });
    assert.ok(gradcheck((a, b) => a!.indexAdd(0, torch.tensor([2, 0]), b!), [x, src]), shape.join("x"));
  }
});

test("scatterReduce amax without includeSelf: an excluded self equal to the result takes no share", () => {
  // PyTorch 1.13 gives src 0.5 here (it counts the excluded self[0] = 3 as a tie); the derivative is 1
  const s = torch.tensor([3, 5], { ...f64, requiresGrad: true }), src = torch.tensor([3, 1], { ...f64, requiresGrad: true });
  const y = s.scatterReduce(0, torch.tensor([0, 0]), src, "amax", { includeSelf: false });
  const [gs, gsrc] = torch.autograd.grad([y], [s, src], { gradOutputs: [torch.ones(2, f64)] });
  assert.deepEqual(gs!.tolist(), [0, 1]);
  assert.deepEqual(gsrc!.tolist(), [1, 0]);
});

// ---- non-differentiable results, 0-dim inputs ------------------------------------------------------------------

test("indices and other integer results never require grad", () => {
  const x = torch.randn(3, 4, { ...f64, requiresGrad: true });
  const [values, indices] = x.sort(1);
  assert.ok(values!.requiresGrad);
  assert.equal(indices!.requiresGrad, false);
  for (const r of [x.topk(2).indices, x.kthvalue(1).indices, (x.median(0) as { indices: Tensor }).indices, x.mode(0).indices,
    x.argsort(), torch.nonzero(x), x.gt(0), x.index(x.gt(0)).gt(0)])
    assert.equal(r.requiresGrad, false);
  assert.equal(x.sort(1).indices.gradFn, null);
});

test("0-dim inputs: sort, topk, kthvalue, median, mode, gather, indexSelect, flip, maskedSelect", () => {
  const x = torch.tensor(1.5, { ...f64, requiresGrad: true });
  const fns: ((t: Tensor) => Tensor)[] = [
    (t) => t.sort().values, (t) => t.topk(1).values, (t) => t.kthvalue(1).values, (t) => t.median() as Tensor,
    (t) => (t.median(0) as { values: Tensor }).values, (t) => t.mode().values, (t) => t.gather(0, torch.tensor(0)),
    (t) => t.indexSelect(0, torch.tensor([0])), (t) => t.flip(0), (t) => t.maskedSelect(torch.tensor(true)),
    (t) => t.index("..."), (t) => t.roll(1), (t) => t.repeat([2, 2]),
  ];
  for (const fn of fns) {
    const [g] = torch.autograd.grad([fn(x)], [x], { gradOutputs: [fn(x).detach().mul(0).add(2)] });
    assert.equal(g!.sum().item(), 2 * fn(x).numel(), String(fn));
    assert.ok(gradcheck(fn, [x]), String(fn));
  }
});

test("unique and bincount with weights require grad but have no derivative, as in PyTorch", () => {
  const x = torch.tensor([3, 1, 3, 2], { ...f64, requiresGrad: true });
  const cases: [Tensor, string, string][] = [
    [torch.unique(x) as Tensor, "Unique2Backward0", "the derivative for '_unique2' is not implemented."],
    [(torch.unique(x, { returnCounts: true }) as Tensor[])[0]!, "Unique2Backward0", "the derivative for '_unique2' is not implemented."],
    [torch.unique(x.reshape(2, 2), { dim: 0 }) as Tensor, "UniqueDimBackward0", "the derivative for 'unique_dim' is not implemented."],
    [torch.bincount(torch.tensor([0, 2, 2, 1]), x), "torch::autograd::NotImplemented", "derivative for aten::bincount is not implemented"],
  ];
  for (const [y, name, message] of cases) {
    assert.equal(y.gradFn?.name(), name);
    assert.throws(() => y.sum().backward(), { message });
  }
  assert.equal((torch.unique(x, { returnCounts: true }) as Tensor[])[1]!.requiresGrad, false);
  assert.equal(torch.histc(x.detach()).requiresGrad, false);
});

test("cat of mixed dtypes and of inputs that do not require grad", () => {
  const a = torch.tensor([1, 2], { dtype: torch.float32, requiresGrad: true }), b = torch.tensor([3], f64);
  const c = torch.tensor([4, 5], { ...f64, requiresGrad: true });
  const y = torch.cat([a, b, c]);
  assert.equal(y.dtype, "float64");
  y.backward(torch.tensor([10, 20, 30, 40, 50], f64));
  assert.equal(a.grad!.dtype, "float32");  // the gradient comes back in each input's dtype
  assert.deepEqual(a.grad!.tolist(), [10, 20]);
  assert.deepEqual(c.grad!.tolist(), [40, 50]);
  assert.equal(b.grad, null);
});

// ---- in-place forms -------------------------------------------------------------------------------------------

const leafMessage = { message: "a leaf Variable that requires grad is being used in an in-place operation." };

test("in-place forms on a leaf that requires grad raise PyTorch's message, and leave it unchanged", () => {
  const idx = torch.tensor([[0, 1, 0]]), src = torch.ones(1, 3, f64), m = torch.tensor([true, false, true]);
  const ops: [string, (x: Tensor) => unknown][] = [
    ["indexPut_", (x) => x.indexPut_([torch.tensor([0])], torch.ones(3, f64))],
    ["scatter_", (x) => x.scatter_(0, idx, src)], ["scatter_ value", (x) => x.scatter_(0, idx, 2)],
    ["scatterAdd_", (x) => x.scatterAdd_(0, idx, src)], ["scatterReduce_", (x) => x.scatterReduce_(0, idx, src, "amax")],
    ["maskedFill_", (x) => x.maskedFill_(m, 0)], ["maskedScatter_", (x) => x.maskedScatter_(m, torch.ones(6, f64))],
    ["indexAdd_", (x) => x.indexAdd_(0, torch.tensor([1]), src)], ["indexCopy_", (x) => x.indexCopy_(0, torch.tensor([1]), src)],
    ["indexFill_", (x) => x.indexFill_(1, torch.tensor([1]), 0)],
  ];
  for (const [name, op] of ops) {
    const x = torch.zeros(2, 3, { ...f64, requiresGrad: true });
    assert.throws(() => op(x), leafMessage, name);
    assert.equal(x._version, 0, name);
    torch.noGrad(() => op(x));  // allowed without grad mode
  }
});

test("in-place forms on a non-leaf take the op's node; the written-over part gets no gradient", () => {
  const x = torch.randn(3, 4, { ...f64, requiresGrad: true });
  const y = torch.cat([x]);  // a non-leaf copy of x
  y.indexPut_([torch.tensor([1])], torch.zeros(4, f64));
  assert.equal(y.gradFn?.name(), "IndexPutBackward0");
  assert.equal(y.isLeaf, false);
  const [g] = torch.autograd.grad([y], [x], { gradOutputs: [torch.ones(3, 4, f64)] });
  assert.deepEqual(g!.tolist(), [[1, 1, 1, 1], [0, 0, 0, 0], [1, 1, 1, 1]]);
  // a constant target with a source that requires grad becomes part of the graph
  const v = torch.tensor([1, 2], { ...f64, requiresGrad: true });
  const z = torch.zeros(4, f64).indexAdd_(0, torch.tensor([3, 3]), v);
  assert.equal(z.gradFn?.name(), "IndexAddBackward0");
  const [gv] = torch.autograd.grad([z], [v], { gradOutputs: [torch.tensor([1, 2, 3, 4], f64)] });
  assert.deepEqual(gv!.tolist(), [4, 4]);
});

test("a saved index modified in place makes backward fail, as in PyTorch", () => {
  const x = torch.randn(3, { ...f64, requiresGrad: true });
  const idx = torch.tensor([0, 2]);
  const y = x.gather(0, idx);
  idx.fill_(1);
  assert.throws(() => y.backward(torch.ones(2, f64)),
    // PyTorch 1.13's words for a saved tensor without a grad_fn: no "which is ..." clause
    /one of the variables needed for gradient computation has been modified by an inplace operation: \[torch.LongTensor \[2\]\] is at version 1; expected version 0 instead/);
});

test("out= with inputs that require grad is refused (cat, stack)", () => {
  const a = torch.ones(2, { ...f64, requiresGrad: true });
  assert.throws(() => torch.cat([a, a], 0, { out: torch.empty(4, f64) }),
    { message: "cat(): functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad." });
  assert.throws(() => torch.stack([a, a], 0, { out: torch.empty(2, 2, f64) }),
    { message: "stack(): functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad." });
  const out = torch.empty(4, f64);
  torch.noGrad(() => torch.cat([a, a], 0, { out }));
  assert.deepEqual(out.tolist(), [1, 1, 1, 1]);
});

test("scatter with reduce has no derivative (PyTorch's NotImplemented node)", () => {
  const x = torch.randn(2, 3, { ...f64, requiresGrad: true });
  const y = x.scatter(0, torch.tensor([[1, 0, 1]]), torch.ones(1, 3, f64), { reduce: "add" });
  assert.equal(y.gradFn?.name(), "torch::autograd::NotImplemented");
  assert.throws(() => torch.autograd.grad([y], [x], { gradOutputs: [torch.ones(2, 3, f64)] }),
    { message: "derivative for aten::scatter is not implemented" });
});

// ---- double backward -----------------------------------------------------------------------------------------

// second derivatives: the backward formulas are written with differentiable ops
{
  const x = torch.randn(3, 4, { ...f64, requiresGrad: true });
  const src = torch.randn(2, 4, { ...f64, requiresGrad: true });
  const i = torch.tensor([[0, 2, 2, 1], [1, 1, 0, 2]]);
  const m = torch.tensor([[true, false, true, false], [false, false, true, true], [true, false, false, false]]);
  const cases: [string, (...t: Tensor[]) => Tensor, Tensor[]][] = [
    ["index", (a) => a!.index([2, 0, 2]), [x]],
    ["index with a slice", (a) => a!.index(":", [3, 3, 0]), [x]],
    ["index mask", (a) => a!.index(m), [x]],
    ["gather", (a) => a!.gather(0, i), [x]],
    ["indexSelect", (a) => a!.indexSelect(1, torch.tensor([3, 3, 0])), [x]],
    ["maskedSelect", (a) => a!.maskedSelect(m), [x]],
    ["scatterAdd", (a, b) => a!.scatterAdd(0, i, b!), [x, src]],
    ["scatter", (a, b) => a!.scatter(0, torch.tensor([[0, 1, 2, 0], [2, 0, 1, 1]]), b!), [x, src]],
    ["indexPut", (a, b) => a!.indexPut([torch.tensor([2, 0])], b!, { accumulate: true }), [x, src]],
    ["indexAdd", (a, b) => a!.indexAdd(0, torch.tensor([1, 1]), b!), [x, src]],
    ["indexCopy", (a, b) => a!.indexCopy(0, torch.tensor([2, 0]), b!), [x, src]],
    ["maskedScatter", (a, b) => a!.maskedScatter(m, b!), [x, src]],
    ["maskedFill", (a) => a!.maskedFill(m, 1), [x]],
    ["cat", (a, b) => torch.cat([a!, b!]), [x, src]],
    ["stack", (a) => torch.stack([a!, a!], 1), [x]],
    ["flip", (a) => a!.flip(0, 1), [x]],
    ["roll", (a) => a!.roll([1, 2], [0, 1]), [x]],
    ["rot90", (a) => a!.rot90(1, [0, 1]), [x]],
    ["sort", (a) => a!.sort(1).values, [x]],
    ["topk", (a) => a!.topk(2, 1).values, [x]],
    ["tril", (a) => a!.tril(), [x]],
    ["repeat", (a) => a!.repeat(2, 1), [x]],
    ["take", (a) => a!.take(torch.tensor([[0, 11], [11, 5]])), [x]],
    ["trace", (a) => a!.trace(), [x]],
    ["median", (a) => a!.median() as Tensor, [x]],
    ["scatterReduce mean", (a, b) => a!.scatterReduce(0, i, b!, "mean"), [x, src]],
    ["scatterReduce amax", (a, b) => a!.scatterReduce(0, i, b!, "amax"), [x, src]],
  ];
  for (const [name, fn, inputs] of cases) test(`gradgradcheck: ${name}`, () => assert.ok(gradgradcheck(fn, inputs)));
}
