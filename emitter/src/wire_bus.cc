// The bus framing: topic, meta and payload frames of the broker's PUB
// publications (sonde/wire.h, docs/wire-format.md "Bus").
#include <cstring>

#include "msgpack_reader.h"
#include "msgpack_writer.h"
#include "sonde/wire.h"

namespace sonde {

using wire_internal::MsgpackReader;

namespace {

constexpr uint32_t kMetaItems = 5;

}  // namespace

size_t EncodeBusTopic(std::string_view source, char* out, size_t cap) {
  if (source.size() + 1 > cap) return 0;
  std::memcpy(out, source.data(), source.size());
  out[source.size()] = '\0';
  return source.size() + 1;
}

size_t EncodeBusMeta(const BusMeta& meta, char* out, size_t cap) {
  using namespace wire_internal;  // NOLINT: the writer's Put*/*Size vocabulary.
  if (meta.broker_id.size() > kMaxBrokerIdBytes) return 0;
  if (meta.message_count == 0 || meta.message_count > kMaxBusMessages) return 0;
  const size_t size = 1 + 1 + StrSize(meta.broker_id.size()) + UintSize(meta.sequence) +
                      IntSize(meta.received_ms) + UintSize(meta.message_count);
  if (size > cap) return 0;
  char* p = PutArrayHeader(out, kMetaItems);
  p = PutUint(p, kBusVersion);
  p = PutStr(p, meta.broker_id);
  p = PutUint(p, meta.sequence);
  p = PutInt(p, meta.received_ms);
  PutUint(p, meta.message_count);
  return size;
}

// Strict: exactly [2, str <= kMaxBrokerIdBytes, uint, int64, uint] and
// nothing after. A meta frame is not a batch, so its own errors reuse the
// closest WireError: a broker_id too long is kBadSource, a received_ms
// beyond int64 is kBadTimestamp, a message_count of 0 is kEmpty and one
// over kMaxBusMessages kTooManySamples, an array of other than 5 items is
// kWrongType.
BusSequenceStep NextBusSequence(uint64_t last, uint64_t sequence) {
  if (sequence > last) return {sequence - last - 1, false};
  return {sequence - 1, true};  // Sequences start at 1.
}

WireError DecodeBusMeta(std::string_view frame, BusMeta* out) {
  if (frame.empty()) return WireError::kEmpty;
  const auto* begin = reinterpret_cast<const uint8_t*>(frame.data());
  MsgpackReader r(begin, begin + frame.size());
  uint32_t items;
  WireError e = r.ReadArrayHeader(&items);
  if (e != WireError::kOk) return e;
  if (items != kMetaItems) return WireError::kWrongType;
  int64_t version;
  if ((e = r.ReadInt(&version)) != WireError::kOk) return e;
  if (version != kBusVersion) return WireError::kBadVersion;
  std::string_view broker_id;
  if ((e = r.ReadStr(&broker_id)) != WireError::kOk) return e;
  if (broker_id.size() > kMaxBrokerIdBytes) return WireError::kBadSource;
  uint64_t sequence;
  if ((e = r.ReadUint(&sequence)) != WireError::kOk) return e;
  int64_t received_ms;
  bool overflow;
  if ((e = r.ReadInt(&received_ms, &overflow)) != WireError::kOk) return e;
  if (overflow) return WireError::kBadTimestamp;
  uint64_t count;
  if ((e = r.ReadUint(&count)) != WireError::kOk) return e;
  if (count == 0) return WireError::kEmpty;
  if (count > kMaxBusMessages) return WireError::kTooManySamples;
  if (!r.AtEnd()) return WireError::kTrailingBytes;
  out->broker_id = broker_id;
  out->sequence = sequence;
  out->received_ms = received_ms;
  out->message_count = static_cast<uint32_t>(count);
  return WireError::kOk;
}

// Messages carry no length prefix: each one's extent is found by skipping
// its envelope map (bounded and iterative, with the decoder's own depth
// accounting), and the slice is then validated as the broker validated it.
WireError SplitBusPayload(std::string_view payload, uint32_t message_count,
                          std::vector<BusMessage>* out) {
  out->clear();
  if (payload.empty()) return WireError::kEmpty;
  if (payload.size() > kMaxBusPayloadBytes) return WireError::kOversized;
  const auto* begin = reinterpret_cast<const uint8_t*>(payload.data());
  MsgpackReader r(begin, begin + payload.size());
  for (uint32_t i = 0; i < message_count; ++i) {
    if (r.AtEnd()) return WireError::kTruncated;
    const uint8_t* start = r.pos();
    WireError e = r.SkipValue(1);
    if (e != WireError::kOk) return e;
    BusMessage m;
    m.message = std::string_view(reinterpret_cast<const char*>(start),
                                 static_cast<size_t>(r.pos() - start));
    if ((e = ValidateBatch(m.message, &m.source, &m.sample_count)) != WireError::kOk) return e;
    if (!out->empty() && m.source != out->front().source) return WireError::kBadSource;
    out->push_back(m);
  }
  return r.AtEnd() ? WireError::kOk : WireError::kTrailingBytes;
}

}  // namespace sonde
