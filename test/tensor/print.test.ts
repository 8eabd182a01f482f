// SPDX-License-Identifier: BSD-3-Clause
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import {
  formatTensor,
  getPrintoptions,
  setPrintoptions,
  type PrintValue,
} from "../../src/tensor/print.js";

type Json = number | string | boolean;

interface PrintCase {
  name: string;
  dtype: string;
  shape: number[];
  values: Json[];
  options: Parameters<typeof setPrintoptions>[0];
  requiresGrad: boolean;
  gradFn: string | null;
  device?: string;
  defaultDtype?: string;
  repr: string;
}

/**
 * The fixture lives at <repo>/test/fixtures/print.json; compiled tests run from
 * <repo>/dist/test/tensor (or any other out dir), so walk up until it is found.
 */
function fixturePath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "test", "fixtures", "print.json");
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("test/fixtures/print.json not found above " + import.meta.url);
    dir = parent;
  }
}

/** Fixture encoding (scripts/gen_print_fixtures.py): int64 as strings, nan/inf/-0 as strings. */
function decode(v: Json, dtype: string): PrintValue {
  if (dtype === "int64") return BigInt(v as string);
  if (typeof v !== "string") return v;
  const special: Record<string, number> = { nan: NaN, inf: Infinity, "-inf": -Infinity, "-0": -0 };
  const x = special[v];
  if (x === undefined) throw new Error(`bad fixture value ${v}`);
  return x;
}

const fixture = JSON.parse(readFileSync(fixturePath(), "utf8")) as { torch: string; cases: PrintCase[] };

test("fixture has the expected coverage", () => {
  assert.ok(fixture.cases.length >= 60, `only ${fixture.cases.length} cases`);
  const dtypes = new Set(fixture.cases.map((c) => c.dtype));
  for (const d of ["float32", "float64", "float16", "bfloat16", "int8", "uint8", "int16", "int32", "int64", "bool"]) {
    assert.ok(dtypes.has(d), `no ${d} case`);
  }
});

for (const c of fixture.cases) {
  test(`repr matches PyTorch ${fixture.torch}: ${c.name}`, () => {
    const values = c.values.map((v) => decode(v, c.dtype));
    setPrintoptions(c.options);
    try {
      const text = formatTensor({
        shape: c.shape,
        dtype: c.dtype,
        get: (i) => {
          const v = values[i];
          if (v === undefined) throw new RangeError(`element ${i} out of range`);
          return v;
        },
        device: c.device,
        requiresGrad: c.requiresGrad,
        gradFn: c.gradFn,
        defaultFloatDtype: c.defaultDtype,
      });
      assert.equal(text, c.repr);
    } finally {
      setPrintoptions({ profile: "default" });
    }
  });
}

test("setPrintoptions: profiles, and sciMode resets when omitted (as torch.set_printoptions)", () => {
  try {
    setPrintoptions({ profile: "short", sciMode: true });
    assert.deepEqual(getPrintoptions(), { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80, sciMode: true });
    setPrintoptions({ linewidth: 120 });
    assert.deepEqual(getPrintoptions(), { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 120, sciMode: null });
    setPrintoptions({ profile: "full" });
    assert.equal(getPrintoptions().threshold, Infinity);
  } finally {
    setPrintoptions({ profile: "default" });
  }
  assert.deepEqual(getPrintoptions(), { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null });
});
