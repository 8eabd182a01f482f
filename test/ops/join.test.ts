// SPDX-License-Identifier: BSD-3-Clause
// cat, stack, repeat, flip, roll, rot90, meshgrid and friends against PyTorch 1.13
// (test/fixtures/indexing.json, written by scripts/gen_indexing_fixtures.py).
import { test } from "node:test";
import assert from "node:assert/strict";

import * as torch from "../../src/index.js";

import { fixtureTests } from "./fixture-runner.js";

const cases = fixtureTests("join");

test("fixture covers every join op", () => {
  assert.ok(cases.length >= 60, `only ${cases.length} cases`);
  const fns = new Set(cases.map((c) => c.fn));
  for (const f of ["cat", "stack", "hstack", "vstack", "dstack", "repeat", "repeatInterleave", "tile", "flip", "fliplr",
    "flipud", "roll", "rot90", "meshgrid", "broadcastTensors"])
    assert.ok(fns.has(f), `no case for ${f}`);
});

// ---- contracts the fixtures do not show ---------------------------------------------------------------------

test("cat writes into out, resizing it, and refuses a narrower dtype", () => {
  const a = torch.ones(2, 2), b = torch.zeros(1, 2);
  const out = torch.empty(0, { dtype: "float64" });
  const r = torch.cat([a, b], { out });
  assert.equal(r, out);
  assert.deepEqual(out.shape, [3, 2]);
  assert.deepEqual(out.tolist(), [[1, 1], [1, 1], [0, 0]]);
  assert.throws(() => torch.cat([a, b], 0, { out: torch.empty(0, { dtype: "int64" }) }),
    /torch.cat\(\): input types can't be cast to the desired output type Long/);
  const s = torch.stack([a, a], { dim: 1 });
  assert.deepEqual(s.shape, [2, 2, 2]);
});

test("meshgrid and broadcastTensors return views; flip, roll, repeat return copies", () => {
  const x = torch.arange(3), y = torch.arange(2);
  const [gx, gy] = torch.meshgrid([x, y], { indexing: "ij" });
  assert.equal(gx!._storage, x._storage);
  assert.equal(gy!._storage, y._storage);
  const [bx] = torch.broadcastTensors(x, torch.zeros(2, 1));
  assert.equal(bx!._storage, x._storage);
  for (const r of [x.flip(0), x.roll(1), x.repeat(2), x.tile(1), x.repeatInterleave(1), x.reshape(3, 1).rot90(0)])
    assert.notEqual(r._storage, x._storage);
});

test("rot90 four times is the identity; flip twice is the identity", () => {
  const x = torch.arange(60, { dtype: "float32" }).reshape(3, 4, 5).mul(1.5);
  assert.ok(x.rot90(1, [0, 2]).rot90(1, [0, 2]).rot90(1, [0, 2]).rot90(1, [0, 2]).equal(x));
  assert.ok(x.flip(0, 1, 2).flip([2, 1, 0]).equal(x));
  assert.ok(x.roll([2, -7], [1, 2]).roll([-2, 7], [1, 2]).equal(x));
});

test("large cat and repeat_interleave", () => {
  const n = 300_000;
  const a = torch.arange(n), b = torch.arange(n, 2 * n);
  assert.ok(torch.cat([a, b]).equal(torch.arange(2 * n)));
  const r = torch.arange(4).repeatInterleave(torch.tensor([n, 0, 1, n]));
  assert.deepEqual(r.shape, [2 * n + 1]);
  assert.equal(r.index(n).item(), 2);
  assert.equal(r.sum().item(), 3 * n + 2);
});
