#include "bus_bundler.h"

#include <zmq.h>

#include <cassert>
#include <cstring>
#include <functional>

#include "sonde/wire.h"

namespace sonde::broker {

BusBundler::BusBundler(ZmqPublisher* publisher)
    : publisher_(publisher),
      bundles_(std::make_unique<Bundle[]>(kMaxPending)),
      entries_(std::make_unique<Entry[]>(kMaxPending)),
      slots_(std::make_unique<uint32_t[]>(kSlots)),
      held_(std::make_unique<zmq_msg_t[]>(kMaxPending)) {
  for (size_t i = 0; i < kMaxPending; ++i) zmq_msg_init(&held_[i]);
}

BusBundler::~BusBundler() {
  for (size_t i = 0; i < kMaxPending; ++i) zmq_msg_close(&held_[i]);
}

void BusBundler::Add(std::string_view source, std::string_view message, int64_t received_ms) {
  if (pending_ == kMaxPending) Flush();
  Append(source, message, received_ms, /*held=*/false);
}

void BusBundler::AddMessage(std::string_view source, zmq_msg_t* message, int64_t received_ms) {
  if (pending_ == kMaxPending) Flush();
  zmq_msg_t* kept = &held_[pending_];
  const auto* before = static_cast<const char*>(zmq_msg_data(message));
  zmq_msg_move(kept, message);
  // A small message lives inside the zmq_msg_t itself, so its bytes moved.
  const auto* data = static_cast<const char*>(zmq_msg_data(kept));
  Append(std::string_view(data + (source.data() - before), source.size()),
         std::string_view(data, zmq_msg_size(kept)), received_ms, /*held=*/true);
}

void BusBundler::Append(std::string_view source, std::string_view message, int64_t received_ms,
                        bool held) {
  assert(message.size() <= kMaxBusPayloadBytes);
  Bundle& bundle = BundleFor(source, message.size(), received_ms);
  const auto index = static_cast<uint32_t>(pending_++);
  entries_[index] = Entry{message, kNone, held};
  if (bundle.count == 0) {
    bundle.first = index;
  } else {
    entries_[bundle.last].next = index;
  }
  bundle.last = index;
  bundle.bytes += static_cast<uint32_t>(message.size());
  ++bundle.count;
}

BusBundler::Bundle& BusBundler::BundleFor(std::string_view source, size_t bytes,
                                          int64_t received_ms) {
  size_t slot = std::hash<std::string_view>()(source) & (kSlots - 1);
  for (; slots_[slot] != 0; slot = (slot + 1) & (kSlots - 1)) {
    Bundle& open = bundles_[slots_[slot] - 1];
    if (open.source != source) continue;
    if (open.bytes + bytes <= kMaxBusPayloadBytes) return open;
    break;  // Full: a new bundle takes over this slot; order is kept by index.
  }
  const auto index = static_cast<uint32_t>(bundle_count_++);
  bundles_[index] = Bundle{source, received_ms, 0, 0, kNone, kNone};
  slots_[slot] = index + 1;
  return bundles_[index];
}

void BusBundler::Flush() {
  for (size_t i = 0; i < bundle_count_; ++i) Publish(bundles_[i]);
  // Clearing the table by bundle keeps a flush proportional to the burst.
  for (size_t i = 0; i < bundle_count_; ++i) {
    size_t slot = std::hash<std::string_view>()(bundles_[i].source) & (kSlots - 1);
    while (slots_[slot] != 0) {
      slots_[slot] = 0;
      slot = (slot + 1) & (kSlots - 1);
    }
  }
  for (size_t i = 0; i < pending_; ++i) {
    if (!entries_[i].held) continue;
    zmq_msg_close(&held_[i]);
    zmq_msg_init(&held_[i]);
  }
  bundle_count_ = 0;
  pending_ = 0;
}

void BusBundler::Publish(const Bundle& bundle) {
  if (bundle.count == 1) {
    if (entries_[bundle.first].held) {
      publisher_->PublishBundle(bundle.source, &held_[bundle.first], 1, bundle.received_ms);
    } else {
      publisher_->Publish(bundle.source, entries_[bundle.first].message, bundle.received_ms);
    }
    return;
  }
  zmq_msg_t payload;
  zmq_msg_init_size(&payload, bundle.bytes);
  char* out = static_cast<char*>(zmq_msg_data(&payload));
  for (uint32_t e = bundle.first; e != kNone; e = entries_[e].next) {
    std::memcpy(out, entries_[e].message.data(), entries_[e].message.size());
    out += entries_[e].message.size();
  }
  publisher_->PublishBundle(bundle.source, &payload, bundle.count, bundle.received_ms);
  zmq_msg_close(&payload);
}

}  // namespace sonde::broker
