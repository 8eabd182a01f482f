// SPDX-License-Identifier: BSD-3-Clause
// nn.Sequential's inference fusion (Linear / Conv2d followed by ReLU, container.ts): without grad
// the fused call must give the very same bits as the modules run one by one, for odd sizes,
// strided and offset inputs, NaN / -0 / negative values, with 1 and 2 threads; with grad, with a
// hooked or replaced module, or a subclass, the modules run one by one (same graph as before).
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import type { Tensor } from "../../src/tensor/tensor.js";

const F = nn.functional;

function bits(t: Tensor): Uint32Array {
  return new Uint32Array(Float32Array.from(t.contiguous().numpy() as Float32Array).buffer);
}
function sameBits(a: Tensor, b: Tensor, what: string): void {
  assert.deepEqual(a.shape, b.shape, what);
  const x = bits(a), y = bits(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) assert.fail(`${what}: element ${i} differs (${x[i]!.toString(16)} vs ${y[i]!.toString(16)})`);
}
/** The modules one by one (what Sequential computed before the fusion). */
function oneByOne(seq: nn.Sequential, x: Tensor): Tensor {
  let y = x;
  for (const m of seq) y = m.forward(y) as Tensor;
  return y;
}

describe("Sequential Linear + ReLU fusion", () => {
  const shapes: [number, number, number][] = [[1, 8, 2], [3, 7, 5], [5, 9, 3], [64, 784, 256], [7, 65, 13], [4, 400, 120], [2, 1024, 300], [3, 4, 6]];
  for (const [M, K, N] of shapes)
    test(`[${M},${K}] -> ${N}: same bits as linear then relu, 1 and 2 threads`, () => {
      torch.manualSeed(M * 1000 + K + N);
      const seq = new nn.Sequential(new nn.Linear(K, N), new nn.ReLU(), new nn.Linear(N, 3), new nn.ReLU(true));
      const x = torch.randn(M, K);
      const ref = torch.noGrad(() => oneByOne(seq, x));
      for (const threads of [1, 2]) {
        torch.setNumThreads(threads);
        sameBits(torch.noGrad(() => seq.forward(x) as Tensor), ref, `threads ${threads}`);
      }
      torch.setNumThreads(2);
    });

  test("NaN, -0 and negative results pass as F.relu passes them", () => {
    const lin = new nn.Linear(8, 6);
    torch.noGrad(() => {
      lin.weight.zero_();
      lin.bias!.copy_(torch.tensor([-0, 0, -1, 1, NaN, -Infinity]));
    });
    const seq = new nn.Sequential(lin, new nn.ReLU());
    const x = torch.randn(5, 8);
    sameBits(torch.noGrad(() => seq.forward(x) as Tensor), torch.noGrad(() => F.relu(lin.forward(x))), "specials");
    const x2 = x.clone();
    x2.data.narrow(0, 1, 1).fill_(NaN);
    sameBits(torch.noGrad(() => seq.forward(x2) as Tensor), torch.noGrad(() => F.relu(lin.forward(x2))), "NaN row");
  });

  test("strided, offset and transposed inputs and weights; no bias; float64", () => {
    torch.manualSeed(3);
    const big = torch.randn(9, 40);
    const cases: Tensor[] = [big.narrow(0, 2, 5).narrow(1, 3, 30), big.narrow(1, 0, 30).t().contiguous().t().narrow(0, 1, 7), big.t().narrow(0, 0, 30).t()];
    for (const bias of [true, false]) {
      const lin = new nn.Linear(30, 11, { bias });
      for (const w of [lin.weight, torch.randn(30, 11).t()]) {
        torch.noGrad(() => { (lin as unknown as { weight: Tensor }).weight = w; });
        const seq = new nn.Sequential(lin, new nn.ReLU());
        for (const x of cases) sameBits(torch.noGrad(() => seq.forward(x) as Tensor), torch.noGrad(() => F.relu(F.linear(x, w, lin.bias))), `bias ${bias}`);
      }
    }
    const l64 = new nn.Linear(12, 5, { dtype: "float64" });
    const s64 = new nn.Sequential(l64, new nn.ReLU());
    const x64 = torch.randn(4, 12, { dtype: "float64" });
    assert.deepEqual(torch.noGrad(() => s64.forward(x64) as Tensor).tolist(), torch.noGrad(() => F.relu(l64.forward(x64))).tolist());
  });

  test("3-d input, empty batch", () => {
    const seq = new nn.Sequential(new nn.Linear(10, 4), new nn.ReLU());
    const x = torch.randn(2, 3, 10);
    sameBits(torch.noGrad(() => seq.forward(x) as Tensor), torch.noGrad(() => oneByOne(seq, x)), "3-d");
    assert.deepEqual((torch.noGrad(() => seq.forward(torch.randn(0, 10))) as Tensor).shape, [0, 4]);
  });

  test("with grad the modules run one by one (ReluBackward0 over AddmmBackward0) and gradients flow", () => {
    const seq = new nn.Sequential(new nn.Linear(10, 4), new nn.ReLU());
    const x = torch.randn(3, 10);
    const y = seq.forward(x) as Tensor;
    assert.equal(y.gradFn?.name(), "ReluBackward0");
    y.sum().backward();
    assert.ok([...seq.parameters()].every((p) => p.grad !== null));
    sameBits(y.detach(), torch.noGrad(() => seq.forward(x) as Tensor), "grad vs no grad");
  });

  test("a hooked, replaced or subclassed module is not fused", () => {
    const x = torch.randn(3, 10);
    const lin = new nn.Linear(10, 4), relu = new nn.ReLU();
    const seq = new nn.Sequential(lin, relu);
    let seen = 0;
    const h = relu.registerForwardHook(() => { seen++; });
    torch.noGrad(() => seq.forward(x));
    assert.equal(seen, 1);
    h.remove();
    const h2 = lin.registerForwardHook((_m, _i, o) => (o as Tensor).mul(-1));
    const y = torch.noGrad(() => seq.forward(x) as Tensor);
    sameBits(y, torch.noGrad(() => F.relu(lin.forward(x))), "hooked linear");
    h2.remove();
    class Leaky extends nn.ReLU { override forward(t: Tensor): Tensor { return F.leakyRelu(t, 0.5); } }
    const seq2 = new nn.Sequential(lin, new Leaky());
    sameBits(torch.noGrad(() => seq2.forward(x) as Tensor), torch.noGrad(() => F.leakyRelu(F.linear(x, lin.weight, lin.bias), 0.5)), "subclass");
    const r3 = new nn.ReLU();
    (r3 as unknown as { forward: (t: Tensor) => Tensor }).forward = (t: Tensor) => t.mul(2);
    const seq3 = new nn.Sequential(lin, r3);
    sameBits(torch.noGrad(() => seq3.forward(x) as Tensor), torch.noGrad(() => lin.forward(x).mul(2)), "replaced forward");
  });
});

describe("Sequential Conv2d + ReLU fusion", () => {
  const cases: [number, number, number, number, number, Record<string, unknown>][] = [
    [4, 3, 32, 6, 5, {}], [3, 6, 14, 16, 5, {}], [2, 5, 9, 7, 3, { padding: 1 }], [1, 4, 11, 8, 3, { stride: 2, padding: 1 }],
    [2, 4, 8, 4, 3, { groups: 2, padding: "same" }], [2, 3, 10, 5, 1, { bias: false }],
  ];
  for (const [N, C, H, OC, k, o] of cases)
    test(`conv ${N}x${C}x${H}x${H} -> ${OC}, k ${k} ${JSON.stringify(o)}: same bits, 1 and 2 threads`, () => {
      torch.manualSeed(N + C + H + OC);
      const seq = new nn.Sequential(new nn.Conv2d(C, OC, k, o), new nn.ReLU(), new nn.MaxPool2d(2, 2, { ceilMode: true }));
      const x = torch.randn(N, C, H, H);
      const ref = torch.noGrad(() => oneByOne(seq, x));
      for (const threads of [1, 2]) {
        torch.setNumThreads(threads);
        sameBits(torch.noGrad(() => seq.forward(x) as Tensor), ref, `threads ${threads}`);
      }
      torch.setNumThreads(2);
    });
  test("unbatched and non-contiguous inputs", () => {
    const seq = new nn.Sequential(new nn.Conv2d(3, 4, 3), new nn.ReLU());
    const x = torch.randn(3, 9, 9);
    sameBits(torch.noGrad(() => seq.forward(x) as Tensor), torch.noGrad(() => oneByOne(seq, x)), "unbatched");
    const xt = torch.randn(2, 9, 9, 3).permute(0, 3, 1, 2);
    sameBits(torch.noGrad(() => seq.forward(xt) as Tensor), torch.noGrad(() => oneByOne(seq, xt)), "permuted");
  });
  test("a Conv2d subclass with its own fn runs as written", () => {
    class Doubled extends nn.Conv2d {
      protected override fn = (x: Tensor, w: Tensor, ...rest: unknown[]): Tensor => (F.conv2d as (...a: unknown[]) => Tensor)(x, w, ...rest).mul(2);
    }
    const conv = new Doubled(3, 4, 3), seq = new nn.Sequential(conv, new nn.ReLU());
    const x = torch.randn(2, 3, 8, 8);
    sameBits(torch.noGrad(() => seq.forward(x) as Tensor), torch.noGrad(() => F.relu(conv.forward(x))), "subclass fn");
  });
});
