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
  last_envelope_ = std::make_unique<char[]>(kMaxEnvelopeBytes);
}

namespace {

char* PutLength(char* p, size_t length) {
  const auto n = static_cast<QueuedLength>(length);
  std::memcpy(p, &n, sizeof(n));
  return p + sizeof(n);
}

char* PutField(char* p, std::string_view field) {
  *p++ = static_cast<char>(static_cast<uint8_t>(field.size()));
  if (!field.empty()) std::memcpy(p, field.data(), field.size());
  return p + field.size();
}

std::string_view TakeField(std::string_view* in) {
  const auto n = static_cast<uint8_t>((*in)[0]);
  std::string_view field = in->substr(1, n);
  in->remove_prefix(1 + n);
  return field;
}

}  // namespace

size_t EnvelopeBytes(std::string_view source, std::span<const TagView> tags) {
  size_t n = 2 + source.size();
  for (const TagView& t : tags) n += 2 + t.key.size() + t.value.size();
  return n;
}

size_t EncodeEnvelope(std::string_view source, std::span<const TagView> tags, char* out) {
  assert(source.size() <= kMaxSourceBytes && tags.size() <= kMaxTagsPerLevel);
  char* p = PutField(out, source);
  *p++ = static_cast<char>(tags.size());
  for (const TagView& t : tags) p = PutField(PutField(p, t.key), t.value);
  return static_cast<size_t>(p - out);
}

void DecodeEnvelope(std::string_view envelope, std::string_view* source,
                    std::vector<TagView>* tags) {
  *source = TakeField(&envelope);
  const auto count = static_cast<uint8_t>(envelope[0]);
  envelope.remove_prefix(1);
  tags->clear();
  for (int i = 0; i < count; ++i) {
    std::string_view key = TakeField(&envelope);
    tags->push_back({key, TakeField(&envelope)});
  }
}

bool SampleQueue::Push(std::string_view envelope, std::string_view sample) noexcept {
  assert(!sample.empty() && sample.size() <= kMaxQueuedSampleBytes);
  assert(envelope.size() <= kMaxEnvelopeBytes);
  size_t need = sizeof(QueuedLength) + sample.size();
  bool notify = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const bool same_envelope =
        envelope.size() == last_envelope_size_ &&
        (envelope.empty() ||
         std::memcmp(envelope.data(), last_envelope_.get(), envelope.size()) == 0);
    if (!same_envelope) need += sizeof(QueuedLength) + 1 + envelope.size();
    if (capacity_ - front_.used < need) {
      dropped_full_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    char* p = front_.data.get() + front_.used;
    if (!same_envelope) {
      p = PutLength(p, 1 + envelope.size());
      *p++ = kEnvelopeMarker;
      if (!envelope.empty()) {
        std::memcpy(p, envelope.data(), envelope.size());
        std::memcpy(last_envelope_.get(), envelope.data(), envelope.size());
      }
      p += envelope.size();
      last_envelope_size_ = envelope.size();
    }
    p = PutLength(p, sample.size());
    std::memcpy(p, sample.data(), sample.size());
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
    last_envelope_size_ = 0;  // Every buffer starts with the own source.
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
