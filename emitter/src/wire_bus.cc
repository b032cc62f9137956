// The bus framing: topic and meta frames of the broker's PUB publications
// (sonde/wire.h, docs/wire-format.md "Bus").
#include <cstring>

#include "msgpack_reader.h"
#include "msgpack_writer.h"
#include "sonde/wire.h"

namespace sonde {

using wire_internal::MsgpackReader;

size_t EncodeBusTopic(std::string_view source, char* out, size_t cap) {
  if (source.size() + 1 > cap) return 0;
  std::memcpy(out, source.data(), source.size());
  out[source.size()] = '\0';
  return source.size() + 1;
}

size_t EncodeBusMeta(const BusMeta& meta, char* out, size_t cap) {
  using namespace wire_internal;  // NOLINT: the writer's Put*/*Size vocabulary.
  if (meta.broker_id.size() > kMaxBrokerIdBytes) return 0;
  const size_t size =
      1 + 1 + StrSize(meta.broker_id.size()) + UintSize(meta.sequence) + IntSize(meta.received_ms);
  if (size > cap) return 0;
  char* p = PutArrayHeader(out, 4);
  p = PutUint(p, kBusVersion);
  p = PutStr(p, meta.broker_id);
  p = PutUint(p, meta.sequence);
  PutInt(p, meta.received_ms);
  return size;
}

// Strict: exactly [1, str <= kMaxBrokerIdBytes, uint, int64] and nothing
// after. A meta frame is not a batch, so its own errors reuse the closest
// WireError: a broker_id too long is kBadSource, a received_ms beyond int64
// is kBadTimestamp, an array of other than 4 items is kWrongType.
WireError DecodeBusMeta(std::string_view frame, BusMeta* out) {
  if (frame.empty()) return WireError::kEmpty;
  const auto* begin = reinterpret_cast<const uint8_t*>(frame.data());
  MsgpackReader r(begin, begin + frame.size());
  uint32_t items;
  WireError e = r.ReadArrayHeader(&items);
  if (e != WireError::kOk) return e;
  if (items != 4) return WireError::kWrongType;
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
  if (!r.AtEnd()) return WireError::kTrailingBytes;
  out->broker_id = broker_id;
  out->sequence = sequence;
  out->received_ms = received_ms;
  return WireError::kOk;
}

}  // namespace sonde
