// SPDX-License-Identifier: BSD-3-Clause
// Peak RSS of LeNet training at batch 64 in a fresh process (the RSS row of `npm run bench`;
// bench/torch_rss.py is the PyTorch side). Prints one JSON line, sizes in MiB.
// Run: node dist/bench/rss_lenet.js [threads] [steps]
import { peakRssMiB } from "./harness.js";

const threads = Number(process.argv[2] ?? 2), steps = Number(process.argv[3] ?? 200);
const rssNow = (): number => process.memoryUsage().rss / 2 ** 20;
const torch = await import("../src/index.js");
const { lenetTrainer } = await import("./nets.js");
torch.setNumThreads(threads);
torch.manualSeed(0);
const afterImport = rssNow();
const { step } = lenetTrainer(64);
const first = step();
let last = first;
for (let i = 1; i < steps; i++) last = step();
if (!(last < first)) throw new Error(`the loss did not fall (${first} -> ${last})`);
console.log(JSON.stringify({ steps, afterImportMiB: afterImport, endMiB: rssNow(), peakMiB: peakRssMiB() }));
