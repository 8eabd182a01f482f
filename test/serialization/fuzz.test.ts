// SPDX-License-Identifier: BSD-3-Clause
// SEC-6: a fixed-seed slice (5,000 inputs) of scripts/fuzz-checkpoints.ts; every input loads or
// throws CheckpointError, none takes a second. The full run (100,000+) is
// `node dist/scripts/fuzz-checkpoints.js 100000`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runFuzz } from "../../scripts/fuzz-checkpoints.js";

test("SEC-6: 5,000 mutated checkpoints load or throw CheckpointError", { timeout: 120_000 }, (t) => {
  const s = runFuzz(5000, 7);
  t.diagnostic(JSON.stringify(s));
  assert.equal(s.inputs, 5000);
  assert.ok(s.loaded > 0, "some mutations still load");
  for (const code of ["E_ZIP_STRUCTURE", "E_PICKLE_STRUCTURE", "E_PICKLE_OPCODE"]) assert.ok((s.refused[code] ?? 0) > 0, `some inputs refused with ${code}`);
  assert.ok(s.rssGrowthMB < 256, `RSS grew ${s.rssGrowthMB} MB`);
});
