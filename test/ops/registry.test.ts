// SPDX-License-Identifier: BSD-3-Clause
// Keeps the op table (test/fixtures/ops.json) complete: every torch.* op exported from
// src/ops/public.ts has a row that calls it as a function, and every Tensor method or property a
// row calls exists. Families with their own tests are listed below, by name.
import { test } from "node:test";
import assert from "node:assert/strict";

import * as torch from "../../src/index.js";
import * as publicOps from "../../src/ops/public.js";
import { loadFixture } from "../helpers.js";

interface Row { id: string; call: "function" | "method" | "getter"; fn: string; xfail?: string }

const rows = loadFixture<{ cases: Row[] }>("ops.json").cases;

/** Exported ops owned by other families, which test them in their own files. */
const OWN_TESTS = new Set([
  // sorting and selection: src/ops/sorting.ts
  "sort", "argsort", "topk", "kthvalue", "median", "nanmedian", "mode", "unique", "bincount", "histc",
  // indexing, gather/scatter and masks: src/ops/indexing.ts
  "gather", "scatter_", "scatterAdd_", "scatterReduce_", "indexSelect", "indexAdd_", "indexCopy_", "indexFill_",
  "indexPut_", "maskedFill", "maskedSelect", "maskedScatter_", "take", "takeAlongDim", "nonzero", "argwhere", "scatter",
  "scatterAdd", "scatterReduce", "indexAdd", "indexCopy", "indexFill", "indexPut", "maskedScatter",
  // joining and rearranging: src/ops/join.ts
  "cat", "concat", "concatenate", "stack", "hstack", "vstack", "dstack", "repeatInterleave", "tile", "flip", "fliplr",
  "flipud", "roll", "rot90", "meshgrid", "broadcastTensors",
  // matrix helpers and contractions: src/ops/matrix.ts
  "trace", "tril", "triu", "kron", "einsum", "tensordot",
  // random sampling: src/tensor/random.ts
  "rand", "randn", "randLike", "randnLike", "randint", "randintLike", "randperm", "normal", "bernoulli", "multinomial",
]);

const exported = Object.entries(publicOps).filter(([, v]) => typeof v === "function").map(([k]) => k);

test("every op exported from src/ops/public.ts has a function row in the op table", () => {
  const called = new Set(rows.filter((r) => r.call === "function").map((r) => r.fn));
  const missing = exported.filter((name) => !OWN_TESTS.has(name) && !called.has(name));
  assert.deepEqual(missing, [], `no row calls torch.${missing.join(", torch.")}; add rows to scripts/gen_op_fixtures.py`);
});

test("the skip-list names only ops that exist", () => {
  const stale = [...OWN_TESTS].filter((name) => !exported.includes(name));
  assert.deepEqual(stale, [], `OWN_TESTS lists ops that src/ops/public.ts does not export: ${stale.join(", ")}`);
});

test("every Tensor method and property a row calls exists", () => {
  const proto = torch.Tensor.prototype as unknown as Record<string, unknown>;
  const missing = new Set<string>();
  for (const r of rows) {
    if (r.call === "function" || r.xfail !== undefined) continue;
    if (!(r.fn in proto)) missing.add(r.fn);
    else if (r.call === "method" && typeof proto[r.fn] !== "function") missing.add(`${r.fn} (not a method)`);
  }
  assert.deepEqual([...missing], [], `Tensor lacks: ${[...missing].join(", ")}`);
});

test("xfail rows say why", () => {
  const bare = rows.filter((r) => r.xfail !== undefined && r.xfail.trim() === "").map((r) => r.id);
  assert.deepEqual(bare, []);
});
