// SPDX-License-Identifier: BSD-3-Clause
// Placeholder until the PyTorch-compatible generator lands.
#include "cpu/kernels.h"
namespace tt {
void registerRandom(Napi::Env, Napi::Object) {}
}  // namespace tt
