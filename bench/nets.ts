// SPDX-License-Identifier: BSD-3-Clause
// The networks of the benchmark, as torchts modules (bench/export_onnx.py and bench/torch_ops.py
// build the same ones in PyTorch, with the same state-dict keys).
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import * as optim from "../src/optim/index.js";

const F = nn.functional;

/** The CIFAR-10 tutorial Net ("LeNet"). */
export class Net extends nn.Module {
  conv1 = new nn.Conv2d(3, 6, 5);
  pool = new nn.MaxPool2d(2, 2);
  conv2 = new nn.Conv2d(6, 16, 5);
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);
  override forward(x: torch.Tensor): torch.Tensor {
    x = this.pool.forward(F.relu(this.conv1.forward(x)));
    x = this.pool.forward(F.relu(this.conv2.forward(x)));
    x = torch.flatten(x, 1);
    x = F.relu(this.fc1.forward(x));
    x = F.relu(this.fc2.forward(x));
    return this.fc3.forward(x);
  }
}

/** MNIST MLP 784-256-ReLU-10 (with a LogSoftmax for the inference row, as exported to ONNX). */
export function mlp(logSoftmax = false): nn.Sequential {
  return logSoftmax
    ? new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10), new nn.LogSoftmax(1))
    : new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
}

/** One LeNet training step as in the tutorial: zero_grad, forward, CrossEntropyLoss, backward, SGD(0.001, momentum 0.9). */
export function lenetTrainer(batch: number): { net: Net; step: () => number } {
  const net = new Net();
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.SGD(net.parameters(), { lr: 0.001, momentum: 0.9 });
  const inputs = torch.randn(batch, 3, 32, 32);
  const labels = torch.randint(0, 10, [batch]);
  const step = (): number => {
    optimizer.zeroGrad();
    const loss = criterion.forward(net.forward(inputs), labels);
    loss.backward();
    optimizer.step();
    return loss.item() as number;
  };
  return { net, step };
}
