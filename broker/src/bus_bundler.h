// Bundles the validated messages of one ingest burst into one publication
// per source (docs/wire-format.md, "Bus"): a source's messages in arrival
// order, concatenated, at most kMaxBusPayloadBytes per publication. The
// caller flushes at the end of every burst (a recvmmsg call, a PULL drain),
// so bundling adds no latency and needs no timer.
//
// Bounds: kMaxPending messages are held at most (PULL messages as moved
// zmq_msg_t, UDP ones as views into the receive buffer); reaching that
// publishes everything first. A bundle of one PULL message is published
// without a copy; a bigger bundle is copied once into its payload. Nothing
// is allocated after construction (ZeroMQ allocates each payload).
//
// Thread-safety: used by the loop thread only.
#ifndef SONDE_BROKER_BUS_BUNDLER_H_
#define SONDE_BROKER_BUS_BUNDLER_H_

#include <zmq.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "zmq_publisher.h"

namespace sonde::broker {

class BusBundler {
 public:
  static constexpr size_t kMaxPending = 1024;

  // `publisher` is not owned and must outlive the bundler.
  explicit BusBundler(ZmqPublisher* publisher);
  ~BusBundler();  // Releases held messages (unpublished: call Flush() first).
  BusBundler(const BusBundler&) = delete;
  BusBundler& operator=(const BusBundler&) = delete;

  // Adds a validated message from `source` (a view into `message`) received
  // at `received_ms`. The bytes must stay valid until the next Flush().
  void Add(std::string_view source, std::string_view message, int64_t received_ms);

  // Adds a validated message held in *message (`source` views into it): its
  // content moves into the bundler, leaving *message empty for reuse.
  void AddMessage(std::string_view source, zmq_msg_t* message, int64_t received_ms);

  // Publishes every pending bundle, in the order their sources first came.
  void Flush();

  bool empty() const { return pending_ == 0; }

 private:
  struct Bundle {
    std::string_view source;
    int64_t received_ms;
    uint32_t bytes;
    uint32_t count;
    uint32_t first;  // Index of the first message in entries_.
    uint32_t last;
  };
  struct Entry {
    std::string_view message;
    uint32_t next;  // The bundle's next message, kNone at its end.
    bool held;      // Its bytes are held_[index].
  };
  static constexpr uint32_t kNone = UINT32_MAX;
  static constexpr size_t kSlots = 2 * kMaxPending;  // Open addressing, half full at most.

  // The open bundle of `source` (one that can still take `bytes`), or a new one.
  Bundle& BundleFor(std::string_view source, size_t bytes, int64_t received_ms);
  void Append(std::string_view source, std::string_view message, int64_t received_ms, bool held);
  void Publish(const Bundle& bundle);

  ZmqPublisher* publisher_;
  std::unique_ptr<Bundle[]> bundles_;
  std::unique_ptr<Entry[]> entries_;
  std::unique_ptr<uint32_t[]> slots_;  // Source hash -> bundle index + 1; 0: free.
  std::unique_ptr<zmq_msg_t[]> held_;  // By entry index; empty when not held.
  size_t bundle_count_ = 0;
  size_t pending_ = 0;
};

}  // namespace sonde::broker

#endif  // SONDE_BROKER_BUS_BUNDLER_H_
