// SPDX-License-Identifier: BSD-3-Clause
// PyTorch's CIFAR-10 classifier tutorial (seed-programs.md §4), line for line. Needs CIFAR-10 in
// ROOT (the archive cifar-10-python.tar.gz or its extracted cifar-10-batches-py/), or a network
// from which download: true can fetch it. Usage:
//   node dist/examples/cifar10-tutorial.js [--root ./data] [--out .] [--epochs 2] [--print-every 2000]
// The tutorial shows images with matplotlib; this writes them as PNGs instead (cifar_train.png).
import { join } from "node:path";

import * as torch from "../src/index.js";
import * as torchvision from "../src/vision/index.js";

const { nn, optim } = torch;
const F = nn.functional;
const { DataLoader } = torch.utils.data;
const { transforms } = torchvision;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}
const root = arg("root", "./data"), outDir = arg("out", "."), epochs = Number(arg("epochs", "2"));
const printEvery = Number(arg("print-every", "2000"));

const transform = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])]);
const trainset = new torchvision.datasets.CIFAR10({ root, train: true, download: true, transform });
const trainloader = new DataLoader(trainset, { batchSize: 4, shuffle: true, numWorkers: 2 });
const testset = new torchvision.datasets.CIFAR10({ root, train: false, download: true, transform });
const testloader = new DataLoader(testset, { batchSize: 4, shuffle: false, numWorkers: 2 });
const classes = ["plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];
const pad5 = (s: string) => s.padStart(5);

type Batch = [torch.Tensor, torch.Tensor];
async function firstBatch(loader: AsyncIterable<unknown>): Promise<Batch> {
  for await (const batch of loader) return batch as Batch;   // breaking out stops the workers
  throw new Error("empty loader");
}

// imshow(torchvision.utils.make_grid(images)): unnormalise and write a PNG
function imsave(img: torch.Tensor, file: string): void {
  torchvision.utils.saveImage(img.div(2).add(0.5), join(outDir, file));
}
let [images, labels] = await firstBatch(trainloader);
imsave(torchvision.utils.makeGrid(images), "cifar_train.png");
console.log((labels.tolist() as number[]).map((l) => pad5(classes[l]!)).join(" "));

class Net extends nn.Module {
  conv1 = new nn.Conv2d(3, 6, 5);
  pool = new nn.MaxPool2d(2, 2);
  conv2 = new nn.Conv2d(6, 16, 5);
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);

  override forward(x: torch.Tensor): torch.Tensor {
    x = this.pool.forward(F.relu(this.conv1.forward(x)));
    x = this.pool.forward(F.relu(this.conv2.forward(x)));
    x = x.view(-1, 16 * 5 * 5);
    x = F.relu(this.fc1.forward(x));
    x = F.relu(this.fc2.forward(x));
    return this.fc3.forward(x);
  }
}

let net = new Net();
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.SGD(net.parameters(), { lr: 0.001, momentum: 0.9 });
const device = torch.device(torch.cuda.isAvailable() ? "cuda:0" : "cpu");
net.to(device);

for (let epoch = 0; epoch < epochs; epoch++) {
  let runningLoss = 0.0, i = 0;
  for await (const data of trainloader as AsyncIterable<Batch>) {
    const [inputs, targets] = [data[0].to(device), data[1].to(device)];
    optimizer.zeroGrad();
    const outputs = net.forward(inputs);
    const loss = criterion.forward(outputs, targets);
    loss.backward();
    optimizer.step();
    runningLoss += loss.item() as number;
    if ((i + 1) % printEvery === 0) {
      console.log(`[${epoch + 1}, ${String(i + 1).padStart(5)}] loss: ${(runningLoss / printEvery).toFixed(3)}`);
      runningLoss = 0.0;
    }
    i++;
  }
}
console.log("Finished Training");
const PATH = join(outDir, "cifar_net.pth");
torch.save(net.stateDict(), PATH);

[images, labels] = await firstBatch(testloader);
imsave(torchvision.utils.makeGrid(images), "cifar_test.png");
console.log("GroundTruth: ", (labels.tolist() as number[]).map((l) => pad5(classes[l]!)).join(" "));
net = new Net();
net.loadStateDict(torch.load(PATH) as Record<string, torch.Tensor>);
let outputs = net.forward(images);
let [, predicted] = torch.max(outputs, 1);
console.log("Predicted: ", (predicted.tolist() as number[]).map((p) => pad5(classes[p]!)).join(" "));

// with torch.no_grad(): grad modes take synchronous callbacks, so the no-grad block is the body
let correct = 0, total = 0;
for await (const [inputs, targets] of testloader as AsyncIterable<Batch>) {
  torch.noGrad(() => {
    outputs = net.forward(inputs);
    [, predicted] = torch.max(outputs, 1);
    total += targets.size(0);
    correct += predicted.eq(targets).sum().item() as number;
  });
}
console.log(`Accuracy of the network on the ${total} test images: ${Math.floor((100 * correct) / total)} %`);

const classCorrect = new Array<number>(10).fill(0), classTotal = new Array<number>(10).fill(0);
for await (const [inputs, targets] of testloader as AsyncIterable<Batch>) {
  torch.noGrad(() => {
    [, predicted] = torch.max(net.forward(inputs), 1);
    const c = predicted.eq(targets).tolist() as boolean[], t = targets.tolist() as number[];
    t.forEach((label, k) => { classCorrect[label]! += c[k] ? 1 : 0; classTotal[label]!++; });
  });
}
for (let k = 0; k < 10; k++) {
  const pct = classTotal[k] ? Math.floor((100 * classCorrect[k]!) / classTotal[k]!) : 0;
  console.log(`Accuracy of ${pad5(classes[k]!)} : ${String(pct).padStart(2)} %`);
}
