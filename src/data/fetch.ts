// SPDX-License-Identifier: BSD-3-Clause
// The fetchers (torch/utils/data/_utils/fetch.py): one index (or batch of indices) -> one batch,
// shared by the main thread (numWorkers 0) and the worker threads.
import { Dataset, IterableDataset } from "./dataset.js";

/** A fetch past the end of an IterableDataset (Python's StopIteration). */
export const STOP: unique symbol = Symbol("StopIteration") as never;

export type Index = number | null | readonly (number | null)[];
export type Fetcher = (index: Index) => { batch: unknown; samples: unknown } | typeof STOP;

export function makeFetcher(dataset: Dataset<unknown>, autoCollation: boolean, collateFn: (s: never) => unknown,
  dropLast: boolean): Fetcher {
  const collate = collateFn as (s: unknown) => unknown;
  if (dataset instanceof IterableDataset) {
    const it = dataset[Symbol.iterator]();
    let ended = false;
    return (index) => {
      if (ended) return STOP;
      if (autoCollation) {
        const want = (index as readonly unknown[]).length, data: unknown[] = [];
        for (let i = 0; i < want; i++) {
          const r = it.next();
          if (r.done) { ended = true; break; }
          data.push(r.value);
        }
        if (data.length === 0 || (dropLast && data.length < want)) return STOP;
        return { batch: collate(data), samples: data };
      }
      const r = it.next();
      if (r.done) { ended = true; return STOP; }
      return { batch: collate(r.value), samples: r.value };
    };
  }
  const getItems = (dataset as { getItems?: (i: readonly number[]) => unknown[] }).getItems;
  return (index) => {
    if (autoCollation) {
      const idx = index as readonly number[];
      const data = typeof getItems === "function" ? getItems.call(dataset, idx) : idx.map((i) => dataset.getItem(i));
      return { batch: collate(data), samples: data };
    }
    const sample = dataset.getItem(index as number);
    return { batch: collate(sample), samples: sample };
  };
}
