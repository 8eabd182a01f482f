// SPDX-License-Identifier: BSD-3-Clause
// A DataLoader worker thread (torch/utils/data/_utils/worker.py's _worker_loop): rebuilds the
// dataset, seeds torch with baseSeed + id, runs workerInitFn, then answers fetch requests in the
// order they come, sending batches back with their buffers transferred.
import { parentPort, workerData } from "node:worker_threads";
import { manualSeed } from "../tensor/random.js";
import { type Dataset } from "./dataset.js";
import { type Fetcher, type Index, makeFetcher, STOP } from "./fetch.js";
import { collectBuffers, decode, type Encoded, encode } from "./worker-codec.js";
import { _setWorkerInfo, WorkerInfo } from "./worker-info.js";

/** What the main thread gives each worker (workerData). */
export interface WorkerInit {
  payload: Encoded;  // [dataset, collateFn, workerInitFn | null]
  id: number;
  numWorkers: number;
  baseSeed: bigint;
  autoCollation: boolean;
  dropLast: boolean;
  workerModules: string[];
}
export type ToWorker = { type: "fetch"; idx: number; index: Index } | { type: "resume" } | { type: "exit" };
export type FromWorker =
  | { type: "data"; idx: number; data: Encoded }
  | { type: "error"; idx: number; name: string; message: string; stack: string }
  | { type: "stop"; idx: number }
  | { type: "resumed" };

const port = parentPort!;
const init = workerData as WorkerInit;
const seed = init.baseSeed + BigInt(init.id);
_setWorkerInfo(new WorkerInfo(init.id, init.numWorkers, seed, null));

let dataset: Dataset<unknown>;
let collateFn: (s: never) => unknown;
let fetcher: Fetcher | null = null;
let initError: unknown = null;
let iterationEnd = false;

const errorMessage = (idx: number, e: unknown): FromWorker => e instanceof Error
  ? { type: "error", idx, name: e.name, message: e.message, stack: e.stack ?? `${e.name}: ${e.message}` }
  : { type: "error", idx, name: "Error", message: String(e), stack: `Error: ${String(e)}` };

const ready = (async () => {
  try {
    const [ds, collate, initFn] = await decode(init.payload) as [Dataset<unknown>, (s: never) => unknown, ((id: number) => void) | null];
    dataset = ds;
    collateFn = collate;
    manualSeed(seed);
    _setWorkerInfo(new WorkerInfo(init.id, init.numWorkers, seed, dataset));
    if (initFn) initFn(init.id);
    fetcher = makeFetcher(dataset, init.autoCollation, collateFn, init.dropLast);
  } catch (e) {
    initError = e;
  }
})();

let exiting = false;

async function handle(m: ToWorker): Promise<void> {
  await ready;
  if (exiting || m.type === "exit") return;
  if (m.type === "resume") {
    iterationEnd = false;
    port.postMessage({ type: "resumed" } satisfies FromWorker);
    if (initError === null) {
      try { fetcher = makeFetcher(dataset, init.autoCollation, collateFn, init.dropLast); } catch (e) { initError = e; }
    }
    return;
  }
  if (iterationEnd) return;  // the main thread skips what an exhausted worker was sent (as PyTorch)
  if (initError !== null) {
    const e = initError;
    initError = null;
    port.postMessage(errorMessage(m.idx, e));
    return;
  }
  let out: FromWorker, transfer: ArrayBuffer[] = [];
  try {
    const r = fetcher!(m.index);
    if (r === STOP) {
      iterationEnd = true;
      out = { type: "stop", idx: m.idx };
    } else {
      const enc = await encode(r.batch, { mode: "move", what: "a batch", path: "batch", workerModules: init.workerModules,
        keep: collectBuffers(r.samples) });
      out = { type: "data", idx: m.idx, data: enc.encoded };
      transfer = enc.transfer;
    }
  } catch (e) {
    out = errorMessage(m.idx, e);
  }
  port.postMessage(out, transfer);
}

// Shutdown is cooperative: the task under way finishes, queued ones are dropped, then the port
// closes and the thread ends by itself. (Worker.terminate() in the middle of a native kernel can
// abort the whole process, so the main thread uses it only as a fallback.)
let chain = Promise.resolve();
port.on("message", (m: ToWorker) => {
  if (m.type === "exit") {
    exiting = true;
    chain = chain.then(() => port.close());
    return;
  }
  chain = chain.then(() => handle(m));
});
