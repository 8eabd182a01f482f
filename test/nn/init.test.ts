// SPDX-License-Identifier: BSD-3-Clause
// nn.init against test/fixtures/nn-layers.json: after manualSeed every initialiser draws exactly
// PyTorch's values (uniform/normal/truncNormal/orthogonal/sparse and the fan/gain rules), the
// deterministic ones (eye, dirac) match, layers' default init matches, errors in PyTorch's words.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { close, fx, throwsLike } from "./layers-fixture.js";

const init = nn.init;
const I = fx.init;

test("initialisers draw PyTorch's values after manualSeed", () => {
  torch.manualSeed(0);
  const t = torch.empty(4, 6);
  close(init.uniform_(t, -0.5, 2.0), I.uniform, "uniform_");
  close(init.normal_(t, 1.0, 0.3), I.normal, "normal_");
  close(init.constant_(t, 0.7), I.constant, "constant_");
  close(init.eye_(torch.empty(3, 5)), I.eye, "eye_");
  close(init.dirac_(torch.empty(4, 2, 3)), I.dirac, "dirac_");
  close(init.dirac_(torch.empty(6, 2, 3, 3), 2), I.diracGroups, "dirac_ groups");
  close(init.dirac_(torch.empty(2, 3, 3, 2, 3)), I.dirac3d, "dirac_ 5-D");
  close(init.xavierUniform_(torch.empty(5, 3, 2), init.calculateGain("tanh")), I.xavierUniform, "xavierUniform_");
  close(init.xavierNormal_(torch.empty(5, 3)), I.xavierNormal, "xavierNormal_");
  close(init.kaimingUniform_(torch.empty(6, 4, 3), { a: 0.2, mode: "fan_out" }), I.kaimingUniform, "kaimingUniform_");
  close(init.kaimingNormal_(torch.empty(6, 4), { nonlinearity: "relu", mode: "fan_in" }), I.kaimingNormal, "kaimingNormal_");
  close(init.truncNormal_(torch.empty(8, 5), 0.5, 2.0, -1.0, 3.0), I.truncNormal, "truncNormal_", [1e-5, 1e-6]);
  close(init.truncNormal_(torch.empty([4, 5], { dtype: torch.float64 })), I.truncNormal64, "truncNormal_ float64", [1e-10, 1e-12]);
  close(init.orthogonal_(torch.empty(5, 3)), I.orthogonal, "orthogonal_", [1e-5, 1e-6]);
  close(init.orthogonal_(torch.empty(3, 2, 4), 2.0), I.orthogonalWide, "orthogonal_ wide, gain 2", [1e-5, 1e-6]);
  close(init.orthogonal_(torch.empty([6, 6], { dtype: torch.float64 })), I.orthogonal64, "orthogonal_ float64", [1e-10, 1e-12]);
  close(init.sparse_(torch.empty(7, 4), 0.3, 0.5), I.sparse, "sparse_");
  for (const [name, gain] of Object.entries(I.gains as Record<string, number>))
    assert.ok(Math.abs(init.calculateGain(name as nn.init.Nonlinearity) - gain) < 1e-15, `gain ${name}`);
  assert.equal(init.calculateGain("leaky_relu", 0.2), I.gainLeaky02);
  // orthogonal_: Q^T Q = I
  const q = init.orthogonal_(torch.empty([7, 4], { dtype: torch.float64 }));
  assert.ok(torch.allclose(q.t().matmul(q), torch.eye(4, { dtype: torch.float64 }), { atol: 1e-12 }));
});

test("layers' default initialisation matches PyTorch after manualSeed", () => {
  torch.manualSeed(1);
  const e = new nn.Embedding(6, 3, { paddingIdx: 2 });
  close(e.weight, I.embedding, "Embedding (padding row zeroed)");
  torch.manualSeed(1);
  close(new nn.EmbeddingBag(5, 2).weight, I.embeddingBag, "EmbeddingBag");
  torch.manualSeed(1);
  const bl = new nn.Bilinear(3, 2, 4);
  close(bl.weight, I.bilinear.weight, "Bilinear.weight");
  close(bl.bias, I.bilinear.bias, "Bilinear.bias");
  close(new nn.PReLU(3, 0.1).weight, I.prelu, "PReLU.weight");
});

test("init errors in PyTorch's words; in-place without recording grad", () => {
  const e = I.errors;
  throwsLike(() => init.eye_(torch.empty(3)), e.eye);
  throwsLike(() => init.dirac_(torch.empty(3, 3)), e.dirac);
  throwsLike(() => init.dirac_(torch.empty(5, 3, 3), 2), e.diracGroups);
  throwsLike(() => init.orthogonal_(torch.empty(3)), e.orthogonal);
  throwsLike(() => init.sparse_(torch.empty(3, 3, 3), 0.1), e.sparse);
  throwsLike(() => init.xavierUniform_(torch.empty(3)), e.fan);
  throwsLike(() => init.kaimingUniform_(torch.empty(3, 3), { mode: "fan" as "fan_in" }), e.mode);
  throwsLike(() => init.calculateGain("softmax" as nn.init.Nonlinearity), e.gain);
  // parameters that require grad are initialised in place without autograd complaining
  const p = new nn.Parameter(torch.empty(4, 4));
  for (const f of [init.orthogonal_, init.eye_, (t: torch.Tensor) => init.truncNormal_(t), (t: torch.Tensor) => init.sparse_(t, 0.5)]) {
    assert.equal(f(p), p);
    assert.equal(p.gradFn, null);
  }
});
