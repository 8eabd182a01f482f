// SPDX-License-Identifier: BSD-3-Clause
// The training-step fast paths of the LeNet work: the conv bias gradient in one native call
// (convBiasGrad) equals the two sums it replaces bit for bit (odd sizes, 1-d/2-d/3-d, both float
// dtypes, a non-contiguous incoming gradient, 1 and 2 threads); the Linear backward in one call is
// checked against addmm bit for bit in linear-fast.test.ts; and a few LeNet training steps give the
// same parameters with 1 and 2 threads.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import * as optim from "../../src/optim/index.js";
import type { Tensor } from "../../src/index.js";
import { sameTensorBits } from "../helpers.js";

const F = nn.functional;

function withThreads<T>(n: number, f: () => T): T {
  const saved = torch.getNumThreads();
  torch.setNumThreads(n);
  try { return f(); } finally { torch.setNumThreads(saved); }
}

test("conv bias gradient in one call equals gy.sum(spatial).sum(0) bit for bit", () => {
  torch.manualSeed(7);
  const cases: { nd: 1 | 2 | 3; x: number[]; w: number[] }[] = [
    { nd: 2, x: [4, 3, 32, 32], w: [6, 3, 5, 5] },    // LeNet conv1
    { nd: 2, x: [4, 6, 14, 14], w: [16, 6, 5, 5] },   // LeNet conv2
    { nd: 2, x: [1, 2, 5, 5], w: [3, 2, 5, 5] },      // a 1x1 output plane
    { nd: 2, x: [3, 5, 9, 7], w: [7, 5, 2, 3] },      // odd sizes
    { nd: 2, x: [2, 1, 190, 190], w: [2, 1, 3, 3] },  // a plane over 32768 elements: the two reductions
    { nd: 2, x: [37, 2, 6, 6], w: [1, 2, 3, 3] },     // one output channel over a batch of 16+ (sum(0) is then contiguous)
    { nd: 2, x: [20, 2, 6, 6], w: [3, 2, 3, 3] },
    { nd: 1, x: [5, 3, 17], w: [4, 3, 3] },
    { nd: 3, x: [2, 2, 5, 6, 7], w: [3, 2, 2, 3, 2] },
  ];
  const conv = (nd: number, x: Tensor, w: Tensor, b: Tensor): Tensor => (nd === 1 ? F.conv1d(x, w, b) : nd === 2 ? F.conv2d(x, w, b) : F.conv3d(x, w, b));
  for (const dtype of ["float32", "float64"] as const)
    for (const c of cases)
      for (const transposedGrad of [false, true]) {
        const what = `${dtype} ${c.nd}-d x ${c.x.join("x")} w ${c.w.join("x")}${transposedGrad ? " non-contiguous gy" : ""}`;
        const x = torch.randn(c.x, { dtype }), w = torch.randn(c.w, { dtype });
        const results = [1, 2].map((threads) => withThreads(threads, () => {
          const b = torch.randn([c.w[0]!], { dtype }).mul(0).requiresGrad_();
          const y = conv(c.nd, x, w, b);
          torch.manualSeed(11);
          const gy = transposedGrad ? torch.randn([y.shape[1]!, y.shape[0]!, ...y.shape.slice(2)], { dtype }).transpose(0, 1)
            : torch.randn(y.shape, { dtype });
          y.backward(gy);
          const dims = y.shape.slice(2).map((_, i) => i + 2);
          const want = gy.contiguous().sum(dims).sum(0);
          sameTensorBits(b.grad, want, `${what}, ${threads} thread(s)`);
          return b.grad!;
        }));
        sameTensorBits(results[0]!, results[1]!, `${what}: 1 vs 2 threads`);
      }
});

test("conv bias gradient: double backward still goes through the differentiable sums", () => {
  torch.manualSeed(8);
  const f64 = { dtype: torch.float64 } as const;
  const x = torch.randn([2, 2, 6, 6], f64).requiresGrad_(), w = torch.randn([3, 2, 3, 3], f64).requiresGrad_();
  const b = torch.randn([3], f64).requiresGrad_();
  assert.ok(torch.autograd.gradgradcheck((u: Tensor, v: Tensor, c: Tensor) => F.conv2d(u, v, c).pow(2), [x, w, b]));
});

test("Linear bias gradient: sum(0)'s order for contiguous columns (one output, a column-major gradient) and strided rows", () => {
  torch.manualSeed(9);
  for (const dtype of ["float32", "float64"] as const)
    for (const [N, I, O, layout] of [[37, 5, 1, "contiguous"], [20, 6, 3, "columnMajor"], [40, 7, 5, "contiguous"], [15, 4, 3, "columnMajor"], [33, 3, 4, "strided"]] as const) {
      const what = `${dtype} N=${N} in=${I} out=${O} gradient ${layout}`;
      const x = torch.randn([N, I], { dtype }).requiresGrad_(), w = torch.randn([O, I], { dtype }).requiresGrad_();
      const b = torch.randn([O], { dtype }).requiresGrad_();
      const g = layout === "columnMajor" ? torch.randn([O, N], { dtype }).t()
        : layout === "strided" ? torch.randn([N, 2 * O], { dtype }).narrow(1, 1, O) : torch.randn([N, O], { dtype });
      F.linear(x, w, b).backward(g);
      const x2 = x.detach().requiresGrad_(), w2 = w.detach().requiresGrad_(), b2 = b.detach().requiresGrad_();
      torch.addmm(b2, x2, w2.t()).backward(g);
      sameTensorBits(b.grad, b2.grad, `${what}: bias grad`);
      sameTensorBits(b.grad, g.sum(0), `${what}: bias grad vs g.sum(0)`);
      sameTensorBits(x.grad, x2.grad, `${what}: input grad`);
      sameTensorBits(w.grad, w2.grad, `${what}: weight grad`);
    }
});

test("Linear bias gradient over more than 32768 rows (float64: expanded and one-column strided gradients) is sum(0)'s", () => {
  torch.manualSeed(10);
  const N = 40000;
  for (const [O, g] of [[3, torch.tensor(0.37, { dtype: "float64" }).expand(N, 3)], [1, torch.randn([N, 2], { dtype: "float64" }).narrow(1, 0, 1)]] as const) {
    const x = torch.randn([N, 2], { dtype: "float64" }), w = torch.randn([O, 2], { dtype: "float64" });
    const b = torch.randn([O], { dtype: "float64" }).requiresGrad_();
    F.linear(x, w, b).backward(g);
    const b2 = b.detach().requiresGrad_();
    torch.addmm(b2, x, w.t()).backward(g);
    sameTensorBits(b.grad, b2.grad, `O=${O}: bias grad vs addmm`);
  }
});

class Net extends nn.Module {
  conv1 = new nn.Conv2d(3, 6, 5);
  pool = new nn.MaxPool2d(2, 2);
  conv2 = new nn.Conv2d(6, 16, 5);
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);
  override forward(x: Tensor): Tensor {
    x = this.pool.forward(F.relu(this.conv1.forward(x)));
    x = this.pool.forward(F.relu(this.conv2.forward(x)));
    x = torch.flatten(x, 1);
    x = F.relu(this.fc1.forward(x));
    x = F.relu(this.fc2.forward(x));
    return this.fc3.forward(x);
  }
}

test("LeNet training steps give the same parameters with 1 and 2 threads (batch 4 and 64)", () => {
  for (const batch of [4, 64]) {
    const run = (threads: number): Tensor[] => withThreads(threads, () => {
      torch.manualSeed(5);
      const net = new Net(), criterion = new nn.CrossEntropyLoss();
      const opt = new optim.SGD(net.parameters(), { lr: 0.001, momentum: 0.9 });
      const x = torch.randn(batch, 3, 32, 32), y = torch.randint(0, 10, [batch]);
      for (let i = 0; i < 3; i++) {
        opt.zeroGrad();
        criterion.forward(net.forward(x), y).backward();
        opt.step();
      }
      return [...net.parameters()].map((p) => p.detach().clone());
    });
    const a = run(1), b = run(2);
    a.forEach((p, i) => sameTensorBits(p, b[i]!, `batch ${batch} parameter ${i}`));
  }
});
