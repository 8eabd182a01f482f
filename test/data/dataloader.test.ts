// SPDX-License-Identifier: BSD-3-Clause
// torch.utils.data against PyTorch 1.13 (test/fixtures/data.json, scripts/gen_data_fixtures.py):
// the same seed gives the same shuffles, samples and splits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as torch from "../../src/index.js";
import {
  DataLoader, Dataset, IterableDataset, RandomSampler, SubsetRandomSampler, TensorDataset, WeightedRandomSampler,
  defaultCollate, randomSplit,
} from "../../src/data/index.js";
import { fixturePath } from "../helpers.js";

interface Case { kind: string; name: string; [k: string]: unknown }
const { cases } = JSON.parse(readFileSync(fixturePath("data.json"), "utf8")) as { cases: Case[] };
const camel = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()), v]));

for (const c of cases.filter((c) => c.kind === "loader")) {
  test(`DataLoader ${c.name}: PyTorch's batches`, () => {
    torch.manualSeed(c.seed as number);
    const dl = new DataLoader(new TensorDataset(torch.arange(c.n as number)), camel(c.opts as Record<string, unknown>));
    assert.equal(dl.length, c.length);
    for (const expected of c.epochs as number[][][]) {
      const got: number[][] = [];
      for (const [b] of dl as Iterable<torch.Tensor[]>) got.push(b!.tolist() as number[]);
      assert.deepEqual(got, expected);
    }
  });
}

const samplers: Record<string, () => Iterable<number>> = {
  "random replacement 40 of 7": () => new RandomSampler({ length: 7 }, { replacement: true, numSamples: 40 }),
  "random num_samples 15 of 6": () => new RandomSampler({ length: 6 }, { numSamples: 15 }),
  "weighted": () => new WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 12, { replacement: true }),
  "weighted no replacement": () => new WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 5, { replacement: false }),
  "subset random": () => new SubsetRandomSampler([10, 20, 30, 40, 50]),
};
for (const c of cases.filter((c) => c.kind === "sampler")) {
  test(`sampler ${c.name}: PyTorch's indices, epoch after epoch`, () => {
    torch.manualSeed(c.seed as number);
    const s = samplers[c.name]!();
    assert.deepEqual([...s], c.first);
    assert.deepEqual([...s], c.second);
  });
}

test("randomSplit: PyTorch's subsets, with the default and an explicit generator", () => {
  for (const c of cases.filter((c) => c.kind === "split")) {
    if (c.seed !== undefined) torch.manualSeed(c.seed as number);
    const ds = new TensorDataset(torch.arange(c.n as number));
    const gen = c.generatorSeed !== undefined ? new torch.Generator().manualSeed(c.generatorSeed as number) : undefined;
    const parts = randomSplit(ds, c.lengths as number[], { generator: gen });
    assert.deepEqual(parts.map((p) => p.indices), c.subsets);
  }
  assert.throws(() => randomSplit(new TensorDataset(torch.arange(5)), [2, 2]), /Sum of input lengths does not equal/);
});

test("defaultCollate: tensors stack, ints -> int64, floats -> float64, strings stay, objects key-wise", () => {
  const c = cases.find((c) => c.kind === "collate")!;
  const b = defaultCollate([{ x: torch.tensor([1, 2], { dtype: torch.float32 }), y: 3, z: 0.5, s: "a" },
    { x: torch.tensor([3, 4], { dtype: torch.float32 }), y: 4, z: 1.5, s: "b" }]) as Record<string, torch.Tensor | string[]>;
  assert.deepEqual((b["x"] as torch.Tensor).tolist(), c["x"]);
  assert.deepEqual((b["y"] as torch.Tensor).tolist(), c["y"]);
  assert.equal(`torch.${(b["y"] as torch.Tensor).dtype}`, c["ydtype"]);
  assert.equal(`torch.${(b["z"] as torch.Tensor).dtype}`, c["zdtype"]);
  assert.deepEqual(b["s"], c["s"]);
});

test("Dataset subclasses, for await, IterableDataset batching, errors", async () => {
  class Squares extends Dataset<[number, number]> {
    get length() { return 5; }
    getItem(i: number): [number, number] { return [i, i * i]; }
  }
  const seen: number[][] = [];
  for await (const [x, y] of new DataLoader(new Squares(), { batchSize: 2 }) as AsyncIterable<torch.Tensor[]>) seen.push([...x!.tolist() as number[], ...y!.tolist() as number[]]);
  assert.deepEqual(seen, [[0, 1, 0, 1], [2, 3, 4, 9], [4, 16]]);
  class Count extends IterableDataset<number> { *[Symbol.iterator]() { for (let i = 0; i < 5; i++) yield i; } }
  const batches = [...new DataLoader(new Count(), { batchSize: 2, dropLast: true }) as Iterable<torch.Tensor>].map((t) => t.tolist());
  assert.deepEqual(batches, [[0, 1], [2, 3]]);
  assert.throws(() => new DataLoader(new Count(), { shuffle: true }), /expected unspecified shuffle option/);
  assert.throws(() => new DataLoader(new Squares(), { sampler: [0, 1], shuffle: true }), /sampler option is mutually exclusive with shuffle/);
});
