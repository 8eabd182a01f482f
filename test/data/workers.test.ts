// SPDX-License-Identifier: BSD-3-Clause
// DataLoader with numWorkers > 0: against PyTorch 1.13 (test/fixtures/data-more.json) for worker
// seeds, which worker loads which batch, persistent workers, IterableDataset sharding; then the
// failure behaviour (errors re-raised, dead workers, timeout), clean shutdown after `break` (in
// a child process that must exit by itself), and how datasets, collate and init functions reach
// the workers (docs/data.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/index.js";
import { DataLoader, Dataset, TensorDataset, getWorkerInfo } from "../../src/data/index.js";
import { sharedMemorySupported } from "../../src/data/worker-codec.js";
import { loadFixture } from "../helpers.js";
import * as torchvision from "../../src/vision/index.js";
import { failingInit, TransferProbe, stashCollate, Dying, Failing, InitSeen, Mapped, PrivateRange, RandItems, Shards, Slow, double, recordInit, sumCollate } from "./worker-datasets.js";

interface Case { kind: string; name: string; [k: string]: unknown }
const { cases } = loadFixture<{ cases: Case[] }>("data-more.json");
const of = (kind: string) => cases.filter((c) => c.kind === kind);

async function collect<B>(dl: AsyncIterable<B>): Promise<B[]> {
  const out: B[] = [];
  for await (const b of dl) out.push(b);
  return out;
}

type Item = { i: torch.Tensor; r: torch.Tensor; worker: torch.Tensor; seed: string[] };
for (const c of of("workers")) {
  test(`${c.name}: PyTorch's batches, worker seeds and random draws`, async () => {
    if (c.seed !== null) torch.manualSeed(c.seed as number);
    const generator = c.generatorSeed !== null ? new torch.Generator().manualSeed(c.generatorSeed as number) : undefined;
    const dl = new DataLoader(new RandItems(), { ...(c.opts as object), generator });
    for (const expected of c.epochs as { i: number[]; r: number[][]; worker: number[]; seed: string[] }[][]) {
      const got = (await collect(dl as AsyncIterable<Item>)).map((b) => ({ i: b.i.tolist(), r: b.r.tolist(), worker: b.worker.tolist(), seed: b.seed }));
      assert.deepEqual(got, expected);
    }
    await dl.shutdownWorkers();
  });
}

test("IterableDataset sharded with getWorkerInfo: PyTorch's interleaving, dropLast, batchSize null", async () => {
  for (const c of of("iterable")) {
    const dl = new DataLoader(new Shards(c.start as number, c.end as number), c.opts as object);
    const got = (await collect(dl as AsyncIterable<torch.Tensor | number>)).map((b) => (b instanceof torch.Tensor ? b.tolist() : b));
    assert.deepEqual(got, c.batches, c.name);
  }
});

test("TensorDataset with workers: the same batches as in the main thread; getWorkerInfo is null here", async () => {
  const ds = new TensorDataset(torch.arange(23).reshape(23, 1).float(), torch.arange(23).mul(3));
  const want = [...new DataLoader(ds, { batchSize: 4 }) as Iterable<torch.Tensor[]>].map((b) => b.map((t) => t.tolist()));
  const dl = new DataLoader(ds, { batchSize: 4, numWorkers: 2, prefetchFactor: 3 });
  const got = (await collect(dl as AsyncIterable<torch.Tensor[]>)).map((b) => b.map((t) => t.tolist()));
  assert.deepEqual(got, want);
  assert.equal(getWorkerInfo(), null);
  // unbatched samples are views into the worker's dataset: with shared memory (the addon reads
  // SharedArrayBuffers) the view comes over on the shared storage, no copy; otherwise only the
  // view's element is copied. Either way the worker's dataset stays intact for the next items.
  const rows = await collect(new DataLoader(ds, { batchSize: null, numWorkers: 1 }) as AsyncIterable<torch.Tensor[]>);
  assert.deepEqual(rows.map(([x, y]) => [x!.tolist(), y!.item()]), Array.from({ length: 23 }, (_, i) => [[i], 3 * i]));
  const shared = rows.every(([x]) => x!._storage.data.buffer instanceof SharedArrayBuffer);
  assert.ok(shared || rows.every(([x]) => x!._storage.length === 1), "a sample carries its own element, or shares the dataset's memory");
  assert.throws(() => [...dl as Iterable<unknown>], { name: "RuntimeError", message: /iterate it with `for await/ });
});

test("batches cross without copies: the worker's buffers are transferred (detached there)", async () => {
  const batches = await collect(new DataLoader(new TransferProbe(), { batchSize: 2, numWorkers: 1, collateFn: stashCollate }) as
    AsyncIterable<{ x: torch.Tensor; prev: number[] }>);
  assert.deepEqual(batches.map((b) => b.x.tolist()), [[0, 1], [2, 3], [4, 5]]);
  // the first batch's items saw no earlier batch; later ones saw it moved out of the worker
  assert.deepEqual(batches.map((b) => b.prev), [[-1, -1], [0, 0], [0, 0]]);
});

test("what crosses: workerSpec hook, nested datasets with exported functions, collateFn and workerInitFn by module", async () => {
  const priv = await collect(new DataLoader(new PrivateRange(5, 100), { batchSize: 2, numWorkers: 2 }) as AsyncIterable<torch.Tensor>);
  assert.deepEqual(priv.map((t) => t.tolist()), [[100, 101], [102, 103], [104]]);
  const mapped = new Mapped(new TensorDataset(torch.arange(4)), double);
  const m = await collect(new DataLoader(mapped, { batchSize: 4, numWorkers: 1 }) as AsyncIterable<torch.Tensor[]>);
  assert.deepEqual(m[0]![0]!.tolist(), [0, 2, 4, 6]);
  const workerModule = new URL("./worker-datasets.js", import.meta.url).href;
  const sums = await collect(new DataLoader(new PrivateRange(6, 0), { batchSize: 3, numWorkers: 2, collateFn: sumCollate, workerModule }));
  assert.deepEqual(sums, [{ sum: 3, n: 3, worker: 0 }, { sum: 12, n: 3, worker: 1 }]);
  const gen = new torch.Generator().manualSeed(1);
  const seen = await collect(new DataLoader(new InitSeen(), { batchSize: null, numWorkers: 2, workerInitFn: recordInit, workerModule, generator: gen }) as AsyncIterable<string>);
  const base = torch.empty([], { dtype: torch.int64 }).random_({ generator: new torch.Generator().manualSeed(1) }).item({ bigint: true }) as bigint;
  // workerInitFn ran in each worker after torch.manualSeed(baseSeed + id)
  assert.deepEqual(seen, [`0:${base}:${base}`, `1:${base + 1n}:${base + 1n}`, `0:${base}:${base}`, `1:${base + 1n}:${base + 1n}`]);
});

test("torchts's own datasets and transforms cross with nothing to register: MNIST + Compose(ToTensor, Normalize)", async () => {
  const { datasets, transforms } = torchvision;
  const mnist = new datasets.MNIST({ root: "no-such-dir", train: false,
    transform: new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.1307], [0.3081])]) });
  const take = async (numWorkers: number) => {
    const out: number[][] = [];
    const dl = new DataLoader(mnist as Dataset<unknown>, { batchSize: 16, numWorkers, sampler: [5, 900, 31, 2, 7000, 44, 1234, 9999, 8, 3] });
    for await (const [x, y] of dl as AsyncIterable<[torch.Tensor, torch.Tensor]>) {
      assert.deepEqual(x.shape, [10, 1, 28, 28]);
      out.push([x.sum().item() as number, x.index(3, 0, 14).sum().item() as number, ...(y.tolist() as number[])]);
    }
    return out;
  };
  assert.deepEqual(await take(2), await take(0));
});

test("what cannot cross: a clear error naming the value and what to do", async () => {
  class Local extends Dataset<number> { get length() { return 2; } getItem(i: number) { return i; } }
  await assert.rejects(collect(new DataLoader(new Local(), { numWorkers: 1 })),
    { name: "RuntimeError", message: /Can't send the dataset to DataLoader workers: dataset is class Local, .*static moduleUrl = import\.meta\.url/ });
  const withLambda = new Mapped(new TensorDataset(torch.arange(2)), (x: torch.Tensor[]) => x);
  await assert.rejects(collect(new DataLoader(withLambda, { numWorkers: 1 })),
    { message: /dataset\.fn is an anonymous function \(an arrow function or closure\), which cannot be sent/ });
  await assert.rejects(collect(new DataLoader(new PrivateRange(2, 0), { numWorkers: 1, collateFn: (s: number[]) => s })),
    { message: /collateFn is function collateFn/ });
  class Stray extends Dataset<number> {
    static moduleUrl = new URL("./worker-datasets.js", import.meta.url).href;  // which does not export it
    get length() { return 1; }
    getItem() { return 0; }
  }
  await assert.rejects(collect(new DataLoader(new Stray(), { numWorkers: 1 })), { message: /Stray\.moduleUrl is file:.*worker-datasets\.js, but that module does not export it/ });
});

test("an error in a worker is re-raised here: same class, worker id, original message and stack", async () => {
  await assert.rejects(collect(new DataLoader(new Failing(6, 3), { numWorkers: 2 })), (e: Error) => {
    assert.equal(e.name, "ValueError");
    assert.match(e.message, /^Caught ValueError in DataLoader worker process 1\.\nOriginal Traceback \(most recent call last\):\nValueError: bad item 3\n\s+at Failing\.getItem/);
    return true;
  });
});

test("a failing workerInitFn is reported with the worker's first batch", async () => {
  await assert.rejects(collect(new DataLoader(new PrivateRange(4, 0), { numWorkers: 1, workerInitFn: failingInit })), (e: Error) => {
    assert.ok(e instanceof RangeError);
    assert.match(e.message, /^Caught RangeError in DataLoader worker process 0\.\n.*\nRangeError: no init for worker 0\n\s+at failingInit/);
    return true;
  });
});

test("a worker that dies, and the timeout", async () => {
  await assert.rejects(collect(new DataLoader(new Dying(6, 2), { numWorkers: 2 })),
    { name: "RuntimeError", message: /^DataLoader worker \(id 0\) exited unexpectedly with exit code 3/ });
  await assert.rejects(collect(new DataLoader(new Slow(4, 600), { numWorkers: 1, timeout: 0.2 })),
    { name: "RuntimeError", message: "DataLoader timed out after 0.2 seconds" });
});

test("breaking out of `for await`, persistent workers and abandoned iterators leave no thread behind (the process exits)", () => {
  const script = fileURLToPath(new URL("./break-child.js", import.meta.url));
  // one child runs the three cases in turn; a leaked thread in any keeps it from exiting
  const r = spawnSync(process.execPath, [script, "break", "persistent", "abandon"],
    { env: { ...process.env, TORCHTS_BREAK_CHILD: "1" }, timeout: 15000, encoding: "utf8" });
  assert.equal(r.signal, null, `the child did not exit by itself (leaked worker threads?): ${r.stdout}`);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split("\n"), ["break: batches 3", "persistent: batches 8", "abandon: batches 1"]);
});

test("DataLoader options: PyTorch's checks and messages", () => {
  const ds = new TensorDataset(torch.arange(4));
  const it = new Shards(0, 3);
  const bad: [object, Dataset<unknown>, RegExp | string][] = [
    [{ numWorkers: -1 }, ds, "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing."],
    [{ timeout: -1 }, ds, "timeout option should be non-negative"],
    [{ prefetchFactor: 4 }, ds, "prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 to enable multiprocessing."],
    [{ persistentWorkers: true }, ds, "persistent_workers option needs num_workers > 0"],
    [{ sampler: [0, 1], shuffle: true }, ds, "sampler option is mutually exclusive with shuffle"],
    [{ batchSampler: [[0, 1]], batchSize: 2 }, ds, "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"],
    [{ batchSampler: [[0, 1]], dropLast: true }, ds, "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"],
    [{ batchSize: null, dropLast: true }, ds, "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"],
    [{ shuffle: true }, it, "DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=True"],
    [{ sampler: [0] }, it, /DataLoader with IterableDataset: expected unspecified sampler option, but got sampler=/],
    [{ batchSampler: [[0]] }, it, /DataLoader with IterableDataset: expected unspecified batch_sampler option/],
    [{ batchSize: 0 }, ds, "batch_size should be a positive integer value, but got batch_size=0"],
  ];
  for (const [opts, d, message] of bad) assert.throws(() => new DataLoader(d, opts), { name: "ValueError", message }, JSON.stringify(opts));
  const viaBatchSampler = new DataLoader(ds, { batchSampler: [[3, 0], [1]] });
  assert.deepEqual([...viaBatchSampler as Iterable<torch.Tensor[]>].map(([t]) => t!.tolist()), [[3, 0], [1]]);
  assert.equal(viaBatchSampler.batchSize, null);
  const unbatched = new DataLoader(ds, { batchSize: null, pinMemory: true });
  assert.equal(unbatched.length, 4);
  assert.deepEqual([...unbatched as Iterable<torch.Tensor[]>].map(([t]) => t!.tolist()), [0, 1, 2, 3]);
  assert.throws(() => new DataLoader(it).length, { name: "TypeError", message: "object of type 'Shards' has no len()" });
});

test("the native kernels read tensors over SharedArrayBuffers, so workers share a dataset's memory", () => {
  assert.equal(sharedMemorySupported(), true);
  const shared = new Float32Array(new SharedArrayBuffer(24)).map((_, i) => i);
  assert.deepEqual(torch.fromTypedArray(shared.subarray(2), [4]).mul(3).tolist(), [6, 9, 12, 15]);
});
