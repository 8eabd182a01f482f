// SPDX-License-Identifier: BSD-3-Clause
// Datasets, collate and init functions that DataLoader worker threads import by module URL
// (test/data/workers.test.ts). Not a test file: it only exports.
import * as torch from "../../src/index.js";
import { Dataset, IterableDataset, getWorkerInfo, workerSpec } from "../../src/data/index.js";
import { ValueError } from "../../src/errors.js";

/** Each item draws torch.rand in the thread that loads it: the values show the worker seeds. */
export class RandItems extends Dataset<Record<string, unknown>> {
  static moduleUrl = import.meta.url;
  get length() { return 10; }
  getItem(i: number) {
    const info = getWorkerInfo();
    return { i, r: torch.rand(2), worker: info === null ? -1 : info.id, seed: info === null ? "none" : String(info.seed) };
  }
}

/** Worker k of n yields start + k, start + k + n, ... (PyTorch's documented sharding). */
export class Shards extends IterableDataset<number> {
  static moduleUrl = import.meta.url;
  constructor(readonly start: number, readonly end: number) { super(); }
  *[Symbol.iterator]() {
    const info = getWorkerInfo();
    const [k, n] = info === null ? [0, 1] : [info.id, info.numWorkers];
    for (let i = this.start + k; i < this.end; i += n) yield i;
  }
}

/** State in #private fields cannot be copied field by field: the workerSpec hook rebuilds it. */
export class PrivateRange extends Dataset<number> {
  static moduleUrl = import.meta.url;
  #n: number;
  #offset: number;
  constructor(n: number, offset: number) { super(); this.#n = n; this.#offset = offset; }
  get length() { return this.#n; }
  getItem(i: number) { return i + this.#offset; }
  [workerSpec]() { return { args: [this.#n, this.#offset] }; }
}

/** Raises ValueError on item `bad`. */
export class Failing extends Dataset<number> {
  static moduleUrl = import.meta.url;
  constructor(readonly n: number, readonly bad: number) { super(); }
  get length() { return this.n; }
  getItem(i: number): number {
    if (i === this.bad) throw new ValueError(`bad item ${i}`);
    return i;
  }
}

/** The thread loading item `bad` exits (like a worker process killed by the OOM killer). */
export class Dying extends Dataset<number> {
  static moduleUrl = import.meta.url;
  constructor(readonly n: number, readonly bad: number) { super(); }
  get length() { return this.n; }
  getItem(i: number): number {
    if (i === this.bad && getWorkerInfo() !== null) process.exit(3);
    return i;
  }
}

/** Each item takes `ms` milliseconds of blocking work (a stand-in for decoding an image). */
export class Slow extends Dataset<torch.Tensor> {
  static moduleUrl = import.meta.url;
  constructor(readonly n: number, readonly ms: number) { super(); }
  get length() { return this.n; }
  getItem(i: number): torch.Tensor {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, this.ms);
    return torch.full([4], i);
  }
}

/** Wraps another dataset and a transform: both travel to the workers. */
export class Mapped<T, U> extends Dataset<U> {
  static moduleUrl = import.meta.url;
  constructor(readonly base: Dataset<T>, readonly fn: (x: T) => U) { super(); }
  get length() { return this.base.length; }
  getItem(i: number): U { return this.fn(this.base.getItem(i)); }
}

export function double(x: torch.Tensor[]): torch.Tensor[] { return x.map((t) => t.mul(2)); }

/** A collate function exported from here: the workers find it through `workerModule`. */
export function sumCollate(samples: number[]): { sum: number; n: number; worker: number } {
  return { sum: samples.reduce((a, b) => a + b, 0), n: samples.length, worker: getWorkerInfo()?.id ?? -1 };
}

export const initCalls: number[] = [];
/** Records that it ran, and in which worker, after seeding. */
export function recordInit(id: number): void {
  initCalls.push(id);
  (globalThis as { initSeen?: string }).initSeen = `${id}:${getWorkerInfo()!.seed}:${torch.initialSeed()}`;
}
export class InitSeen extends Dataset<string> {
  static moduleUrl = import.meta.url;
  get length() { return 4; }
  getItem(): string { return (globalThis as { initSeen?: string }).initSeen ?? "none"; }
}

/** Keeps the last batch it made, so the next items can tell whether its buffers were transferred. */
export function stashCollate(samples: { i: number; prevByteLength: number }[]): { x: torch.Tensor; prev: number[] } {
  const x = torch.tensor(samples.map((s) => s.i), { dtype: torch.float32 });
  (globalThis as { lastBatch?: torch.Tensor }).lastBatch = x;
  return { x, prev: samples.map((s) => s.prevByteLength) };
}
/** Reports the byte length of the previous batch's buffer in this worker: 0 once it was transferred. */
export class TransferProbe extends Dataset<{ i: number; prevByteLength: number }> {
  static moduleUrl = import.meta.url;
  get length() { return 6; }
  getItem(i: number) {
    const last = (globalThis as { lastBatch?: torch.Tensor }).lastBatch;
    return { i, prevByteLength: last === undefined ? -1 : last._storage.data.buffer.byteLength };
  }
}


/** A workerInitFn that fails: the error is the answer to the worker's first task (as PyTorch). */
export function failingInit(id: number): void {
  throw new RangeError(`no init for worker ${id}`);
}
