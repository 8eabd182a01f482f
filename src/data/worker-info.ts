// SPDX-License-Identifier: BSD-3-Clause
// torch.utils.data.get_worker_info: who am I, inside a DataLoader worker thread.

/** What `getWorkerInfo()` returns inside a DataLoader worker (PyTorch's WorkerInfo). */
export class WorkerInfo {
  constructor(
    /** This worker's id, in [0, numWorkers). */
    readonly id: number,
    readonly numWorkers: number,
    /** The seed torch.manualSeed got in this worker: baseSeed + id (baseSeed drawn in the main thread). */
    readonly seed: bigint,
    /** This worker's own copy of the dataset (null while the worker is still rebuilding it). */
    readonly dataset: unknown,
  ) {
    Object.freeze(this);
  }
  toString(): string {
    const ds = this.dataset === null ? "None" : `<${(this.dataset as object).constructor?.name ?? "object"} object>`;
    return `WorkerInfo(id=${this.id}, num_workers=${this.numWorkers}, seed=${this.seed}, dataset=${ds})`;
  }
}

let current: WorkerInfo | null = null;

/**
 * Inside a DataLoader worker thread: `{ id, numWorkers, seed, dataset }`; in the main thread:
 * null. Use it to shard an IterableDataset, or (at the top level of a module that the workers
 * import) as the `if __name__ == "__main__"` guard: `if (getWorkerInfo() === null) main();`.
 */
export function getWorkerInfo(): WorkerInfo | null {
  return current;
}

/** @internal Set by the worker thread (src/data/worker.ts). */
export function _setWorkerInfo(info: WorkerInfo | null): void {
  current = info;
}
