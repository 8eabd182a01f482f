// SPDX-License-Identifier: BSD-3-Clause
// A long float sum is cut into fixed 32768-element blocks, each summed from zero in double and
// combined in order (native/cpu/reduce.cc); pairs of blocks are summed in one two-stream loop. The
// result must be exactly that: each block's partial (a float64 sum of the block: the same additions)
// added in order, for even and odd block counts, a tail, an unaligned start, and 1 or 2 threads.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";

import * as torch from "../../src/index.js";

const threads0 = torch.getNumThreads();
after(() => torch.setNumThreads(threads0));
const BLOCK = 32768;

describe("long float32 sums: fixed blocks combined in order", () => {
  torch.manualSeed(11);
  const base = torch.randn(7 * BLOCK + 1000);
  for (const [off, n] of [[0, 4 * BLOCK], [1, 5 * BLOCK + 17], [3, 6 * BLOCK + 999], [0, 2 * BLOCK + 1], [5, 3 * BLOCK]] as const) {
    for (const threads of [1, 2]) {
      test(`offset ${off}, n ${n}, ${threads} thread(s)`, () => {
        torch.setNumThreads(threads);
        const x = base.narrow(0, off, n), xd = x.double();
        let acc = 0;
        for (let b = 0; b < n; b += BLOCK) acc += xd.narrow(0, b, Math.min(BLOCK, n - b)).sum().item() as number;
        assert.equal(x.sum().item(), Math.fround(acc));
        assert.equal(xd.sum().item(), acc);
      });
    }
  }
});
