// SPDX-License-Identifier: BSD-3-Clause
// Samplers, DistributedSampler, randomSplit and DataLoader shuffles against PyTorch 1.13
// (test/fixtures/data-more.json, scripts/gen_data_more_fixtures.py): same seed, same indices.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import {
  BatchSampler, DataLoader, DistributedSampler, RandomSampler, SubsetRandomSampler, TensorDataset, WeightedRandomSampler,
  randomSplit,
} from "../../src/data/index.js";
import { loadFixture } from "../helpers.js";

interface Case { kind: string; name: string; [k: string]: unknown }
const { cases } = loadFixture<{ cases: Case[] }>("data-more.json");
const of = (kind: string) => cases.filter((c) => c.kind === kind);

const makers: Record<string, (g: torch.Generator) => Iterable<number> & { length: number }> = {
  "random n=6 generator": (g) => new RandomSampler({ length: 6 }, { generator: g }),
  "random num_samples=12 of 6 generator": (g) => new RandomSampler({ length: 6 }, { numSamples: 12, generator: g }),
  "random num_samples=8 of 6 generator": (g) => new RandomSampler({ length: 6 }, { numSamples: 8, generator: g }),
  "random replacement 70 of 9 generator": (g) => new RandomSampler({ length: 9 }, { replacement: true, numSamples: 70, generator: g }),
  "random replacement 64 of 5 generator": (g) => new RandomSampler({ length: 5 }, { replacement: true, numSamples: 64, generator: g }),
  "weighted generator": (g) => new WeightedRandomSampler([1, 2, 3, 4, 0.5], 9, { generator: g }),
  "weighted no replacement generator": (g) => new WeightedRandomSampler([1, 2, 3, 4, 0.5], 4, { replacement: false, generator: g }),
  "subset random generator": (g) => new SubsetRandomSampler([3, 1, 4, 1, 5, 9, 2, 6], { generator: g }),
};

for (const c of of("sampler")) {
  test(`${c.name}: PyTorch's indices for 3 epochs of one generator`, () => {
    const s = makers[c.name]!(new torch.Generator().manualSeed(7));
    assert.equal(s.length, c.length);
    for (const expected of c.epochs as number[][]) assert.deepEqual([...s], expected);
  });
}

test("sampler argument errors in PyTorch's words", () => {
  assert.throws(() => new RandomSampler({ length: 0 }), { name: "ValueError", message: "num_samples should be a positive integer value, but got num_samples=0" });
  assert.throws(() => new RandomSampler({ length: 3 }, { numSamples: 1.5 }), /num_samples should be a positive integer value, but got num_samples=1.5/);
  assert.throws(() => new RandomSampler({ length: 3 }, { replacement: 1 as never }), { name: "TypeError", message: "replacement should be a boolean value, but got replacement=1" });
  assert.throws(() => new WeightedRandomSampler([1, 2], 0), /num_samples should be a positive integer value, but got num_samples=0/);
  assert.throws(() => new WeightedRandomSampler(torch.ones(2, 2), 2), { name: "ValueError", message: "weights should be a 1d sequence but given weights have shape (2, 2)" });
  assert.throws(() => new BatchSampler([1, 2], 0, false), /batch_size should be a positive integer value, but got batch_size=0/);
  assert.throws(() => new BatchSampler([1, 2], 2, 1 as never), /drop_last should be a boolean value, but got drop_last=1/);
});

for (const c of of("distributed")) {
  test(`DistributedSampler ${c.name}: every rank, epochs 0 and 1`, () => {
    const ranks = c.ranks as { epoch0: number[]; epoch1: number[]; length: number }[];
    const all: number[] = [];
    ranks.forEach((r, rank) => {
      const s = new DistributedSampler({ length: c.n as number },
        { numReplicas: c.numReplicas as number, rank, shuffle: c.shuffle as boolean, seed: c.seed as number, dropLast: c.dropLast as boolean });
      assert.equal(s.length, r.length);
      assert.deepEqual([...s], r.epoch0);
      assert.deepEqual([...s], r.epoch0, "same epoch, same order");
      s.setEpoch(1);
      assert.deepEqual([...s], r.epoch1);
      all.push(...r.epoch0);
    });
    if (!c.dropLast) assert.deepEqual(new Set(all).size, c.n, "the ranks together cover the dataset");
  });
}

test("DistributedSampler errors", () => {
  for (const c of of("distributed_error"))
    assert.throws(() => new DistributedSampler({ length: 4 }, { numReplicas: c.numReplicas as number, rank: c.rank as number }),
      { name: "ValueError", message: c.message as string });
  assert.throws(() => new DistributedSampler({ length: 4 }), { name: "RuntimeError", message: "Requires distributed package to be available" });
});

test("randomSplit with fractions and lengths: PyTorch's subsets", () => {
  for (const c of of("split")) {
    const parts = randomSplit(new TensorDataset(torch.arange(c.n as number)), c.lengths as number[],
      { generator: new torch.Generator().manualSeed(c.generatorSeed as number) });
    assert.deepEqual(parts.map((p) => p.indices), c.subsets, c.name);
  }
  for (const c of of("split_error"))
    assert.throws(() => randomSplit(new TensorDataset(torch.arange(c.n as number)), c.lengths as number[]), { name: "ValueError", message: c.message as string });
});

test("DataLoader with a generator: the base seed, then the sampler's draws, epoch after epoch", () => {
  for (const c of of("loader")) {
    if (c.seed !== undefined) torch.manualSeed(c.seed as number);
    const generator = c.generatorSeed !== undefined ? new torch.Generator().manualSeed(c.generatorSeed as number) : undefined;
    const dl = new DataLoader(new TensorDataset(torch.arange(c.n as number)), { ...(c.opts as object), generator });
    for (const expected of c.epochs as unknown[][]) {
      const got = [...dl as Iterable<torch.Tensor[]>].map(([b]) => b!.tolist());
      assert.deepEqual(got, expected, c.name);
    }
  }
});
