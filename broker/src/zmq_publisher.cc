#include "zmq_publisher.h"

#include <cassert>
#include <cerrno>
#include <utility>

namespace sonde::broker {

ZmqPublisher::ZmqPublisher(std::string broker_id, BrokerMetrics* metrics)
    : broker_id_(std::move(broker_id)), metrics_(metrics) {
  assert(broker_id_.size() <= kMaxBrokerIdBytes);
}

ZmqPublisher::~ZmqPublisher() { Close(); }

Status ZmqPublisher::Bind(void* context, const std::string& endpoint, int hwm, int linger_ms) {
  socket_ = zmq_socket(context, ZMQ_PUB);
  if (socket_ == nullptr) return Status::IOError(std::string("zmq_socket: ") + zmq_strerror(errno));
  zmq_setsockopt(socket_, ZMQ_SNDHWM, &hwm, sizeof hwm);
  zmq_setsockopt(socket_, ZMQ_LINGER, &linger_ms, sizeof linger_ms);
  if (zmq_bind(socket_, endpoint.c_str()) != 0) {
    return Status::IOError("cannot bind PUB " + endpoint + ": " + zmq_strerror(errno));
  }
  char last[256];
  size_t size = sizeof last;
  if (zmq_getsockopt(socket_, ZMQ_LAST_ENDPOINT, last, &size) == 0) {
    endpoint_.assign(last, size > 0 ? size - 1 : 0);
  } else {
    endpoint_ = endpoint;
  }
  return Status::OK();
}

uint64_t ZmqPublisher::SendHeader(std::string_view source, int64_t received_ms, uint32_t count) {
  size_t topic_size = EncodeBusTopic(source, topic_, sizeof topic_);
  const uint64_t sequence = sequence_ + 1;
  size_t meta_size = EncodeBusMeta(BusMeta{.broker_id = broker_id_,
                                           .sequence = sequence,
                                           .received_ms = received_ms,
                                           .message_count = count},
                                   meta_, sizeof meta_);
  // Both fit by construction: a validated source is at most kMaxSourceBytes
  // and broker_id at most kMaxBrokerIdBytes.
  assert(topic_size > 0 && meta_size > 0);
  // A PUB socket takes or drops a whole multipart message at its first
  // frame (per subscriber, at ZMQ_SNDHWM), so only that send can fail for
  // a reason other than the context closing.
  if (zmq_send(socket_, topic_, topic_size, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) return 0;
  if (zmq_send(socket_, meta_, meta_size, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) return 0;
  return sequence;
}

void ZmqPublisher::Published(size_t payload_bytes, uint32_t count, uint64_t sequence, bool ok) {
  if (!ok) {
    metrics_->publish_errors->Inc();
    return;
  }
  sequence_ = sequence;
  metrics_->published->Inc();
  metrics_->published_messages->Inc(count);
  metrics_->published_bytes->Inc(payload_bytes);
}

bool ZmqPublisher::Publish(std::string_view source, std::string_view payload, int64_t received_ms) {
  if (socket_ == nullptr) return false;
  uint64_t sequence = SendHeader(source, received_ms, 1);
  bool ok = sequence != 0 && zmq_send(socket_, payload.data(), payload.size(), ZMQ_DONTWAIT) >= 0;
  Published(payload.size(), 1, sequence, ok);
  return ok;
}

bool ZmqPublisher::PublishBundle(std::string_view source, zmq_msg_t* payload, uint32_t count,
                                 int64_t received_ms) {
  if (socket_ == nullptr) return false;
  const size_t size = zmq_msg_size(payload);
  uint64_t sequence = SendHeader(source, received_ms, count);
  bool ok = sequence != 0 && zmq_msg_send(payload, socket_, ZMQ_DONTWAIT) >= 0;
  Published(size, count, sequence, ok);
  return ok;
}

void ZmqPublisher::Close() {
  if (socket_ == nullptr) return;
  zmq_close(socket_);
  socket_ = nullptr;
}

}  // namespace sonde::broker
