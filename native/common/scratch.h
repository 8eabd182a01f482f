// SPDX-License-Identifier: BSD-3-Clause
// Thread-local scratch buffers: grown on demand (the old block freed first, so a thread holds one
// block per slot at most), never zero-filled, and kept for the thread's life so repeated calls do
// not allocate. Each Owner (a tag type per kernel family) has its own slots, so one family's
// scratch never aliases another's when one calls into the other.
#pragma once
#include <cstddef>
#include <vector>

namespace tt {

constexpr int kScratchSlots = 4;

template <class Owner, class T> T* threadScratch(int which, size_t n) {
  static thread_local std::vector<T> bufs[kScratchSlots];
  std::vector<T>& v = bufs[which];
  if (v.size() < n) { v.clear(); v.shrink_to_fit(); v.resize(n); }
  return v.data();
}

}  // namespace tt
