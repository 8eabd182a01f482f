// SPDX-License-Identifier: BSD-3-Clause
// Type promotion (torch.promote_types / torch.result_type), against PyTorch 1.13: the table of
// reliability.md §4.2 (checkpoint-fixtures/torch113_reference_outputs.txt, "## prom.py"), the
// scalar and 0-dim rules, and the result dtype real ops give. test/fixtures/promotion.json comes
// from scripts/gen_op_fixtures.py; the reference rows are copied here so a regenerated fixture
// is checked against them too.
import { test } from "node:test";
import assert from "node:assert/strict";

import * as torch from "../../src/index.js";
import { loadFixture } from "../helpers.js";

type DType = torch.DType;

interface Promotion {
  torch: string;
  table: Record<DType, Record<DType, DType>>;
  scalars: { tensor: DType; other: string; result: DType }[];
  zeroDim: { a: DType; b: DType; result: DType }[];
  zeroDimScalar: { tensor: DType; other: string; result: DType }[];
  defaults: { default: DType; intList: DType; float: DType; bool: DType; intTrueDiv: DType };
}

const fixture = loadFixture<Promotion>("promotion.json");

const ORDER: DType[] = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"];
const SHORT: Record<string, DType> = {
  b1: "bool", u1: "uint8", i1: "int8", i2: "int16", i4: "int32", i8: "int64", f2: "float16", bf: "bfloat16",
  f4: "float32", f8: "float64",
};

// torch113_reference_outputs.txt, "## prom.py", without the complex column
const REFERENCE_TABLE = `
b1 | b1 | u1 | i1 | i2 | i4 | i8 | f2 | bf | f4 | f8
u1 | u1 | u1 | i2 | i2 | i4 | i8 | f2 | bf | f4 | f8
i1 | i1 | i2 | i1 | i2 | i4 | i8 | f2 | bf | f4 | f8
i2 | i2 | i2 | i2 | i2 | i4 | i8 | f2 | bf | f4 | f8
i4 | i4 | i4 | i4 | i4 | i4 | i8 | f2 | bf | f4 | f8
i8 | i8 | i8 | i8 | i8 | i8 | i8 | f2 | bf | f4 | f8
f2 | f2 | f2 | f2 | f2 | f2 | f2 | f2 | f4 | f4 | f8
bf | bf | bf | bf | bf | bf | bf | f4 | bf | f4 | f8
f4 | f4 | f4 | f4 | f4 | f4 | f4 | f4 | f4 | f4 | f8
f8 | f8 | f8 | f8 | f8 | f8 | f8 | f8 | f8 | f8 | f8`;

// "tensor (dim>=1) with Python scalar / 0-dim tensor" from the same section
const REFERENCE_SCALARS = `
b1: +int -> i8, +float -> f4, +bool -> b1, +0dim f8 -> f8, +0dim i8 -> i8
u1: +int -> u1, +float -> f4, +bool -> u1, +0dim f8 -> f8, +0dim i8 -> u1
i4: +int -> i4, +float -> f4, +bool -> i4, +0dim f8 -> f8, +0dim i8 -> i4
i8: +int -> i8, +float -> f4, +bool -> i8, +0dim f8 -> f8, +0dim i8 -> i8
f2: +int -> f2, +float -> f2, +bool -> f2, +0dim f8 -> f2, +0dim i8 -> f2
bf: +int -> bf, +float -> bf, +bool -> bf, +0dim f8 -> bf, +0dim i8 -> bf
f4: +int -> f4, +float -> f4, +bool -> f4, +0dim f8 -> f4, +0dim i8 -> f4`;

const referenceTable = new Map<string, DType>();
for (const line of REFERENCE_TABLE.trim().split("\n")) {
  const [row, ...cells] = line.split("|").map((c) => c.trim());
  cells.forEach((c, j) => referenceTable.set(`${SHORT[row!]},${ORDER[j]}`, SHORT[c]!));
}

/** A promotion operand: a dimensioned tensor, a 0-dim tensor or a JS scalar of the kind named. */
function operand(kind: string): torch.Tensor | number | boolean {
  if (kind === "int") return 1;
  if (kind === "float") return 1.5;
  if (kind === "bool") return true;
  const m = /^0-dim (\w+)$/.exec(kind);
  if (!m) throw new Error(`unknown operand ${kind}`);
  return torch.zeros([], { dtype: m[1] as DType });
}

test("PyTorch's promote_types table is the reference table (reliability.md §4.2)", () => {
  for (const a of ORDER)
    for (const b of ORDER) assert.equal(fixture.table[a][b], referenceTable.get(`${a},${b}`), `${a} with ${b}`);
});

test("torch.promoteTypes reproduces the whole table", () => {
  for (const a of ORDER)
    for (const b of ORDER) assert.equal(torch.promoteTypes(a, b), fixture.table[a][b], `promoteTypes(${a}, ${b})`);
});

test("dimensioned tensors: resultType and the dtype add gives follow the table", () => {
  for (const a of ORDER)
    for (const b of ORDER) {
      const x = torch.zeros([2], { dtype: a }), y = torch.zeros([2], { dtype: b });
      assert.equal(torch.resultType(x, y), fixture.table[a][b], `resultType(${a}[2], ${b}[2])`);
      assert.equal(torch.add(x, y).dtype, fixture.table[a][b], `add(${a}[2], ${b}[2]).dtype`);
    }
});

test("the reference scalar and 0-dim rules hold in the fixture", () => {
  for (const line of REFERENCE_SCALARS.trim().split("\n")) {
    const [lhs, rest] = line.split(":") as [string, string];
    for (const rule of rest.split(",")) {
      const m = /\+(int|float|bool|0dim (\w+)) -> (\w+)/.exec(rule.trim())!;
      const other = m[2] !== undefined ? `0-dim ${SHORT[m[2]]}` : m[1]!;
      const row = fixture.scalars.find((s) => s.tensor === SHORT[lhs] && s.other === other);
      assert.ok(row, `${lhs} ${other} is in the fixture`);
      assert.equal(row.result, SHORT[m[3]!], `${lhs} with ${other}`);
    }
  }
});

test("a dimensioned tensor with a scalar or a 0-dim tensor: category rules", () => {
  for (const { tensor, other, result } of fixture.scalars) {
    const x = torch.zeros([2], { dtype: tensor }), y = operand(other);
    assert.equal(torch.resultType(x, y), result, `resultType(${tensor}[2], ${other})`);
    assert.equal(torch.mul(x, y).dtype, result, `mul(${tensor}[2], ${other}).dtype`);
  }
});

test("two 0-dim tensors promote by the table", () => {
  for (const { a, b, result } of fixture.zeroDim) {
    const x = torch.zeros([], { dtype: a }), y = torch.zeros([], { dtype: b });
    assert.equal(torch.resultType(x, y), result, `resultType(${a}[], ${b}[])`);
    assert.equal(torch.add(x, y).dtype, result, `add(${a}[], ${b}[]).dtype`);
  }
});

test("a 0-dim tensor with a scalar", () => {
  for (const { tensor, other, result } of fixture.zeroDimScalar) {
    const x = torch.zeros([], { dtype: tensor });
    assert.equal(torch.resultType(x, operand(other)), result, `resultType(${tensor}[], ${other})`);
  }
});

test("defaults: dtype of literals and of integer true division", () => {
  const d = fixture.defaults;
  assert.equal(torch.getDefaultDtype(), d.default);
  assert.equal(torch.tensor([1, 2]).dtype, d.intList);
  assert.equal(torch.tensor(1.5).dtype, d.float);
  assert.equal(torch.tensor(true).dtype, d.bool);
  assert.equal(torch.div(torch.tensor([1]), torch.tensor([2])).dtype, d.intTrueDiv);
});
