// SPDX-License-Identifier: BSD-3-Clause
// The main-thread side of multi-worker loading (PyTorch's _MultiProcessingDataLoaderIter):
// indices go round-robin to the active workers, prefetchFactor * numWorkers tasks in flight,
// results come back in task order; errors, dead workers and timeouts are raised here.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { IndexError, RuntimeError, ValueError } from "../errors.js";
import type { Index } from "./fetch.js";
import { decode, decodeSync, type Encoded } from "./worker-codec.js";
import type { FromWorker, ToWorker, WorkerInit } from "./worker.js";

const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
const workerUrl = new URL(`./worker.${ext}`, import.meta.url);

type Event = { w: number; m: FromWorker } | { w: number; exit: number; error: Error | null };

const ERRORS: Record<string, new (msg: string) => Error> = {
  RuntimeError, ValueError, IndexError, TypeError, RangeError, Error, SyntaxError, ReferenceError, EvalError, URIError,
};

/** PyTorch's ExceptionWrapper.reraise: the same error class, with where it happened and the original stack. */
function reraise(w: number, m: { name: string; message: string; stack: string }): Error {
  const msg = `Caught ${m.name} in DataLoader worker process ${w}.\nOriginal Traceback (most recent call last):\n${m.stack}`;
  const Ctor = ERRORS[m.name];
  const e = Ctor ? new Ctor(msg) : new Error(msg);
  if (!Ctor) e.name = m.name;
  return e;
}

export interface PoolConfig {
  numWorkers: number;
  prefetchFactor: number;
  timeout: number;
  persistent: boolean;
  payload: Encoded;
  baseSeed: bigint;
  autoCollation: boolean;
  dropLast: boolean;
  workerModules: string[];
}

/** How long shutdown waits for a worker to finish its item before terminating it (PyTorch: 5 s). */
const SHUTDOWN_GRACE_MS = 5000;

export const DONE: unique symbol = Symbol("done") as never;

export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly exited: boolean[] = [];
  private readonly inbox: Event[] = [];
  private wake: (() => void) | null = null;
  private closed = false;
  private status: boolean[] = [];
  private sendIdx = 0;
  private rcvdIdx = 0;
  private cycle = 0;
  private readonly taskInfo = new Map<number, { w: number; data?: FromWorker }>();
  private indices: Iterator<Index> | null = null;

  constructor(private readonly cfg: PoolConfig) {
    const cpus = availableParallelism();
    if (cfg.numWorkers > cpus)
      process.emitWarning(`This DataLoader will create ${cfg.numWorkers} worker processes in total. Our suggested max number of worker in current system is ${cpus}, which is smaller than what this DataLoader is going to create. Please be aware that excessive worker creation might get DataLoader running slow or even freeze, lower the worker number to avoid potential slowness/freeze if necessary.`);
    for (let i = 0; i < cfg.numWorkers; i++) {
      const init: WorkerInit = {
        payload: cfg.payload, id: i, numWorkers: cfg.numWorkers, baseSeed: cfg.baseSeed,
        autoCollation: cfg.autoCollation, dropLast: cfg.dropLast, workerModules: cfg.workerModules,
      };
      const worker = new Worker(workerUrl, { workerData: init });
      let error: Error | null = null;
      worker.on("message", (m: FromWorker) => this.push({ w: i, m }));
      worker.on("error", (e) => { error = e; });
      worker.on("exit", (code) => {
        this.exited[i] = true;
        if (!this.closed) this.push({ w: i, exit: code, error });
      });
      worker.unref();
      this.workers.push(worker);
    }
  }

  private push(e: Event): void {
    this.inbox.push(e);
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** The next event from any worker; raises on a dead worker or the timeout. */
  private async getEvent(): Promise<Event> {
    for (;;) {
      const e = this.inbox.shift();
      if (e) {
        if ("exit" in e) {
          if (!this.status[e.w] && !this.cfg.persistent) continue;
          await this.shutdown();
          throw new RuntimeError(`DataLoader worker (id ${e.w}) exited unexpectedly with exit code ${e.exit}` +
            (e.error ? `: ${e.error.name}: ${e.error.message}` : ""), { cause: e.error ?? undefined });
        }
        return e;
      }
      // the workers keep the process alive only while someone waits for them
      for (const w of this.workers) w.ref();
      let timer: NodeJS.Timeout | undefined;
      try {
        await new Promise<void>((resolve, reject) => {
          this.wake = resolve;
          if (this.cfg.timeout > 0)
            timer = setTimeout(() => reject(new RuntimeError(`DataLoader timed out after ${this.cfg.timeout} seconds`)), this.cfg.timeout * 1000);
        });
      } finally {
        clearTimeout(timer);
        this.wake = null;
        for (const w of this.workers) w.unref();
      }
    }
  }

  /** Starts an epoch: a fresh index iterator; with persistent workers, resumes them first. */
  async reset(indices: Iterator<Index>, firstIter: boolean): Promise<void> {
    this.indices = indices;
    this.sendIdx = 0;
    this.rcvdIdx = 0;
    this.taskInfo.clear();
    this.status = this.workers.map(() => true);
    this.cycle = 0;
    if (!firstIter) {
      for (const w of this.workers) w.postMessage({ type: "resume" } satisfies ToWorker);
      let left = this.workers.length;
      while (left > 0) {
        const e = await this.getEvent();
        if ("m" in e && e.m.type === "resumed") left--;  // anything older is from the last epoch
      }
    }
    for (let i = 0; i < this.cfg.prefetchFactor * this.cfg.numWorkers; i++) this.tryPutIndex();
  }

  private tryPutIndex(): void {
    const r = this.indices!.next();
    if (r.done) return;
    let w = -1;
    for (let k = 0; k < this.cfg.numWorkers; k++) {
      const c = this.cycle;
      this.cycle = (this.cycle + 1) % this.cfg.numWorkers;
      if (this.status[c]) { w = c; break; }
    }
    if (w < 0) return;
    this.workers[w]!.postMessage({ type: "fetch", idx: this.sendIdx, index: r.value } satisfies ToWorker);
    this.taskInfo.set(this.sendIdx, { w });
    this.sendIdx++;
  }

  /** The next batch in sampler order, or DONE at the end of the epoch. */
  async next(): Promise<unknown> {
    for (;;) {
      let info: { w: number; data?: FromWorker } | undefined;
      while (this.rcvdIdx < this.sendIdx) {
        info = this.taskInfo.get(this.rcvdIdx)!;
        if (info.data || this.status[info.w]) break;
        this.taskInfo.delete(this.rcvdIdx);
        this.rcvdIdx++;
        info = undefined;
      }
      if (!info) return DONE;
      if (info.data) {
        this.taskInfo.delete(this.rcvdIdx);
        return this.process(info.w, info.data);
      }
      const e = await this.getEvent();
      if (!("m" in e) || e.m.type === "resumed") continue;
      const m = e.m;
      if (m.type === "stop") {
        this.status[e.w] = false;
        this.tryPutIndex();
        continue;
      }
      if (m.idx !== this.rcvdIdx) {
        this.taskInfo.get(m.idx)!.data = m;
      } else {
        this.taskInfo.delete(m.idx);
        return this.process(e.w, m);
      }
    }
  }

  private async process(w: number, m: FromWorker): Promise<unknown> {
    this.rcvdIdx++;
    this.tryPutIndex();
    if (m.type === "error") throw reraise(w, m);
    if (m.type !== "data") throw new RuntimeError(`DataLoader: unexpected message ${m.type} from worker ${w}`);
    return m.data.refs.length === 0 ? decodeSync(m.data) : decode(m.data);
  }

  get alive(): boolean { return !this.closed; }

  /**
   * Stops every worker thread (PyTorch's _shutdown_workers): each finishes the item it is on and
   * exits; one still running after `SHUTDOWN_GRACE_MS` is terminated.
   */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w, i) => new Promise<void>((resolve) => {
      if (this.exited[i]) { resolve(); return; }
      const timer = setTimeout(() => { void w.terminate(); }, SHUTDOWN_GRACE_MS);
      w.once("exit", () => { clearTimeout(timer); resolve(); });
      w.ref();
      try { w.postMessage({ type: "exit" } satisfies ToWorker); } catch { void w.terminate(); }
    })));
  }
}
