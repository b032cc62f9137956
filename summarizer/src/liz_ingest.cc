#include "liz_ingest.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

#include "sonde/sample.h"
#include "sonde/wire.h"

namespace sonde::summarizer {
namespace {

Status ParseEpochMs(std::string_view epoch, int64_t* ms) {
  double seconds = 0;
  const auto [end, ec] = std::from_chars(epoch.data(), epoch.data() + epoch.size(), seconds);
  if (ec != std::errc() || end != epoch.data() + epoch.size() || !std::isfinite(seconds)) {
    return Status::InvalidArgument("epoch must be a number of seconds since 1970, not '" +
                                   std::string(epoch) + "'");
  }
  const double v = std::floor(seconds * 1000.0);
  if (v < static_cast<double>(kMinTimestampMs) || v >= static_cast<double>(kMaxTimestampMs)) {
    return Status::InvalidArgument("epoch " + std::string(epoch) +
                                   " is outside 2000-01-01 .. 2100-01-01");
  }
  *ms = static_cast<int64_t>(v);
  return Status::OK();
}

}  // namespace

Status EncodeLizPost(std::string_view host, std::string_view epoch, std::string_view body,
                     std::string* out) {
  int64_t ts = 0;
  SONDE_RETURN_IF_ERROR(ParseEpochMs(epoch, &ts));
  nlohmann::json j = nlohmann::json::parse(body.begin(), body.end(), nullptr,
                                           /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("body is not valid JSON");
  if (!j.is_object()) return Status::InvalidArgument("body must be a JSON object of numbers");
  if (j.empty()) return Status::InvalidArgument("body has no fields");
  if (j.size() > kMaxSamplesPerBatch) return Status::InvalidArgument("too many fields");
  std::vector<Sample> samples;
  samples.reserve(j.size());
  for (const auto& [name, value] : j.items()) {
    if (!value.is_number()) {
      return Status::InvalidArgument("field '" + name + "' is not a number");
    }
    const double v = value.get<double>();
    if (!std::isfinite(v)) return Status::InvalidArgument("field '" + name + "' is not finite");
    samples.push_back(Sample{name, v, ts, MetricKind::kGauge, {}});
  }
  const WireError e = EncodeBatch(host, ts, Tags{}, samples, out);
  switch (e) {
    case WireError::kOk:
      return Status::OK();
    case WireError::kBadSource:
      return Status::InvalidArgument("bad host '" + std::string(host) + "'");
    case WireError::kBadName:
      return Status::InvalidArgument("a field name is empty, too long or has control characters");
    case WireError::kOversized:
      return Status::InvalidArgument("too many fields for one batch");
    default:
      return Status::InvalidArgument(std::string("cannot encode: ") + WireErrorName(e));
  }
}

}  // namespace sonde::summarizer
