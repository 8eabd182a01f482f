// SPDX-License-Identifier: BSD-3-Clause
// The two seed networks (the MNIST-tutorial Net and the CIFAR-10 tutorial Net) and a ResNet
// BasicBlock against test/fixtures/nn-module.json (scripts/gen_nn_module_fixtures.py, PyTorch 1.13):
// String(net) char for char, stateDict keys/shapes/dtypes and _metadata, and, with the same weights
// (torch.randn after manualSeed: the RNG is bit-exact with PyTorch's), outputs and gradients.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import type { Json } from "../helpers.js";
import { closeTo, type Enc, fx } from "./fixture-util.js";

const F = nn.functional;
type T = torch.Tensor;

class MnistNet extends nn.Module {
  conv1 = new nn.Conv2d(1, 6, 3);
  conv2 = new nn.Conv2d(6, 16, 3);
  fc1 = new nn.Linear(16 * 6 * 6, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);
  override forward(x: T): T {
    x = F.maxPool2d(F.relu(this.conv1.forward(x)), [2, 2]);
    x = F.maxPool2d(F.relu(this.conv2.forward(x)), 2);
    x = x.view(-1, 16 * 6 * 6);
    x = F.relu(this.fc1.forward(x));
    x = F.relu(this.fc2.forward(x));
    return this.fc3.forward(x);
  }
}

export class CifarNet extends nn.Module {
  conv1 = new nn.Conv2d(3, 6, 5);
  pool = new nn.MaxPool2d(2, 2);
  conv2 = new nn.Conv2d(6, 16, 5);
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);
  override forward(x: T): T {
    x = this.pool.forward(F.relu(this.conv1.forward(x)));
    x = this.pool.forward(F.relu(this.conv2.forward(x)));
    x = x.view(-1, 16 * 5 * 5);
    x = F.relu(this.fc1.forward(x));
    x = F.relu(this.fc2.forward(x));
    return this.fc3.forward(x);
  }
}

class BasicBlock extends nn.Module {
  conv1: nn.Conv2d; bn1: nn.BatchNorm2d; relu: nn.ReLU; conv2: nn.Conv2d; bn2: nn.BatchNorm2d;
  declare downsample: nn.Sequential | null;
  constructor(inplanes: number, planes: number, stride = 1) {
    super();
    this.conv1 = new nn.Conv2d(inplanes, planes, 3, { stride, padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2d(planes);
    this.relu = new nn.ReLU(true);
    this.conv2 = new nn.Conv2d(planes, planes, 3, { stride: 1, padding: 1, bias: false });
    this.bn2 = new nn.BatchNorm2d(planes);
    this.registerModule("downsample", null);
    if (stride !== 1 || inplanes !== planes)
      this.downsample = new nn.Sequential(new nn.Conv2d(inplanes, planes, 1, { stride, bias: false }), new nn.BatchNorm2d(planes));
  }
  override forward(x: T): T {
    let identity = x;
    let out = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    out = this.bn2.forward(this.conv2.forward(out));
    if (this.downsample !== null) identity = this.downsample.forward(x);
    out = out.add(identity);
    return this.relu.forward(out);
  }
}

/** The generator's fill_randn: every parameter (namedParameters order) <- torch.randn(shape) * 0.2. */
function fillRandn(net: nn.Module, seed: number): void {
  torch.manualSeed(seed);
  torch.noGrad(() => { for (const [, p] of net.namedParameters()) p.copy_(torch.randn(p.shape).mul(0.2)); });
}

function checkStructure(net: nn.Module, c: { repr: string; keys: string[]; shapes: number[][]; dtypes: string[]; metadata: Json; numParams: number }): void {
  assert.equal(String(net), c.repr);
  const sd = net.stateDict();
  assert.deepEqual(Object.keys(sd), c.keys);
  assert.deepEqual(Object.values(sd).map((t) => t.shape), c.shapes);
  assert.deepEqual(Object.values(sd).map((t) => t.dtype), c.dtypes);
  assert.deepEqual(net.stateDictMetadata(), c.metadata);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  assert.deepEqual((sd as any)._metadata, c.metadata, "stateDict()._metadata");
  assert.equal([...net.parameters()].length, c.numParams);
}

function checkRun(net: nn.Module, seed: number, inShape: number[], c: { out: Enc; target: Enc; loss: number; grads: Record<string, Enc> }): void {
  fillRandn(net, seed);
  torch.manualSeed(seed + 1);
  const x = torch.randn(inShape);
  const y = net.forward(x) as T;
  closeTo(y, c.out, "output", [2e-5, 2e-5]);
  const target = torch.tensor(c.target.data.map((v) => Number(v)), { dtype: "int64" });
  const loss = F.crossEntropy(y, target);
  assert.ok(Math.abs((loss.item() as number) - c.loss) < 1e-5, `loss ${loss.item()} != ${c.loss}`);
  net.zeroGrad();
  loss.backward();
  const params = Object.fromEntries(net.namedParameters());
  for (const [k, g] of Object.entries(c.grads)) closeTo(params[k]!.grad, g, `grad ${k}`, [1e-4, 1e-5]);
}

test("MNIST-tutorial Net: repr, stateDict, parameters, outputs and gradients as PyTorch", () => {
  const net = new MnistNet();
  checkStructure(net, { ...fx.seed.mnist, repr: fx.seed.mnist.repr });
  assert.deepEqual([...net.parameters()][0]!.shape, [6, 1, 3, 3]);
  checkRun(net, 10, [2, 1, 32, 32], fx.seed.mnist);
});

test("CIFAR-10 tutorial Net: repr, stateDict, outputs and gradients as PyTorch", () => {
  const net = new CifarNet();
  checkStructure(net, fx.seed.cifar);
  checkRun(net, 20, [4, 3, 32, 32], fx.seed.cifar);
});

test("ResNet BasicBlock: repr with BatchNorm, stateDict (buffers, num_batches_tracked), train and eval outputs", () => {
  const blk = new BasicBlock(4, 8, 2);
  const c = fx.seed.block;
  checkStructure(blk, c);
  fillRandn(blk, 31);
  torch.manualSeed(32);
  const x = torch.randn(2, 4, 6, 6).requiresGrad_();
  const y = blk.forward(x);
  assert.equal(y.gradFn?.name(), c.gradFn);
  closeTo(y, c.out, "block output", [2e-5, 2e-5]);
  y.backward(torch.randn(y.shape));
  closeTo(x.grad, c.gx, "block grad x", [1e-4, 1e-5]);
  closeTo(blk.conv1.weight.grad, c.gconv1, "grad conv1.weight", [1e-4, 1e-5]);
  closeTo(blk.bn1.weight!.grad, c.gbn1w, "grad bn1.weight", [1e-4, 1e-5]);
  closeTo(blk.bn2.bias!.grad, c.gbn2b, "grad bn2.bias", [1e-4, 1e-5]);
  closeTo((blk.downsample![0] as nn.Conv2d).weight.grad, c.gdown, "grad downsample.0.weight", [1e-4, 1e-5]);
  closeTo(blk.bn1.running_mean, c.bn1_running_mean, "bn1.running_mean", [1e-5, 1e-6]);
  closeTo(blk.bn1.running_var, c.bn1_running_var, "bn1.running_var", [1e-5, 1e-6]);
  assert.equal(blk.bn1.num_batches_tracked!.item(), 1);
  blk.eval();
  closeTo(blk.forward(x), c.evalOut, "block eval output", [2e-5, 2e-5]);
});

test("a stateDict round-trips into a fresh network (same outputs)", () => {
  const a = new CifarNet(), b = new CifarNet();
  fillRandn(a, 5);
  const r = b.loadStateDict(a.stateDict());
  assert.deepEqual(r, { missingKeys: [], unexpectedKeys: [] });
  const x = torch.randn(2, 3, 32, 32);
  assert.equal((a.forward(x) as T).eq(b.forward(x) as T).all().item(), true);
});
