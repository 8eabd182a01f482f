// SPDX-License-Identifier: BSD-3-Clause
#include "common/parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TT_PAUSE() _mm_pause()
#else
#define TT_PAUSE() std::this_thread::yield()
#endif

namespace tt {
namespace {

// How long an idle worker spins for the next parallel region before it sleeps, and how long the
// caller spins for the last chunk before it sleeps (TORCHTS_SPIN_US). Default 0: on the shared
// 2-vCPU KVM guest, 20 us of spinning made 2-thread add on 128K floats 0.96x and 100 us 0.8x of
// the sleep-at-once pool (pause loops there cost the vCPU its slice); with dynamic claiming the
// caller never waits for a worker's wake-up anyway. Worth re-measuring on dedicated cores.
int64_t spinNanos() {
  static const int64_t ns = [] {
    if (const char* env = std::getenv("TORCHTS_SPIN_US")) return (int64_t)std::atoll(env) * 1000;
    return (int64_t)0;  // measured on the shared 2-vCPU VM: any spinning made 2-thread ops slower
  }();
  return ns;
}

// How long the caller spins for chunks that workers are still running before it sleeps, whatever
// TORCHTS_SPIN_US says. Those workers are awake and busy, so the wait is short; sleeping instead
// cost a futex wake-up of the caller, measured at about 50 us on the 2-vCPU KVM guest (a 2-thread
// batch of 32 64^2 products, best calls: 165-173 us sleeping, 105 us spinning at both ends, 144-154
// us with this spin alone, on the busy machine).
constexpr int64_t kCallerSpinNanos = 50000;

// When the caller waits longer than kLateNanos for a worker's chunks, workers skip the polling that
// parallelFor's spinNs asks for during the next kNoPollNanos. On the 2-vCPU VM shared with other
// busy processes, polling workers made MLP inference (2 threads) 1.5x slower in some runs (they took
// chunks, then lost the CPU); on the quiet machine the caller's wait stays far under this.
constexpr int64_t kLateNanos = 50000, kNoPollNanos = 1000000000;

inline int64_t nowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Spins until pred() or `ns` nanoseconds pass; true if pred() held.
template <class Pred> bool spinUntil(Pred pred, int64_t ns) {
  if (pred()) return true;
  if (ns <= 0) return false;
  const auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    for (int i = 0; i < 64; i++) {
      if (pred()) return true;
      TT_PAUSE();
    }
    if (std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count() > ns)
      return pred();
  }
}

// Polls pred() until it holds or `ns` nanoseconds pass, yielding the CPU between short bursts of
// polls (so a thread that shares its CPU with another costs it little); true if pred() held.
template <class Pred> bool pollUntil(Pred pred, int64_t ns) {
  if (pred()) return true;
  if (ns <= 0) return false;
  const auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    for (int i = 0; i < 16; i++) {
      if (pred()) return true;
      TT_PAUSE();
    }
    std::this_thread::yield();
    if (std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count() > ns)
      return pred();
  }
}

// The pool hands out the chunks of one region through a single atomic word, (generation << 32) |
// (chunk count << 16) | next chunk, so a thread can only claim a chunk of the region that is
// current. Chunks are claimed dynamically: the caller runs every chunk no worker has claimed yet,
// so a worker that is slow to wake (asleep, or descheduled on a busy machine) delays nothing, and
// the caller waits only for chunks a worker has actually started.
class Pool {
 public:
  explicit Pool(int n) { resize(n); }
  ~Pool() { stop(); }

  int size() const { return numThreads_; }

  void resize(int n) {
    stop();
    numThreads_ = std::max(1, n);
    quit_.store(false);
    const uint32_t gen = generation_;
    for (int i = 1; i < numThreads_; i++) workers_.emplace_back([this, gen] { loop(gen); });
  }

  // Runs task(c) for every c in [0, chunks), on the caller and the workers; returns when all finish.
  void run(int64_t chunks, const std::function<void(int64_t)>& task, int64_t spinAfter = 0) {
    chunks = std::min<int64_t>(chunks, 0xffff);
    task_ = &task;
    spinAfter_.store(spinAfter, std::memory_order_relaxed);
    error_ = nullptr;
    done_.store(0, std::memory_order_relaxed);
    const uint32_t gen = ++generation_;
    work_.store(((uint64_t)gen << 32) | ((uint64_t)chunks << 16), std::memory_order_release);
    { std::lock_guard<std::mutex> g(mu_); }  // a worker between its check and its wait sees the store
    wake_.notify_all();
    work(gen, chunks);
    // spin a while for chunks a worker has claimed (it is running them) before sleeping
    auto finished = [&] { return done_.load(std::memory_order_acquire) == chunks; };
    if (!finished()) {
      const int64_t t0 = nowNanos();
      if (!spinUntil(finished, std::max<int64_t>(spinNanos(), kCallerSpinNanos))) {
        std::unique_lock<std::mutex> lock(mu_);
        finished_.wait(lock, finished);
      }
      // a worker that held up the caller this long was most likely preempted in its chunk (a busy
      // machine): polling workers take chunks they may not get the CPU to finish, so no polling for a while
      const int64_t t1 = nowNanos();
      if (t1 - t0 > kLateNanos) noPollUntil_.store(t1 + kNoPollNanos, std::memory_order_relaxed);
    }
    task_ = nullptr;
    if (error_) {
      std::exception_ptr e = error_;
      error_ = nullptr;
      std::rethrow_exception(e);
    }
  }

 private:
  // Claims and runs chunks of region `gen` until none is left; returns how many it ran.
  int64_t work(uint32_t gen, int64_t chunks) {
    uint64_t v = work_.load(std::memory_order_acquire);
    int64_t ran = 0;
    for (;;) {
      if ((uint32_t)(v >> 32) != gen) return ran;
      const uint64_t next = v & 0xffff, count = (v >> 16) & 0xffff;
      if (next >= count) return ran;
      if (!work_.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      ran++;
      try {
        (*task_)((int64_t)next);
      } catch (...) {
        std::lock_guard<std::mutex> g(mu_);
        if (!error_) error_ = std::current_exception();
      }
      if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == chunks) {
        { std::lock_guard<std::mutex> g(mu_); }
        finished_.notify_one();
      }
      v = work_.load(std::memory_order_acquire);
    }
  }

  void loop(uint32_t seen) {
    int64_t poll = 0;  // how long to poll for the next region (the last region's request, if this thread ran a chunk of it)
    for (;;) {
      auto fresh = [&] { return quit_.load(std::memory_order_acquire) || (uint32_t)(work_.load(std::memory_order_acquire) >> 32) != seen; };
      if (poll > 0 && nowNanos() < noPollUntil_.load(std::memory_order_relaxed)) poll = 0;
      if (!(poll > spinNanos() ? pollUntil(fresh, poll) : spinUntil(fresh, spinNanos()))) {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, fresh);
      }
      if (quit_.load(std::memory_order_acquire)) return;
      const uint64_t v = work_.load(std::memory_order_acquire);
      seen = (uint32_t)(v >> 32);
      const int64_t spin = spinAfter_.load(std::memory_order_relaxed);
      poll = work(seen, (int64_t)((v >> 16) & 0xffff)) > 0 ? spin : 0;
    }
  }

  void stop() {
    {
      std::lock_guard<std::mutex> g(mu_);
      quit_.store(true);
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  int numThreads_ = 1;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, finished_;
  std::atomic<uint64_t> work_{0};
  std::atomic<int64_t> done_{0};
  std::atomic<bool> quit_{false};
  std::atomic<int64_t> spinAfter_{0};  // the current region's poll request (parallelFor's spinNs)
  std::atomic<int64_t> noPollUntil_{0};  // nowNanos() before which workers do not poll (see run)
  uint32_t generation_ = 0;  // written by the caller only
  const std::function<void(int64_t)>* task_ = nullptr;
  std::exception_ptr error_;
};

int defaultThreads() {
  if (const char* env = std::getenv("TORCHTS_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc ? (int)hc : 1;
}

Pool& pool() {
  static Pool p(defaultThreads());
  return p;
}

std::mutex runMu;  // one parallel region at a time (JS is single-threaded per isolate)

}  // namespace

int getNumThreads() { return pool().size(); }

int64_t gemmPollNanos() {
  static const int64_t ns = [] {
    if (const char* env = std::getenv("TORCHTS_POLL_US")) return (int64_t)std::atoll(env) * 1000;
    return (int64_t)200000;
  }();
  return ns;
}

void setNumThreads(int n) {
  std::lock_guard<std::mutex> g(runMu);
  pool().resize(n);
}

void parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn, int64_t spinNs) {
  if (n <= 0) return;
  int threads = pool().size();
  int64_t chunks = std::min<int64_t>(threads, (n + std::max<int64_t>(grain, 1) - 1) / std::max<int64_t>(grain, 1));
  if (chunks <= 1) {
    fn(0, n);
    return;
  }
  std::unique_lock<std::mutex> g(runMu, std::try_to_lock);
  if (!g.owns_lock()) {  // nested or concurrent call: stay serial
    fn(0, n);
    return;
  }
  const int64_t per = (n + chunks - 1) / chunks;
  chunks = (n + per - 1) / per;
  pool().run(chunks, [&](int64_t c) {
    const int64_t b = c * per, e = std::min(n, b + per);
    if (b < e) fn(b, e);
  }, spinNs);
}

}  // namespace tt
