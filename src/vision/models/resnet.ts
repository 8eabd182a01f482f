// SPDX-License-Identifier: BSD-3-Clause
// torchvision.models.resnet: ResNet, BasicBlock, Bottleneck and the resnet / resnext /
// wide_resnet builders. Module names, stateDict keys and init are torchvision's.
import { ValueError } from "../../errors.js";
import * as nn from "../../nn/index.js";
import type { Tensor } from "../../tensor/tensor.js";
import { loadWeights, numClassesFor, registerModel, verifyWeights, weightsEnum, type ModelOptions } from "./_api.js";
import { NotImplementedError } from "../../errors.js";
import { _conv2dFused } from "../../nn/functional/conv.js";
import { _runsOwnForward } from "../../nn/module.js";
import { _isStockConv2d } from "../../nn/modules/conv.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
export type NormLayer = (numFeatures: number) => nn.Module;
const defaultNorm: NormLayer = (n) => new nn.BatchNorm2d(n);


export function conv3x3(inPlanes: number, outPlanes: number, stride = 1, groups = 1, dilation = 1): nn.Conv2d {
  return new nn.Conv2d(inPlanes, outPlanes, 3, { stride, padding: dilation, groups, bias: false, dilation });
}
export function conv1x1(inPlanes: number, outPlanes: number, stride = 1): nn.Conv2d {
  return new nn.Conv2d(inPlanes, outPlanes, 1, { stride, bias: false });
}

// Inference fast path: conv -> eval BatchNorm2d [-> + identity] [-> ReLU] as one native call
// (_conv2dFused: the same bits as the separate modules). Taken only where the modules are the
// stock ones (forward not replaced: a wrapped or overridden forward runs as written), the
// BatchNorm is in eval mode with running statistics, and nothing records a graph; anywhere
// else, and for whatever _conv2dFused declines, the modules run one by one as before.
function convBn(conv: nn.Module, bn: nn.Module, x: Tensor, residual: Tensor | null, relu: boolean, maxPoolPadding: number | null = null): Tensor | null {
  if (!_isStockConv2d(conv) || !_runsOwnForward(bn, nn.BatchNorm2d)) return null;
  const c = conv, b = bn as nn.BatchNorm2d;
  if (b.training || b.running_mean === null || b.running_var === null) return null;
  return _conv2dFused(x, c.weight, { bias: c.bias, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups },
    { runningMean: b.running_mean, runningVar: b.running_var, weight: b.weight, bias: b.bias, eps: b.eps }, residual, relu, maxPoolPadding);
}

const same2 = (v: unknown, want: (n: number) => boolean): number | null => {
  const a = Array.isArray(v) ? v : [v, v];
  return a.length === 2 && typeof a[0] === "number" && a[0] === a[1] && want(a[0]) ? a[0] : null;
};

/** The padding (0 or 1) of a stock nn.MaxPool2d(3, 2, padding) (dilation 1, no ceil mode, no
 * indices, nothing replaced or hooked) that _conv2dFused can run after the stem; else null. */
function fusablePool(pool: nn.Module): number | null {
  if (!_runsOwnForward(pool, nn.MaxPool2d) || Object.getPrototypeOf(pool) !== nn.MaxPool2d.prototype || Object.hasOwn(pool, "pool")) return null;
  const p = pool as nn.MaxPool2d;
  if (p.ceilMode || p.returnIndices || same2(p.kernelSize, (k) => k === 3) === null || same2(p.stride, (k) => k === 2) === null ||
    same2(p.dilation, (k) => k === 1) === null) return null;
  return same2(p.padding, (k) => k === 0 || k === 1);
}

/** downsample(x) when it is the stock Sequential(conv1x1, BatchNorm2d), fused; else null. */
function downsampleFused(ds: nn.Module, x: Tensor): Tensor | null {
  if (!_runsOwnForward(ds, nn.Sequential)) return null;
  const kids = [...ds.children()];
  return kids.length === 2 ? convBn(kids[0]!, kids[1]!, x, null, false) : null;
}

export interface BlockOptions { stride?: number; downsample?: nn.Module | null; groups?: number; baseWidth?: number; dilation?: number; normLayer?: NormLayer | null }

export class BasicBlock extends nn.Module {
  static readonly expansion = 1;
  conv1: nn.Conv2d;
  bn1: nn.Module;
  relu: nn.ReLU;
  conv2: nn.Conv2d;
  bn2: nn.Module;
  downsample: nn.Module | null;
  readonly stride: number;

  constructor(inplanes: number, planes: number, { stride = 1, downsample = null, groups = 1, baseWidth = 64, dilation = 1, normLayer = null }: BlockOptions = {}) {
    super();
    const norm = normLayer ?? defaultNorm;
    if (groups !== 1 || baseWidth !== 64) throw new ValueError("BasicBlock only supports groups=1 and base_width=64");
    if (dilation > 1) throw new NotImplementedError("Dilation > 1 not supported in BasicBlock");
    this.conv1 = conv3x3(inplanes, planes, stride);
    this.bn1 = norm(planes);
    this.relu = new nn.ReLU(true);
    this.conv2 = conv3x3(planes, planes);
    this.bn2 = norm(planes);
    this.downsample = downsample;
    this.stride = stride;
  }

  override forward(x: Tensor): Tensor {
    const fuse = _runsOwnForward(this.relu, nn.ReLU);
    const identity = this.downsample !== null ? (fuse ? downsampleFused(this.downsample, x) : null) ?? this.downsample.forward(x) : x;
    let out = (fuse ? convBn(this.conv1, this.bn1, x, null, true) : null) ?? this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    const fused = fuse ? convBn(this.conv2, this.bn2, out, identity, true) : null;
    if (fused) return fused;
    out = this.bn2.forward(this.conv2.forward(out));
    out = out.add_(identity);
    return this.relu.forward(out);
  }
}

export class Bottleneck extends nn.Module {
  static readonly expansion = 4;
  conv1: nn.Conv2d;
  bn1: nn.Module;
  conv2: nn.Conv2d;
  bn2: nn.Module;
  conv3: nn.Conv2d;
  bn3: nn.Module;
  relu: nn.ReLU;
  downsample: nn.Module | null;
  readonly stride: number;

  constructor(inplanes: number, planes: number, { stride = 1, downsample = null, groups = 1, baseWidth = 64, dilation = 1, normLayer = null }: BlockOptions = {}) {
    super();
    const norm = normLayer ?? defaultNorm;
    const width = Math.trunc(planes * (baseWidth / 64)) * groups;
    this.conv1 = conv1x1(inplanes, width);
    this.bn1 = norm(width);
    this.conv2 = conv3x3(width, width, stride, groups, dilation);
    this.bn2 = norm(width);
    this.conv3 = conv1x1(width, planes * Bottleneck.expansion);
    this.bn3 = norm(planes * Bottleneck.expansion);
    this.relu = new nn.ReLU(true);
    this.downsample = downsample;
    this.stride = stride;
  }

  override forward(x: Tensor): Tensor {
    const fuse = _runsOwnForward(this.relu, nn.ReLU);
    const identity = this.downsample !== null ? (fuse ? downsampleFused(this.downsample, x) : null) ?? this.downsample.forward(x) : x;
    let out = (fuse ? convBn(this.conv1, this.bn1, x, null, true) : null) ?? this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    out = (fuse ? convBn(this.conv2, this.bn2, out, null, true) : null) ?? this.relu.forward(this.bn2.forward(this.conv2.forward(out)));
    const fused = fuse ? convBn(this.conv3, this.bn3, out, identity, true) : null;
    if (fused) return fused;
    out = this.bn3.forward(this.conv3.forward(out));
    out = out.add_(identity);
    return this.relu.forward(out);
  }
}

export type Block = typeof BasicBlock | typeof Bottleneck;

export interface ResNetOptions {
  numClasses?: number; zeroInitResidual?: boolean; groups?: number; widthPerGroup?: number;
  replaceStrideWithDilation?: [boolean, boolean, boolean] | null; normLayer?: NormLayer | null;
}

export class ResNet extends nn.Module {
  conv1: nn.Conv2d;
  bn1: nn.Module;
  relu: nn.ReLU;
  maxpool: nn.MaxPool2d;
  layer1: nn.Sequential;
  layer2: nn.Sequential;
  layer3: nn.Sequential;
  layer4: nn.Sequential;
  avgpool: nn.AdaptiveAvgPool2d;
  fc: nn.Module;
  private declare _normLayer: NormLayer;
  declare inplanes: number;
  declare dilation: number;
  declare groups: number;
  declare baseWidth: number;

  constructor(block: Block, layers: number[], { numClasses = 1000, zeroInitResidual = false, groups = 1, widthPerGroup = 64,
    replaceStrideWithDilation = null, normLayer = null }: ResNetOptions = {}) {
    super();
    const norm = normLayer ?? defaultNorm;
    for (const [k, v] of Object.entries({ _normLayer: norm, inplanes: 64, dilation: 1, groups, baseWidth: widthPerGroup }))
      Object.defineProperty(this, k, { value: v, writable: true, enumerable: false, configurable: true });
    const rswd = replaceStrideWithDilation ?? [false, false, false];
    if (rswd.length !== 3) throw new ValueError(`replace_stride_with_dilation should be None or a 3-element tuple, got ${JSON.stringify(rswd)}`);
    this.conv1 = new nn.Conv2d(3, this.inplanes, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = norm(this.inplanes);
    this.relu = new nn.ReLU(true);
    this.maxpool = new nn.MaxPool2d(3, 2, { padding: 1 });
    this.layer1 = this.makeLayer(block, 64, layers[0]!);
    this.layer2 = this.makeLayer(block, 128, layers[1]!, 2, rswd[0]);
    this.layer3 = this.makeLayer(block, 256, layers[2]!, 2, rswd[1]);
    this.layer4 = this.makeLayer(block, 512, layers[3]!, 2, rswd[2]);
    this.avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
    this.fc = new nn.Linear(512 * block.expansion, numClasses);

    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) nn.init.kaimingNormal_(m.weight, { mode: "fan_out", nonlinearity: "relu" });
      else if (m instanceof nn.BatchNorm2d || m instanceof nn.GroupNorm) {
        nn.init.constant_((m as any).weight, 1);
        nn.init.constant_((m as any).bias, 0);
      }
    }
    if (zeroInitResidual) {
      for (const m of this.modules()) {
        if (m instanceof Bottleneck && (m.bn3 as any).weight != null) nn.init.constant_((m.bn3 as any).weight, 0);
        else if (m instanceof BasicBlock && (m.bn2 as any).weight != null) nn.init.constant_((m.bn2 as any).weight, 0);
      }
    }
  }

  private makeLayer(block: Block, planes: number, blocks: number, stride = 1, dilate = false): nn.Sequential {
    const normLayer = this._normLayer;
    let downsample: nn.Module | null = null;
    const previousDilation = this.dilation;
    if (dilate) {
      this.dilation *= stride;
      stride = 1;
    }
    if (stride !== 1 || this.inplanes !== planes * block.expansion)
      downsample = new nn.Sequential(conv1x1(this.inplanes, planes * block.expansion, stride), normLayer(planes * block.expansion));
    const layers: nn.Module[] = [new block(this.inplanes, planes, { stride, downsample, groups: this.groups, baseWidth: this.baseWidth, dilation: previousDilation, normLayer })];
    this.inplanes = planes * block.expansion;
    for (let i = 1; i < blocks; i++)
      layers.push(new block(this.inplanes, planes, { groups: this.groups, baseWidth: this.baseWidth, dilation: this.dilation, normLayer }));
    return new nn.Sequential(...layers);
  }

  override forward(x: Tensor): Tensor {
    const fuse = _runsOwnForward(this.relu, nn.ReLU);
    // the stem's conv -> BatchNorm -> ReLU -> max pool as one native call where the pool is stock
    const pad = fuse ? fusablePool(this.maxpool) : null;
    const pooled = pad !== null ? convBn(this.conv1, this.bn1, x, null, true, pad) : null;
    if (pooled) x = pooled;
    else {
      const stem = fuse ? convBn(this.conv1, this.bn1, x, null, true) : null;
      x = this.maxpool.forward(stem ?? this.relu.forward(this.bn1.forward(this.conv1.forward(x))));
    }
    x = this.layer4.forward(this.layer3.forward(this.layer2.forward(this.layer1.forward(x))));
    x = this.avgpool.forward(x).flatten(1);
    return this.fc.forward(x);
  }
}

export const ResNet18_Weights = weightsEnum("ResNet18_Weights");
export const ResNet34_Weights = weightsEnum("ResNet34_Weights");
export const ResNet50_Weights = weightsEnum("ResNet50_Weights");
export const ResNet101_Weights = weightsEnum("ResNet101_Weights");
export const ResNet152_Weights = weightsEnum("ResNet152_Weights");
export const ResNeXt50_32X4D_Weights = weightsEnum("ResNeXt50_32X4D_Weights");
export const ResNeXt101_32X8D_Weights = weightsEnum("ResNeXt101_32X8D_Weights");
export const ResNeXt101_64X4D_Weights = weightsEnum("ResNeXt101_64X4D_Weights");
export const Wide_ResNet50_2_Weights = weightsEnum("Wide_ResNet50_2_Weights");
export const Wide_ResNet101_2_Weights = weightsEnum("Wide_ResNet101_2_Weights");

export type ResNetBuilderOptions = ModelOptions & Omit<ResNetOptions, "numClasses">;

function makeResnet(block: Block, layers: number[], weightsE: ReturnType<typeof weightsEnum>, fixed: Partial<ResNetOptions> = {}) {
  return (opts: ResNetBuilderOptions = {}): ResNet => {
    const w = verifyWeights(weightsE, opts.weights);
    const { weights: _w, progress = true, numClasses: _n, ...arch } = opts;
    const model = new ResNet(block, layers, { ...arch, ...fixed, numClasses: numClassesFor(opts, w) });
    return loadWeights(model, w, progress);
  };
}

export const resnet18 = makeResnet(BasicBlock, [2, 2, 2, 2], ResNet18_Weights);
export const resnet34 = makeResnet(BasicBlock, [3, 4, 6, 3], ResNet34_Weights);
export const resnet50 = makeResnet(Bottleneck, [3, 4, 6, 3], ResNet50_Weights);
export const resnet101 = makeResnet(Bottleneck, [3, 4, 23, 3], ResNet101_Weights);
export const resnet152 = makeResnet(Bottleneck, [3, 8, 36, 3], ResNet152_Weights);
export const resnext50_32x4d = makeResnet(Bottleneck, [3, 4, 6, 3], ResNeXt50_32X4D_Weights, { groups: 32, widthPerGroup: 4 });
export const resnext101_32x8d = makeResnet(Bottleneck, [3, 4, 23, 3], ResNeXt101_32X8D_Weights, { groups: 32, widthPerGroup: 8 });
export const resnext101_64x4d = makeResnet(Bottleneck, [3, 4, 23, 3], ResNeXt101_64X4D_Weights, { groups: 64, widthPerGroup: 4 });
export const wideResnet50_2 = makeResnet(Bottleneck, [3, 4, 6, 3], Wide_ResNet50_2_Weights, { widthPerGroup: 128 });
export const wideResnet101_2 = makeResnet(Bottleneck, [3, 4, 23, 3], Wide_ResNet101_2_Weights, { widthPerGroup: 128 });

registerModel("resnet18", resnet18, ResNet18_Weights);
registerModel("resnet34", resnet34, ResNet34_Weights);
registerModel("resnet50", resnet50, ResNet50_Weights);
registerModel("resnet101", resnet101, ResNet101_Weights);
registerModel("resnet152", resnet152, ResNet152_Weights);
registerModel("resnext50_32x4d", resnext50_32x4d, ResNeXt50_32X4D_Weights);
registerModel("resnext101_32x8d", resnext101_32x8d, ResNeXt101_32X8D_Weights);
registerModel("resnext101_64x4d", resnext101_64x4d, ResNeXt101_64X4D_Weights);
registerModel("wide_resnet50_2", wideResnet50_2, Wide_ResNet50_2_Weights);
registerModel("wide_resnet101_2", wideResnet101_2, Wide_ResNet101_2_Weights);
