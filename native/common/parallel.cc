// SPDX-License-Identifier: BSD-3-Clause
#include "common/parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace tt {
namespace {

class Pool {
 public:
  explicit Pool(int n) { resize(n); }
  ~Pool() { stop(); }

  int size() const { return numThreads_; }

  void resize(int n) {
    stop();
    numThreads_ = std::max(1, n);
    quit_ = false;
    // new workers must not mistake an earlier generation for pending work
    for (int i = 1; i < numThreads_; i++) workers_.emplace_back([this, i, g = generation_] { loop(i, g); });
  }

  // Runs task(i) for i in [0, numThreads) with the caller as thread 0; returns when all finish.
  void run(const std::function<void(int)>& task) {
    std::unique_lock<std::mutex> lock(mu_);
    task_ = &task;
    pending_ = numThreads_ - 1;
    generation_++;
    lock.unlock();
    cv_.notify_all();
    std::exception_ptr err;
    try { task(0); } catch (...) { err = std::current_exception(); }
    lock.lock();
    done_.wait(lock, [this] { return pending_ == 0; });
    task_ = nullptr;
    if (!err && workerError_) err = workerError_;
    workerError_ = nullptr;
    if (err) std::rethrow_exception(err);
  }

 private:
  void loop(int id, uint64_t seen) {
    for (;;) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return quit_ || generation_ != seen; });
      if (quit_) return;
      seen = generation_;
      const std::function<void(int)>* task = task_;
      lock.unlock();
      try { (*task)(id); } catch (...) {
        std::lock_guard<std::mutex> g(mu_);
        workerError_ = std::current_exception();
      }
      lock.lock();
      if (--pending_ == 0) done_.notify_one();
    }
  }

  void stop() {
    {
      std::lock_guard<std::mutex> g(mu_);
      quit_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  int numThreads_ = 1;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_, done_;
  const std::function<void(int)>* task_ = nullptr;
  int pending_ = 0;
  uint64_t generation_ = 0;
  bool quit_ = false;
  std::exception_ptr workerError_;
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

void setNumThreads(int n) {
  std::lock_guard<std::mutex> g(runMu);
  pool().resize(n);
}

void parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
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
  int64_t per = (n + chunks - 1) / chunks;
  pool().run([&](int id) {
    int64_t b = id * per, e = std::min(n, b + per);
    if (id < chunks && b < e) fn(b, e);
  });
}

}  // namespace tt
