// SPDX-License-Identifier: BSD-3-Clause
// Transfer learning with a ResNet-18 (PyTorch's "finetuning torchvision models" tutorial, feature
// extraction variant): load the ImageNet weights from a local file, freeze the backbone, replace
// model.fc, train the new head on a small ImageFolder, report accuracy.
//
//   node dist/examples/transfer-learning.js [imageFolderRoot] [resnet18-f37072fd.pth] [epochs]
//
// imageFolderRoot holds train/<class>/*.png|jpg and val/<class>/...; without it a small two-class
// folder (reddish vs bluish noise images) is written to a temp dir. Without a weights file the
// backbone is randomly initialised (said so on the first line); the weights file is torchvision's
// https://download.pytorch.org/models/resnet18-f37072fd.pth (models.resnet18({ weights: "DEFAULT" })
// finds it in $TORCH_HOME/hub/checkpoints by itself). No network access is needed.
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import * as torch from "../src/index.js";
import { datasets, io, models, transforms } from "../src/vision/index.js";

const { nn, optim } = torch;
const { DataLoader } = torch.utils.data;

const [rootArg, weightsArg, epochsArg] = process.argv.slice(2);
const epochs = Number(epochsArg ?? 3);

function makeToyFolder(): string {
  const root = mkdtempSync(join(tmpdir(), "torchts-transfer-"));
  torch.manualSeed(0);
  for (const [split, n] of [["train", 16], ["val", 8]] as const) {
    for (const [cls, channel] of [["blue", 2], ["red", 0]] as const) {
      const dir = join(root, split, cls);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < n; i++) {
        const img = torch.rand(3, 48, 48).mul(120);
        img.index(channel).add_(torch.rand(48, 48).mul(135));
        io.writePng(img.to(torch.uint8), join(dir, `${i}.png`));
      }
    }
  }
  return root;
}

const root = rootArg !== undefined && rootArg !== "-" ? rootArg : makeToyFolder();
const weights = models.ResNet18_Weights.IMAGENET1K_V1!;
// the preset the weights expect (resize 256, crop 224, ImageNet mean/std), at a smaller size here
// so that a CPU run takes seconds; pass a real folder and use weights.transforms() for full size
const preprocess = new transforms.Compose([
  new transforms.Resize(72), new transforms.CenterCrop(64), new transforms.ToTensor(),
  new transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
]);
const train = new datasets.ImageFolder(join(root, "train"), { transform: preprocess });
const val = new datasets.ImageFolder(join(root, "val"), { transform: preprocess });
console.log(`classes: ${train.classes.join(", ")}; ${train.length} training and ${val.length} validation images`);

torch.manualSeed(0);
const model = models.resnet18();
if (weightsArg !== undefined && existsSync(weightsArg)) {
  model.loadStateDict(torch.load(weightsArg, { weightsOnly: true }) as Record<string, torch.Tensor>, { strict: true });
  console.log(`loaded ${weightsArg} (${weights.url})`);
} else {
  console.log("no weights file given: the ResNet-18 backbone is RANDOMLY INITIALISED (pass resnet18-f37072fd.pth for the pretrained one)");
}

model.requiresGrad_(false);                                   // freeze the backbone
model.fc = new nn.Linear(model.fc instanceof nn.Linear ? model.fc.inFeatures : 512, train.classes.length);
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.SGD(model.fc.parameters(), { lr: 0.01, momentum: 0.9 });

function accuracy(): number {
  model.eval();
  let correct = 0, total = 0;
  torch.noGrad(() => {
    for (const [inputs, labels] of new DataLoader(val, { batchSize: 8 }) as Iterable<[torch.Tensor, torch.Tensor]>) {
      const predicted = torch.max(model.forward(inputs) as torch.Tensor, 1).indices;
      correct += predicted.eq(labels).sum().item() as number;
      total += labels.size(0);
    }
  });
  return correct / total;
}

console.log(`before training: val accuracy ${(100 * accuracy()).toFixed(1)}%`);
for (let epoch = 0; epoch < epochs; epoch++) {
  model.train();
  let running = 0, batches = 0;
  for (const [inputs, labels] of new DataLoader(train, { batchSize: 8, shuffle: true }) as Iterable<[torch.Tensor, torch.Tensor]>) {
    optimizer.zeroGrad();
    const loss = criterion.forward(model.forward(inputs), labels);
    loss.backward();
    optimizer.step();
    running += loss.item() as number;
    batches++;
  }
  console.log(`epoch ${epoch + 1}: loss ${(running / batches).toFixed(4)}, val accuracy ${(100 * accuracy()).toFixed(1)}%`);
}
torch.save(model.fc.stateDict(), join(root, "fc.pth"));
console.log(`saved the trained head to ${join(root, "fc.pth")}`);
