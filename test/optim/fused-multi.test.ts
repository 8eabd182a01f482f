// SPDX-License-Identifier: BSD-3-Clause
// Adam/AdamW/SGD update all fusable parameters of a group in one native call (adamStepMulti /
// sgdStepMulti, native/cpu/optim.cc): the results equal one fused call per parameter bit for bit
// (odd sizes, sizes across the threads' chunk boundaries, storage offsets, parameters sharing one
// storage, a non-contiguous parameter in between, both float dtypes, 1 and 2 threads).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import * as optim from "../../src/optim/index.js";
import { native } from "../../src/backends/cpu/native.js";

type Ctor = new (p: torch.Tensor[], o: object) => optim.Optimizer;

function bitEqual(a: torch.Tensor, b: torch.Tensor, what: string): void {
  assert.deepEqual(a.shape, b.shape, what);
  const x = a.detach().contiguous().reshape(-1).tolist() as number[], y = b.detach().contiguous().reshape(-1).tolist() as number[];
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) assert.fail(`${what}[${i}]: ${x[i]} vs ${y[i]}`);
}

/** Parameters of several sizes: separate ones (one past 2 * 32768 elements), two views into one storage, a column-major one. */
function makeParams(dtype: torch.DType): torch.Tensor[] {
  const shared = torch.randn([2 * 37 + 5], { dtype });
  return [
    torch.randn([3], { dtype }), torch.randn([70001], { dtype }), torch.randn([17, 13], { dtype }),
    shared.narrow(0, 5, 37), shared.narrow(0, 42, 37),          // non-overlapping views of one storage, offsets 5 and 42
    torch.randn([4, 6], { dtype }).t(),                         // non-contiguous: the op-by-op path, between fused ones
    torch.randn([1], { dtype }), torch.randn([40000], { dtype }),
  ].map((t) => (t._base !== null ? t.requiresGrad_() : t.detach().requiresGrad_()));
}

/** Runs `steps` steps of Cls on copies of `params`, with or without the batched native entries. */
function run(Cls: Ctor, opts: object, params: torch.Tensor[], grads: torch.Tensor[][], batched: boolean): torch.Tensor[] {
  const copies = cloneParams(params);
  const saved = [native.adamStepMulti, native.sgdStepMulti];
  if (!batched) { native.adamStepMulti = undefined; native.sgdStepMulti = undefined; }
  try {
    const o = new Cls(copies, opts);
    for (const gs of grads) {
      copies.forEach((p, i) => { p.grad = gs[i]!.clone(); });
      o.step();
    }
    const states = copies.flatMap((p) => Object.values(o.state.get(p) ?? {}).filter((v): v is torch.Tensor => v instanceof torch.Tensor));
    return [...copies, ...states];
  } finally {
    [native.adamStepMulti, native.sgdStepMulti] = saved;
  }
}

/** Copies of the parameters with the same layouts: views of one storage stay views of one copy. */
function cloneParams(params: torch.Tensor[]): torch.Tensor[] {
  const bases = new Map<unknown, torch.Tensor>();
  return params.map((p) => {
    const base = p._base;
    if (base === null || !base.isContiguous()) return p.detach().clone().requiresGrad_();
    let copy = bases.get(base);
    if (copy === undefined) { copy = base.detach().clone(); bases.set(base, copy); }
    return copy.asStrided(p.shape, p.stride(), p.storageOffset()).requiresGrad_();
  });
}

const configs: [Ctor, object][] = [
  [optim.Adam as unknown as Ctor, { lr: 0.01 }], [optim.Adam as unknown as Ctor, { lr: 0.01, weightDecay: 0.1, amsgrad: true, maximize: true }],
  [optim.AdamW as unknown as Ctor, { lr: 0.02, weightDecay: 0.1 }], [optim.AdamW as unknown as Ctor, { lr: 0.02, amsgrad: true }],
  [optim.SGD as unknown as Ctor, { lr: 0.05, momentum: 0.9 }], [optim.SGD as unknown as Ctor, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.1 }],
  [optim.SGD as unknown as Ctor, { lr: 0.05, momentum: 0.5, dampening: 0.3, maximize: true }],
];

for (const threads of [1, 2])
  test(`one native call for all parameters equals one call per parameter, bit for bit (${threads} thread${threads > 1 ? "s" : ""})`, () => {
    assert.equal(typeof native.adamStepMulti, "function");
    assert.equal(typeof native.sgdStepMulti, "function");
    const saved = torch.getNumThreads();
    torch.setNumThreads(threads);
    try {
      for (const [Cls, opts] of configs)
        for (const dtype of [torch.float32, torch.float64] as torch.DType[]) {
          torch.manualSeed(7);
          const params = makeParams(dtype);
          assert.deepEqual(cloneParams(params).map((p) => [p.isContiguous(), p.storageOffset()]),
            [[true, 0], [true, 0], [true, 0], [true, 5], [true, 42], [false, 0], [true, 0], [true, 0]]);
          const grads = Array.from({ length: 3 }, () => params.map((p) => torch.randn(p.shape, { dtype })));
          const a = run(Cls, opts, params, grads, true), b = run(Cls, opts, params, grads, false);
          assert.equal(a.length, b.length);
          a.forEach((t, i) => bitEqual(t, b[i]!, `${Cls.name} ${JSON.stringify(opts)} ${dtype} tensor ${i}`));
        }
    } finally {
      torch.setNumThreads(saved);
    }
  });

test("the batched step bumps the versions of what it writes, not of the gradients", () => {
  const p = torch.randn([5]).requiresGrad_(), q = torch.randn([3]).requiresGrad_();
  const o = new optim.Adam([p, q]);
  p.grad = torch.randn([5]);
  q.grad = torch.randn([3]);
  const v = [p._version, q._version, p.grad._version, q.grad._version];
  o.step();
  assert.ok(p._version > v[0]! && q._version > v[1]!);
  assert.equal(p.grad._version, v[2]);
  assert.equal(q.grad._version, v[3]);
  const s = o.state.get(p)!;
  assert.ok((s["exp_avg"] as torch.Tensor)._version > 0 && (s["exp_avg_sq"] as torch.Tensor)._version > 0);
});
