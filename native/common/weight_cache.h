// SPDX-License-Identifier: BSD-3-Clause
// A derived form of a layer's weights (Winograd-transformed, or packed for a kernel) kept between
// calls, per calling thread, each entry with an exact copy of the weights it came from: a call whose
// weights (same address, same key, every bit of content) match an entry reuses it (inference runs
// the same weights every call; the check reads the weights once more, deriving them again costs a
// read plus the writes), and weights changed in place (an optimizer step, a raw write) are derived
// again. Bounded in total size, least recently used evicted. One cache per Owner tag and thread
// (thread_local: Node's worker threads load the same addon and may run layers of their own).
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "common/parallel.h"

namespace tt {

// Whether a and b hold the same bits: memcmp, in blocks over the threads for big weights (the check
// reads both copies from memory on every call: 19 MiB for a 512 x 512 x 3 x 3 layer)
inline bool sameBits(const float* a, const float* b, size_t n) {
  constexpr size_t kBlock = size_t(1) << 16;
  if (n <= 2 * kBlock || getNumThreads() == 1) return std::memcmp(a, b, n * sizeof(float)) == 0;
  std::atomic<bool> differ{false};
  parallelFor((int64_t)((n + kBlock - 1) / kBlock), 1, [&](int64_t b0, int64_t b1) {
    for (int64_t i = b0; i < b1 && !differ.load(std::memory_order_relaxed); i++) {
      const size_t o = (size_t)i * kBlock, len = std::min(kBlock, n - o);
      if (std::memcmp(a + o, b + o, len * sizeof(float)) != 0) differ.store(true, std::memory_order_relaxed);
    }
  });
  return !differ.load();
}

// key: what, besides the address, makes two weights the same entry (shape, layout kind). changed:
// how many calls in a row found the weights changed since the last one (a training loop); skipped:
// free for the owner's own bookkeeping (conv_wino.h counts calls it sent elsewhere).
struct DerivedWeights {
  const float* w;
  int64_t key[3];
  std::vector<float> wcopy, derived;
  uint64_t used;
  int changed = 0, skipped = 0;
};

template <class Owner> std::vector<DerivedWeights>& derivedWeightsCache() {
  static thread_local std::vector<DerivedWeights> cache;
  return cache;
}

// The least-recently-used clock of this thread's cache
template <class Owner> uint64_t& derivedWeightsClock() {
  static thread_local uint64_t clock = 0;
  return clock;
}

// This thread's entry for (w, key), or null; touches nothing.
template <class Owner> DerivedWeights* findDerivedWeights(const float* w, int64_t k0, int64_t k1, int64_t k2) {
  for (DerivedWeights& e : derivedWeightsCache<Owner>())
    if (e.w == w && e.key[0] == k0 && e.key[1] == k1 && e.key[2] == k2) return &e;
  return nullptr;
}

// The derived form (nd floats) of the nw weights at w: fill(dst) writes it. Reused while the
// weights keep every bit, derived again in place when they changed; null when nw + nd is over a
// quarter of maxFloats (too big to keep: the caller derives into scratch). At most maxFloats of
// copies and derived forms are kept per thread and Owner.
template <class Owner, class Fill>
float* cachedDerivedWeights(const float* w, size_t nw, int64_t k0, int64_t k1, int64_t k2, size_t nd, size_t maxFloats,
                            Fill fill) {
  uint64_t& clock = derivedWeightsClock<Owner>();
  if (DerivedWeights* e = findDerivedWeights<Owner>(w, k0, k1, k2)) {
    e->used = ++clock;
    if (!sameBits(e->wcopy.data(), w, nw)) {
      std::memcpy(e->wcopy.data(), w, nw * sizeof(float));
      fill(e->derived.data());
      e->changed++;
    } else {
      e->changed = 0;
    }
    return e->derived.data();
  }
  if (nw + nd > maxFloats / 4) return nullptr;
  std::vector<DerivedWeights>& cache = derivedWeightsCache<Owner>();
  size_t total = nw + nd;
  for (const DerivedWeights& e : cache) total += e.wcopy.size() + e.derived.size();
  while (total > maxFloats && !cache.empty()) {  // evict the least recently used
    auto lru = std::min_element(cache.begin(), cache.end(),
                                [](const DerivedWeights& a, const DerivedWeights& b) { return a.used < b.used; });
    total -= lru->wcopy.size() + lru->derived.size();
    cache.erase(lru);
  }
  cache.push_back(DerivedWeights{w, {k0, k1, k2}, std::vector<float>(w, w + nw), std::vector<float>(nd), ++clock});
  DerivedWeights& e = cache.back();
  fill(e.derived.data());
  return e.derived.data();
}

// For a caller that checks the weights itself, alongside its own work (conv_wino.h: the check's
// memory traffic overlaps the computation on the other threads): the entry for (w, key) whose
// derived form it may use before the check, or null (also when the weights had changed on the last
// call: in a training loop they change every step, and a deferred check would compute each call
// twice). After the work, it calls
// confirmedDerivedWeights when wcopy matched w bit for bit, and otherwise discards its results
// and goes through cachedDerivedWeights, which sees the change and derives again.
template <class Owner> DerivedWeights* uncheckedDerivedWeights(const float* w, size_t nw, int64_t k0, int64_t k1, int64_t k2,
                                                              size_t nd) {
  DerivedWeights* e = findDerivedWeights<Owner>(w, k0, k1, k2);
  return e != nullptr && e->changed == 0 && e->wcopy.size() == nw && e->derived.size() == nd ? e : nullptr;
}
template <class Owner> void confirmedDerivedWeights(DerivedWeights* e) {
  e->used = ++derivedWeightsClock<Owner>();
  e->changed = 0;
}

}  // namespace tt
