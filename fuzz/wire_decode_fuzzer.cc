// libFuzzer target for the wire decoder (docs/wire-format.md).
//
// Properties checked on every input, beyond "no crash, no sanitizer report":
// DecodeBatch and ValidateBatch agree; an accepted message re-encodes (with
// the batch/sample tag split kept) and decodes to the same samples; the bus
// meta decoder survives the same bytes and what it accepts re-encodes; the
// bus payload reader agrees with ValidateBatch on one message, and what it
// splits is the payload, cut into valid messages of one source.
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
