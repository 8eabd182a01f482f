// SPDX-License-Identifier: BSD-3-Clause
// Run by test/data/workers.test.ts in a child process (TORCHTS_BREAK_CHILD=1): breaks out of a
// `for await` over a loader with workers, then lets the process end by itself. If a worker
// thread leaked, the process would never exit.
import * as torch from "../../src/index.js";
import { DataLoader, TensorDataset } from "../../src/data/index.js";
import { Slow } from "./worker-datasets.js";

if (process.env["TORCHTS_BREAK_CHILD"] === "1") for (const mode of process.argv.slice(2)) {
  let n = 0;
  if (mode === "break") {
    for await (const b of new DataLoader(new TensorDataset(torch.arange(100)), { batchSize: 2, numWorkers: 2 })) {
      void b;
      if (++n === 3) break;
    }
  } else if (mode === "persistent") {
    const dl = new DataLoader(new Slow(8, 1), { batchSize: 2, numWorkers: 2, persistentWorkers: true });
    for (let epoch = 0; epoch < 2; epoch++) for await (const b of dl) { void b; n++; }
  } else if (mode === "abandon") {
    const it = new DataLoader(new Slow(50, 5), { batchSize: 1, numWorkers: 2 })[Symbol.asyncIterator]();
    await it.next();
    n = 1;
  }
  console.log(`${mode}: batches ${n}`);
}
