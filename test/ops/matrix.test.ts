// SPDX-License-Identifier: BSD-3-Clause
// trace, tril, triu, kron, einsum, tensordot against PyTorch 1.13 (test/fixtures/sorting.json,
// written by scripts/gen_sorting_fixtures.py).


import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import { checkCase, fixture } from "./sorting-runner.js";

// ---- the cases ------------------------------------------------------------------------------------

const fx = fixture();
const cases = fx.cases.filter((c) => c.group === "matrix");

test("fixture covers every op", () => {
  const ops = new Set(cases.map((c) => c.op));
  for (const op of ["trace", "tril", "triu", "kron", "einsum", "tensordot"]) assert.ok(ops.has(op), `no ${op} case`);
  assert.ok(cases.filter((c) => c.op === "einsum").length >= 30, "too few einsum cases");
});

for (const c of cases) test(`${c.name} matches PyTorch ${fx.torch}`, () => checkCase(c));

// ---- calling conventions and properties -------------------------------------------------------------

test("einsum: operands as varargs or one array; a permutation stays a view", () => {
  const a = torch.tensor([[1, 2], [3, 4]]), b = torch.tensor([[5, 6], [7, 8]]);
  const want = [[19, 22], [43, 50]];  // a @ b
  assert.deepEqual(torch.einsum("ij,jk->ik", a, b).tolist(), want);
  assert.deepEqual(torch.einsum("ij,jk->ik", [a, b]).tolist(), want);
  assert.deepEqual(torch.einsum(a, [0, 1], b, [1, 2], [0, 2]).tolist(), want);
  const t = torch.einsum("ij->ji", a);
  assert.ok(t.isSetTo(a.t()), "ij->ji should be a view of the input, as in PyTorch");
});

test("einsum agrees with matmul on a larger batched contraction", () => {
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
  const x = torch.tensor(Array.from({ length: 3 * 17 * 9 }, random), { dtype: torch.float64 }).reshape(3, 17, 9);
  const y = torch.tensor(Array.from({ length: 9 * 11 }, random), { dtype: torch.float64 }).reshape(9, 11);
  const viaEinsum = torch.einsum("bik,kj->bij", x, y), viaMatmul = x.matmul(y);
  assert.ok(viaEinsum.allclose(viaMatmul, { rtol: 1e-12, atol: 1e-12 }));
  assert.ok(torch.tensordot(x, y, 1).allclose(viaMatmul, { rtol: 1e-12, atol: 1e-12 }));
});

test("tril/triu keep the dtype and accept the diagonal in an options object; Tensor methods delegate", () => {
  const x = torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: torch.int32 });
  assert.deepEqual(torch.tril(x, { diagonal: 1 }).tolist(), [[1, 2, 0], [4, 5, 6]]);
  assert.equal(torch.triu(x).dtype, "int32");
  assert.deepEqual(x.triu(1).tolist(), [[0, 2, 3], [0, 0, 6]]);
  assert.equal(x.narrow(1, 0, 2).trace().item(), 6);
  assert.deepEqual(torch.kron(x.narrow(0, 0, 1), torch.tensor([[1], [10]], { dtype: torch.int32 })).tolist(),
    [[1, 2, 3], [10, 20, 30]]);
  assert.deepEqual(torch.tensordot(x, x, { dims: [[0], [0]] }).tolist(), [[17, 22, 27], [22, 29, 36], [27, 36, 45]]);
});
