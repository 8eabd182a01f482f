// SPDX-License-Identifier: BSD-3-Clause
// Train a CNN (LeNet-5 with padding, for 28x28 inputs) on the real MNIST, offline: the MNIST
// workflow of seed-programs.md, ported line by line. Usage:
//   node dist/examples/mnist.js [--epochs N] [--steps N] [--batch-size N] [--lr X] [--mlp] [--out DIR]
// --steps stops each epoch early (CI runs a few hundred steps and checks the loss falls).
// Writes to DIR (default ./out): the checkpoint mnist_cnn.pth (PyTorch's format: torch.load reads
// it in Python too), mnist_predictions.png (test images with their predicted labels, green when
// right, red when wrong) and mnist_loss.png (the training loss per step).
import { mkdirSync } from "node:fs";
import { join } from "node:path";

import * as torch from "../src/index.js";
import * as torchvision from "../src/vision/index.js";

const { nn, optim } = torch;
const F = nn.functional;
const { DataLoader } = torch.utils.data;
const { transforms } = torchvision;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const epochs = arg("epochs", 3), maxSteps = arg("steps", Infinity), batchSize = arg("batch-size", 64), lr = arg("lr", 1e-3);
const useMlp = process.argv.includes("--mlp");
const outIndex = process.argv.indexOf("--out");
const outDir = outIndex >= 0 ? process.argv[outIndex + 1]! : "out";

class Net extends nn.Module {
  conv1 = new nn.Conv2d(1, 6, 5, { padding: 2 });   // (N, 1, 28, 28) -> (N, 6, 28, 28)
  conv2 = new nn.Conv2d(6, 16, 5);                  // (N, 6, 14, 14) -> (N, 16, 10, 10)
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);

  override forward(x: torch.Tensor): torch.Tensor {
    x = F.maxPool2d(F.relu(this.conv1.forward(x)), 2);  // -> (N, 6, 14, 14)
    x = F.maxPool2d(F.relu(this.conv2.forward(x)), 2);  // -> (N, 16, 5, 5)
    x = torch.flatten(x, 1);                              // -> (N, 400)
    x = F.relu(this.fc1.forward(x));
    x = F.relu(this.fc2.forward(x));
    return this.fc3.forward(x);
  }
}

class MLP extends nn.Module {
  fc1 = new nn.Linear(784, 256);
  fc2 = new nn.Linear(256, 10);
  override forward(x: torch.Tensor): torch.Tensor {
    return this.fc2.forward(F.relu(this.fc1.forward(torch.flatten(x, 1))));
  }
}

torch.manualSeed(1);
const transform = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.1307], [0.3081])]);
const trainset = new torchvision.datasets.MNIST({ root: "./data", train: true, transform });
const testset = new torchvision.datasets.MNIST({ root: "./data", train: false, transform });
const trainloader = new DataLoader(trainset, { batchSize, shuffle: true });
const testloader = new DataLoader(testset, { batchSize: 1000 });

const device = torch.device(torch.cuda.isAvailable() ? "cuda:0" : "cpu");
const net = useMlp ? new MLP() : new Net();
net.to(device);
console.log(String(net));
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.Adam(net.parameters(), { lr });

function progress(epoch: number, step: number, total: number, loss: number, rate: number): void {
  const width = 30, done = Math.round((width * step) / total);
  process.stdout.write(`\repoch ${epoch} [${"=".repeat(done)}${" ".repeat(width - done)}] ${step}/${total} ` +
    `loss ${loss.toFixed(4)} ${rate.toFixed(0)} batches/s`);
}

const losses: number[] = [];
const start = performance.now();
for (let epoch = 1; epoch <= epochs; epoch++) {
  net.train();
  const total = Math.min(trainloader.length, maxSteps);
  let step = 0, running = 0;
  const t0 = performance.now();
  for await (const [inputs, labels] of trainloader as AsyncIterable<[torch.Tensor, torch.Tensor]>) {
    optimizer.zeroGrad();
    const loss = criterion.forward(net.forward(inputs.to(device)), labels.to(device));
    loss.backward();
    optimizer.step();
    const l = loss.item() as number;
    losses.push(l);
    running = step === 0 ? l : 0.98 * running + 0.02 * l;
    step++;
    if (step % 20 === 0 || step === total) progress(epoch, step, total, running, step / ((performance.now() - t0) / 1000));
    if (step >= total) break;
  }
  process.stdout.write("\n");
}
const trainSeconds = (performance.now() - start) / 1000;

// evaluate: overall and per-class accuracy
net.eval();
const correct = new Array<number>(10).fill(0), seen = new Array<number>(10).fill(0);
torch.noGrad(() => {
  for (const [images, labels] of testloader as Iterable<[torch.Tensor, torch.Tensor]>) {
    const [, predicted] = torch.max(net.forward(images.to(device)), 1);
    const p = predicted.tolist() as number[], y = labels.tolist() as number[];
    y.forEach((label, i) => { seen[label]!++; if (p[i] === label) correct[label]!++; });
  }
});
const accuracy = (100 * correct.reduce((a, b) => a + b, 0)) / seen.reduce((a, b) => a + b, 0);
console.log(`Accuracy of the network on the 10000 test images: ${accuracy.toFixed(2)} %`);
for (let c = 0; c < 10; c++) console.log(`Accuracy for class: ${c}     is ${((100 * correct[c]!) / seen[c]!).toFixed(1)} %`);
console.log(`trained ${losses.length} steps in ${trainSeconds.toFixed(1)} s; first loss ${losses[0]?.toFixed(4)}, ` +
  `mean of the last 50 ${(losses.slice(-50).reduce((a, b) => a + b, 0) / Math.min(50, losses.length)).toFixed(4)}`);

// save: the checkpoint, a grid of test predictions, the loss curve
mkdirSync(outDir, { recursive: true });
const checkpoint = join(outDir, useMlp ? "mnist_mlp.pth" : "mnist_cnn.pth");
torch.save(net.stateDict(), checkpoint);
const firstBatch = (testloader as Iterable<[torch.Tensor, torch.Tensor]>)[Symbol.iterator]().next().value!;
const shown = firstBatch[0].narrow(0, 0, 32), truth = firstBatch[1].narrow(0, 0, 32).tolist() as number[];
const predicted = torch.noGrad(() => net.forward(shown.to(device)).argmax(1).tolist() as number[]);
await torchvision.utils.saveLabeledGrid(shown.mul(0.3081).add(0.1307), predicted.map(String), join(outDir, "mnist_predictions.png"),
  { nrow: 8, scale: 3, colors: predicted.map((p, i) => (p === truth[i] ? "#1a7f37" : "#cf222e")) });
await torchvision.utils.plotLossCurve(losses, join(outDir, "mnist_loss.png"), { title: "MNIST training loss", smoothing: 50 });
console.log(`wrote ${checkpoint}, ${join(outDir, "mnist_predictions.png")}, ${join(outDir, "mnist_loss.png")}`);
