#include "sample_spec.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <string>

#include "sonde/wire.h"

namespace sonde::emit {
namespace {

Status Invalid(std::string_view what, std::string_view text, std::string_view why) {
  std::string msg(what);
  msg.append(" '").append(text).append("': ").append(why);
  return Status::InvalidArgument(msg);
}

// Reads exactly n digits at text[*pos] into *out.
bool Digits(std::string_view text, size_t* pos, size_t n, int* out) {
  if (*pos + n > text.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Expect(std::string_view text, size_t* pos, std::string_view one_of) {
  if (*pos >= text.size() || one_of.find(text[*pos]) == std::string_view::npos) return false;
  ++*pos;
  return true;
}

// The zone: "Z", or "+HH:MM" / "-HH:MM" as minutes east of UTC.
bool ParseZone(std::string_view text, size_t* pos, int* offset_min) {
  if (Expect(text, pos, "Zz")) {
    *offset_min = 0;
    return true;
  }
  if (*pos >= text.size()) return false;
  const int sign = text[*pos] == '-' ? -1 : 1;
  int hh = 0;
  int mm = 0;
  if (!Expect(text, pos, "+-") || !Digits(text, pos, 2, &hh) || !Expect(text, pos, ":") ||
      !Digits(text, pos, 2, &mm) || hh > 23 || mm > 59) {
    return false;
  }
  *offset_min = sign * (hh * 60 + mm);
  return true;
}

// RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM), a
// straight-line parser. Fractions beyond milliseconds are truncated.
bool ParseRfc3339(std::string_view text, int64_t* ms) {
  size_t pos = 0;
  int y, mo, d, h, mi, s;
  if (!Digits(text, &pos, 4, &y) || !Expect(text, &pos, "-") || !Digits(text, &pos, 2, &mo) ||
      !Expect(text, &pos, "-") || !Digits(text, &pos, 2, &d) || !Expect(text, &pos, "Tt ") ||
      !Digits(text, &pos, 2, &h) || !Expect(text, &pos, ":") || !Digits(text, &pos, 2, &mi) ||
      !Expect(text, &pos, ":") || !Digits(text, &pos, 2, &s)) {
    return false;
  }
  int frac_ms = 0;
  if (Expect(text, &pos, ".")) {
    size_t start = pos;
    int scale = 100;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      frac_ms += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return false;
  }
  int offset_min = 0;
  if (!ParseZone(text, &pos, &offset_min) || pos != text.size()) return false;
  const std::chrono::year_month_day date{std::chrono::year(y),
                                         std::chrono::month(static_cast<unsigned>(mo)),
                                         std::chrono::day(static_cast<unsigned>(d))};
  if (!date.ok() || h > 23 || mi > 59 || s > 60) return false;  // 60: a leap second.
  const int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  const int64_t seconds = days * 86400 + h * 3600 + mi * 60 + s - offset_min * 60;
  *ms = seconds * 1000 + frac_ms;
  return true;
}

}  // namespace

Result<Sample> ParseSampleSpec(std::string_view text, MetricKind default_kind) {
  constexpr std::string_view kExpected =
      "expected name=value[:kind], e.g. cpu=12.5 or requests=5:counter";
  std::string_view name;
  std::string_view value;
  if (!SplitKeyValue(text, &name, &value)) return Invalid("sample", text, kExpected);
  Sample sample;
  sample.name = std::string(name);
  sample.kind = default_kind;
  if (size_t colon = value.rfind(':'); colon != std::string_view::npos) {
    std::string_view kind = value.substr(colon + 1);
    if (!ParseMetricKind(kind, &sample.kind)) {
      return Invalid(
          "sample", text,
          "unknown kind '" + std::string(kind) + "' (expected gauge, counter or timing)");
    }
    value = value.substr(0, colon);
  }
  const char* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), end, sample.value);
  if (value.empty() || ec != std::errc() || ptr != end) {
    return Invalid("sample", text, "value '" + std::string(value) + "' is not a number");
  }
  if (!std::isfinite(sample.value)) {
    return Invalid("sample", text, "value must be finite");
  }
  return sample;
}

Result<int64_t> ParseTimestamp(std::string_view text) {
  constexpr std::string_view kExpected =
      "expected milliseconds since the epoch or RFC 3339 (2024-05-01T12:00:00Z)";
  int64_t ms = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, ms);
  const bool is_number = !text.empty() && ec == std::errc() && ptr == end;
  if (!is_number && !ParseRfc3339(text, &ms)) return Invalid("time", text, kExpected);
  if (ms < kMinTimestampMs || ms >= kMaxTimestampMs) {
    return Invalid("time", text,
                   is_number ? "outside 2000-2100; is it seconds? give milliseconds since the epoch"
                             : "outside 2000-2100");
  }
  return ms;
}

}  // namespace sonde::emit
