// libFuzzer target for the wire decoder (docs/wire-format.md).
//
// Properties checked on every input, beyond "no crash, no sanitizer report":
// DecodeBatch and ValidateBatch agree; an accepted message re-encodes (with
// the batch/sample tag split kept) and decodes to the same samples; the bus
// meta decoder survives the same bytes and what it accepts re-encodes; the
// bus payload reader agrees with ValidateBatch on one message, and what it
// splits is the payload, cut into valid messages of one source;
// DecodeBusPayload agrees with SplitBusPayload and DecodeBatch.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "sonde/wire.h"

namespace {

void Require(bool ok) {
  if (!ok) std::abort();
}

sonde::Tags Owned(sonde::TagsView view) {
  sonde::Tags tags;
  for (const sonde::TagView& t : view) tags.push_back({std::string(t.key), std::string(t.value)});
  return tags;
}

void CheckReencodes(const sonde::BatchView& batch) {
  std::vector<sonde::Sample> samples;
  for (const sonde::SampleView& v : batch.samples) {
    samples.push_back({std::string(v.name), v.value, v.timestamp_ms, v.kind, Owned(v.tags)});
  }
  std::string again;
  const sonde::WireError e =
      sonde::EncodeBatch(batch.source, batch.timestamp_ms, Owned(batch.tags), samples, &again);
  // float32 values grow to float64, so a full message may no longer fit.
  if (e == sonde::WireError::kOversized) return;
  Require(e == sonde::WireError::kOk);
  sonde::BatchView decoded;
  Require(sonde::DecodeBatch(again, &decoded) == sonde::WireError::kOk);
  Require(sonde::ToSamples(decoded) == sonde::ToSamples(batch));
}

void CheckBusPayload(std::string_view payload, sonde::WireError validated) {
  static std::vector<sonde::BusMessage> bundle;  // Reused, as subscribers do.
  const sonde::WireError one = sonde::SplitBusPayload(payload, 1, &bundle);
  // Over kMaxBusPayloadBytes both say oversized: the limits are equal.
  Require((one == sonde::WireError::kOk) == (validated == sonde::WireError::kOk));
  for (uint32_t count = 2; count <= 4; ++count) {
    if (sonde::SplitBusPayload(payload, count, &bundle) != sonde::WireError::kOk) continue;
    Require(bundle.size() == count);
    std::string joined;
    for (const sonde::BusMessage& m : bundle) {
      std::string_view source;
      Require(sonde::ValidateBatch(m.message, &source, nullptr) == sonde::WireError::kOk);
      Require(source == bundle.front().source);
      joined.append(m.message);
    }
    Require(joined == payload);
  }
  // DecodeBusPayload accepts what SplitBusPayload accepts, names the same
  // error, and decodes each message as DecodeBatch does.
  static sonde::BusBatches decoded;  // Reused, as the summarizer does.
  for (uint32_t count = 1; count <= 4; ++count) {
    const sonde::WireError split = sonde::SplitBusPayload(payload, count, &bundle);
    Require(sonde::DecodeBusPayload(payload, count, &decoded) == split);
    if (split != sonde::WireError::kOk) {
      Require(decoded.batches().empty());
      continue;
    }
    Require(decoded.batches().size() == count);
    for (uint32_t i = 0; i < count; ++i) {
      static sonde::BatchView alone;
      Require(sonde::DecodeBatch(bundle[i].message, &alone) == sonde::WireError::kOk);
      const sonde::BatchView& b = decoded.batches()[i];
      Require(b.source == alone.source && b.timestamp_ms == alone.timestamp_ms);
      Require(sonde::ToSamples(b) == sonde::ToSamples(alone));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view message(reinterpret_cast<const char*>(data), size);
  static sonde::BatchView batch;  // Reused, as services do.
  const sonde::WireError decoded = sonde::DecodeBatch(message, &batch);
  std::string_view source;
  uint32_t count = 0;
  const sonde::WireError validated = sonde::ValidateBatch(message, &source, &count);
  Require(decoded == validated);
  if (decoded == sonde::WireError::kOk) {
    Require(source == batch.source && count == batch.samples.size());
    CheckReencodes(batch);
  }
  sonde::BusMeta meta;
  if (sonde::DecodeBusMeta(message, &meta) == sonde::WireError::kOk) {
    char buf[128];
    Require(sonde::EncodeBusMeta(meta, buf, sizeof buf) > 0);
  }
  CheckBusPayload(message, validated);
  return 0;
}
