// SPDX-License-Identifier: BSD-3-Clause
// torch.cuda: the CUDA backend is issue "The CUDA device"; until it lands there is no GPU path,
// and these report that plainly so `cuda if isAvailable() else cpu` programs run on the CPU.
const REASON = "torchts has no CUDA backend yet (issue \"The CUDA device\"); tensors run on the CPU";

export const isAvailable = (): boolean => false;
export const deviceCount = (): number => 0;
export const unavailableReason = (): string => REASON;
