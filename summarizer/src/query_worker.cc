#include "query_worker.h"

#include <system_error>
#include <utility>

#include "sonde/log.h"

namespace sonde::summarizer {

QueryWorker::QueryWorker(size_t max_pending) : max_pending_(max_pending) {
  try {
    thread_ = std::thread([this] { Main(); });
  } catch (const std::system_error&) {
    SONDE_CHECK(false && "cannot start the query thread");
  }
}

QueryWorker::~QueryWorker() { Stop(); }

bool QueryWorker::Post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_ || tasks_.size() >= max_pending_) return false;
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

void QueryWorker::Stop() {
  std::deque<std::function<void()>> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    dropped.swap(tasks_);
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void QueryWorker::Main() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !tasks_.empty(); });
    if (stop_) return;
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    task = nullptr;  // Destroy captures outside the lock.
    lock.lock();
  }
}

}  // namespace sonde::summarizer
