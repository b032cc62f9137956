#include "sample_queue.h"

#include <cassert>
#include <cstring>
#include <utility>

namespace sonde {

SampleQueue::SampleQueue(size_t capacity_bytes, size_t wake_bytes)
    : capacity_(capacity_bytes), wake_bytes_(wake_bytes) {
  assert(wake_bytes > 0 && wake_bytes <= capacity_bytes);
  front_.data = std::make_unique<char[]>(capacity_);
  back_.data = std::make_unique<char[]>(capacity_);
}

bool SampleQueue::Push(std::string_view sample) noexcept {
  assert(!sample.empty() && sample.size() <= kMaxQueuedSampleBytes);
  const size_t need = sizeof(QueuedLength) + sample.size();
  bool notify = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (capacity_ - front_.used < need) {
      dropped_full_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    const auto length = static_cast<QueuedLength>(sample.size());
    char* p = front_.data.get() + front_.used;
    std::memcpy(p, &length, sizeof(length));
    std::memcpy(p + sizeof(length), sample.data(), sample.size());
    front_.used += need;
    accepted_.fetch_add(1, std::memory_order_relaxed);
    // Notify once per fill: wake_ stays set until the consumer wakes.
    if (!wake_ && front_.used >= wake_bytes_) notify = wake_ = true;
  }
  if (notify) cv_.notify_one();
  return true;
}

void SampleQueue::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  cv_.notify_one();
}

void SampleQueue::WaitUntil(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_until(lock, deadline, [this] { return wake_; });
  // Cleared here, before the caller reads why it was woken, so that a Wake()
  // arriving after that read is seen by the next wait.
  wake_ = false;
}

std::string_view SampleQueue::Swap() {
  back_.used = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::swap(front_, back_);
  }
  return {back_.data.get(), back_.used};
}

bool SampleQueue::NextSample(std::string_view* records, std::string_view* sample) {
  if (records->size() < sizeof(QueuedLength)) return false;
  QueuedLength length;
  std::memcpy(&length, records->data(), sizeof(length));
  assert(records->size() >= sizeof(length) + length);
  *sample = records->substr(sizeof(length), length);
  records->remove_prefix(sizeof(length) + length);
  return true;
}

}  // namespace sonde
