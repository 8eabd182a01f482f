// SPDX-License-Identifier: BSD-3-Clause
// A bounded, size-classed cache of large CPU buffers.
//
// allocBuffer(nbytes, zero) returns an ArrayBuffer whose memory comes from this cache. The buffer
// is made with v8::ArrayBuffer::NewBackingStore(data, len, deleter, ...): V8 runs the deleter when
// the backing store dies (right after the garbage collection that finds the ArrayBuffer dead,
// often on V8's background array-buffer sweeper thread, never waiting for the event loop, unlike
// an N-API finalizer), and the deleter puts the block back on its free list for the next fresh
// result. A recycled block skips the page faults (and the kernel's zeroing) of new memory, which
// cost more than the kernel that fills it for large elementwise results.
//
// V8 counts the bytes of every ArrayBuffer's backing store, ours included, as external memory,
// which by itself only drives (incremental) mark-compacts, every ~40 MB here. V8's own typed
// arrays also get cheap scavenges: when V8 allocates a backing store while young ArrayBuffers hold
// more than twice the semi-space size, it scavenges first. Our buffers count in that sum but V8
// only checks on its own allocations, so allocBuffer makes a 1-byte V8 backing store each call to
// keep that check running (measured: 64 KiB results cost 5 us of CPU instead of 18 us each).
// V8 runs the deleters of swept buffers on its sweeper thread (allocStats().returnsOffThread).
//
// Bounds: blocks are rounded up to one of four classes per power of two (at most 25 % slack, of
// address space only until a block is written); the free lists hold at most `limit` bytes (512 MiB
// or 1/8 of the RAM, the oldest block goes first); a background thread unmaps blocks left unused
// for 2 s, and every free block while MemAvailable is under 1/16 of the RAM; emptyCache() unmaps
// all of them. Blocks under 1 MiB come from the C heap, larger ones are their own mappings; those
// of 2 MiB and more are 2 MiB-aligned and advised MADV_HUGEPAGE (transparent huge pages in
// "madvise" mode fault in 2 MiB at a time: a cache miss on 64 MiB costs 14-21 ms of system time
// instead of 52-54 ms with 4 KiB pages, measured here).
//
// The cache is process-wide: worker threads load the same library, and a buffer transferred to a
// worker comes back to the same free lists when that worker's heap frees it. The deleter may run
// on any thread, so everything is under one mutex. The cache is never destroyed (V8 may free
// buffers during process teardown, after static destructors).
#include <napi.h>
#include <v8.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#include "common/parallel.h"

#if !defined(_WIN32)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace tt {

namespace {

constexpr size_t kPage = 4096;
constexpr size_t kHuge = size_t(2) << 20;

// Size class: the smallest of {4,5,6,7} * 2^k (k >= 12) that holds n bytes.
size_t classSize(size_t n) {
  if (n <= 4 * kPage) return 4 * kPage;
  int k = 63 - __builtin_clzll(static_cast<unsigned long long>(n));  // 2^k <= n < 2^(k+1)
  size_t quarter = size_t(1) << (k - 2);
  size_t q = (n + quarter - 1) / quarter;  // 4..8
  return q * quarter;
}

double nowSeconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

struct FreeBlock {
  void* p;
  double freedAt;
};

struct Pool {
  std::mutex mu;
  // Free lists by class size (a handful of classes in practice: a flat vector beats a map).
  std::vector<std::pair<size_t, std::vector<FreeBlock>>> lists;
  size_t cachedBytes = 0;  // bytes on the free lists
  size_t liveBytes = 0;    // bytes handed out and not yet returned
  size_t limit = size_t(512) << 20;
  double maxIdleSeconds = 2.0;
  double lastSweep = 0;
  uint64_t hits = 0, misses = 0, evictions = 0;
  uint64_t returnsOffThread = 0;
  uint64_t pressureTrims = 0;  // blocks given back on a thread that never ran allocBuffer (V8's sweeper)

  std::vector<FreeBlock>& listFor(size_t cls) {
    for (auto& kv : lists)
      if (kv.first == cls) return kv.second;
    lists.emplace_back(cls, std::vector<FreeBlock>());
    return lists.back().second;
  }
};

thread_local bool tAllocates = false;  // set on threads that run JavaScript and allocate

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: see the header comment
  return *p;
}

// Blocks under this come from the C heap (one mapping each would use up the process's map
// count, 65530 by default, with a few thousand live tensors); larger ones are their own mappings,
// which start as zero pages and go straight back to the system when unmapped.
constexpr size_t kMapMin = size_t(1) << 20;

bool isZeroOnMap(size_t cls) {
#if defined(_WIN32)
  (void)cls;
  return false;
#else
  return cls >= kMapMin;
#endif
}

void* mapBlock(size_t cls) {
#if defined(_WIN32)
  return std::malloc(cls);
#else
  if (cls < kMapMin) {
    void* p = nullptr;
    return posix_memalign(&p, 64, cls) == 0 ? p : nullptr;
  }
  if (cls < kHuge) {
    void* p = mmap(nullptr, cls, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
  }
  // 2 MiB-aligned so whole huge pages back it: map one extra huge page and trim the ends.
  size_t len = cls + kHuge;
  void* raw = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  uintptr_t a = reinterpret_cast<uintptr_t>(raw);
  uintptr_t aligned = (a + kHuge - 1) & ~(uintptr_t)(kHuge - 1);
  if (aligned > a) munmap(raw, aligned - a);
  size_t tail = (a + len) - (aligned + cls);
  if (tail) munmap(reinterpret_cast<void*>(aligned + cls), tail);
#ifdef MADV_HUGEPAGE
  madvise(reinterpret_cast<void*>(aligned), cls, MADV_HUGEPAGE);
#endif
  return reinterpret_cast<void*>(aligned);
#endif
}

void unmapBlock(void* p, size_t cls) {
#if defined(_WIN32)
  (void)cls;
  std::free(p);
#else
  if (cls < kMapMin) std::free(p);
  else munmap(p, cls);
#endif
}

// Unmaps free blocks (oldest first) until the cache holds at most `target` bytes, and any block
// idle since before `idleBefore`. Collects them into `out` so the munmaps run outside the lock.
void evictLocked(Pool& P, size_t target, double idleBefore, std::vector<std::pair<void*, size_t>>& out) {
  for (auto& kv : P.lists) {
    auto& v = kv.second;
    size_t drop = 0;
    while (drop < v.size() && v[drop].freedAt < idleBefore) drop++;
    for (size_t i = 0; i < drop; i++) out.emplace_back(v[i].p, kv.first);
    if (drop) {
      v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(drop));
      P.cachedBytes -= drop * kv.first;
      P.evictions += drop;
    }
  }
  while (P.cachedBytes > target) {
    std::vector<FreeBlock>* oldest = nullptr;
    size_t oldestCls = 0;
    for (auto& kv : P.lists)
      if (!kv.second.empty() && (!oldest || kv.second.front().freedAt < oldest->front().freedAt)) {
        oldest = &kv.second;
        oldestCls = kv.first;
      }
    if (!oldest) break;
    out.emplace_back(oldest->front().p, oldestCls);
    oldest->erase(oldest->begin());
    P.cachedBytes -= oldestCls;
    P.evictions++;
  }
}

void unmapAll(const std::vector<std::pair<void*, size_t>>& blocks) {
  for (auto& b : blocks) unmapBlock(b.first, b.second);
}

// MemAvailable and MemTotal from /proc/meminfo, in bytes (0, 0 where unknown).
std::pair<size_t, size_t> memInfo() {
  size_t avail = 0, total = 0;
#if defined(__linux__)
  if (FILE* f = std::fopen("/proc/meminfo", "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, f)) {
      unsigned long long kb;
      if (std::sscanf(line, "MemAvailable: %llu kB", &kb) == 1) avail = static_cast<size_t>(kb) << 10;
      else if (std::sscanf(line, "MemTotal: %llu kB", &kb) == 1) total = static_cast<size_t>(kb) << 10;
    }
    std::fclose(f);
  }
#endif
  return {avail, total};
}

// The trimmer: a background thread that, once a second, unmaps blocks idle for longer than
// maxIdleSeconds, and all free blocks while the system is short of memory (MemAvailable under
// 1/16 of the total), so the cache gives memory back even when JavaScript stops allocating.
void trimmerLoop() {
  Pool& P = pool();
  for (;;) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    auto mi = memInfo();
    bool pressure = mi.second > 0 && mi.first < mi.second / 16;
    std::vector<std::pair<void*, size_t>> evicted;
    {
      std::lock_guard<std::mutex> lock(P.mu);
      if (P.cachedBytes == 0) continue;
      double now = nowSeconds();
      P.lastSweep = now;
      evictLocked(P, pressure ? 0 : P.limit, now - P.maxIdleSeconds, evicted);
      if (pressure) P.pressureTrims++;
    }
    unmapAll(evicted);
  }
}

void startTrimmer() {
  static std::once_flag once;
  std::call_once(once, [] {
    size_t total = memInfo().second;
    if (total > 0) {
      std::lock_guard<std::mutex> lock(pool().mu);
      pool().limit = std::min(pool().limit, total / 8);
    }
    try {
      std::thread(trimmerLoop).detach();
    } catch (...) {
      // no thread: blocks are still trimmed on allocation
    }
  });
}

// The backing-store deleter: back onto the free list (any thread).
void returnBlock(void* data, size_t /*length*/, void* deleterData) {
  size_t cls = reinterpret_cast<size_t>(deleterData);
  Pool& P = pool();
  std::vector<std::pair<void*, size_t>> evicted;
  {
    std::lock_guard<std::mutex> lock(P.mu);
    P.liveBytes -= cls;
    if (!tAllocates) P.returnsOffThread++;
    if (cls > P.limit) {
      evicted.emplace_back(data, cls);
    } else {
      P.listFor(cls).push_back({data, nowSeconds()});
      P.cachedBytes += cls;
      if (P.cachedBytes > P.limit) evictLocked(P, P.limit, 0, evicted);
    }
  }
  unmapAll(evicted);
}

// Zeroes n bytes, on the thread pool when large.
void zeroBytes(char* p, size_t n) {
  constexpr int64_t kChunk = 1 << 16;
  int64_t chunks = static_cast<int64_t>((n + kChunk - 1) / kChunk);
  if (chunks < 16) {
    std::memset(p, 0, n);
    return;
  }
  parallelFor(chunks, 8, [&](int64_t b, int64_t e) {
    size_t lo = static_cast<size_t>(b) * kChunk, hi = std::min(n, static_cast<size_t>(e) * kChunk);
    std::memset(p + lo, 0, hi - lo);
  });
}

// A block of class size >= n: recycled if one is free, else a fresh one (zero-filled if asked).
void* takeBlock(size_t n, size_t cls, bool zero) {
  Pool& P = pool();
  void* p = nullptr;
  std::vector<std::pair<void*, size_t>> evicted;
  {
    std::lock_guard<std::mutex> lock(P.mu);
    double now = nowSeconds();
    if (now - P.lastSweep > P.maxIdleSeconds) {
      P.lastSweep = now;
      evictLocked(P, P.limit, now - P.maxIdleSeconds, evicted);
    }
    auto& v = P.listFor(cls);
    if (!v.empty()) {
      p = v.back().p;
      v.pop_back();
      P.cachedBytes -= cls;
      P.hits++;
    } else {
      P.misses++;
    }
    P.liveBytes += cls;
  }
  unmapAll(evicted);
  if (p) {
    if (zero) zeroBytes(static_cast<char*>(p), n);
    return p;
  }
  p = mapBlock(cls);
  if (!p) {  // out of memory or mappings: give every free block back and try once more
    evicted.clear();
    {
      std::lock_guard<std::mutex> lock(P.mu);
      evictLocked(P, 0, 0, evicted);
    }
    unmapAll(evicted);
    p = mapBlock(cls);
  }
  if (!p) {
    std::lock_guard<std::mutex> lock(P.mu);
    P.liveBytes -= cls;
    return nullptr;
  }
  if (zero && !isZeroOnMap(cls)) std::memset(p, 0, n);
  return p;
}

napi_value toNapi(v8::Local<v8::Value> v) {
  static_assert(sizeof(napi_value) == sizeof(v8::Local<v8::Value>), "napi_value is a v8::Local in Node.js");
  napi_value r;
  std::memcpy(&r, &v, sizeof r);
  return r;
}

// allocBuffer(nbytes, zero): an ArrayBuffer of nbytes from the cache (zero-filled if zero), or
// undefined if no memory could be had.
Napi::Value AllocBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double nd = info[0].As<Napi::Number>().DoubleValue();
  bool zero = info.Length() > 1 && info[1].ToBoolean().Value();
  if (!(nd >= 0) || nd > 9007199254740991.0) throw Napi::RangeError::New(env, "allocBuffer: invalid size");
  size_t n = static_cast<size_t>(nd);
  size_t cls = classSize(n);
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  tAllocates = true;
  {
    // V8 (11.x) runs a scavenge, which frees dead young ArrayBuffers and so returns their blocks
    // here, when it allocates a backing store itself while young ArrayBuffers hold more than
    // twice the semi-space size. It counts our buffers in that sum, but only checks on its own
    // allocations: make one byte's worth so dead results are found by cheap scavenges (as V8's
    // own typed arrays are) instead of waiting for external-memory-driven mark-compacts.
    std::unique_ptr<v8::BackingStore> poke = v8::ArrayBuffer::NewBackingStore(isolate, 1);
  }
  void* p = takeBlock(n, cls, zero);
  if (!p) return env.Undefined();  // the caller falls back to V8's allocator
  std::shared_ptr<v8::BackingStore> bs =
      v8::ArrayBuffer::NewBackingStore(p, n, returnBlock, reinterpret_cast<void*>(cls));
  v8::Local<v8::ArrayBuffer> ab = v8::ArrayBuffer::New(isolate, std::move(bs));
  return Napi::Value(env, toNapi(ab));
}

// allocStats(): the cache's counters.
Napi::Value AllocStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Pool& P = pool();
  std::lock_guard<std::mutex> lock(P.mu);
  Napi::Object o = Napi::Object::New(env);
  o.Set("cachedBytes", Napi::Number::New(env, static_cast<double>(P.cachedBytes)));
  o.Set("liveBytes", Napi::Number::New(env, static_cast<double>(P.liveBytes)));
  o.Set("limit", Napi::Number::New(env, static_cast<double>(P.limit)));
  o.Set("hits", Napi::Number::New(env, static_cast<double>(P.hits)));
  o.Set("misses", Napi::Number::New(env, static_cast<double>(P.misses)));
  o.Set("evictions", Napi::Number::New(env, static_cast<double>(P.evictions)));
  o.Set("pressureTrims", Napi::Number::New(env, static_cast<double>(P.pressureTrims)));
  o.Set("returnsOffThread", Napi::Number::New(env, static_cast<double>(P.returnsOffThread)));
  return o;
}

// setAllocLimit(bytes, maxIdleSeconds?): bounds the free lists (evicting now if over).
Napi::Value SetAllocLimit(const Napi::CallbackInfo& info) {
  Pool& P = pool();
  std::vector<std::pair<void*, size_t>> evicted;
  {
    std::lock_guard<std::mutex> lock(P.mu);
    double l = info[0].As<Napi::Number>().DoubleValue();
    P.limit = l > 0 ? static_cast<size_t>(l) : 0;
    if (info.Length() > 1 && info[1].IsNumber()) P.maxIdleSeconds = info[1].As<Napi::Number>().DoubleValue();
    evictLocked(P, P.limit, 0, evicted);
  }
  unmapAll(evicted);
  return info.Env().Undefined();
}

// emptyCache(): unmaps every free block.
Napi::Value EmptyCache(const Napi::CallbackInfo& info) {
  Pool& P = pool();
  std::vector<std::pair<void*, size_t>> evicted;
  {
    std::lock_guard<std::mutex> lock(P.mu);
    evictLocked(P, 0, 0, evicted);
  }
  unmapAll(evicted);
  return info.Env().Undefined();
}

}  // namespace

void registerAlloc(Napi::Env env, Napi::Object exports) {
  startTrimmer();
  exports.Set("allocBuffer", Napi::Function::New(env, AllocBuffer, "allocBuffer"));
  exports.Set("allocStats", Napi::Function::New(env, AllocStats, "allocStats"));
  exports.Set("setAllocLimit", Napi::Function::New(env, SetAllocLimit, "setAllocLimit"));
  exports.Set("emptyCache", Napi::Function::New(env, EmptyCache, "emptyCache"));
}

}  // namespace tt
