#include "sonde/units.h"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>

namespace sonde {
namespace {

// Reads the leading decimal digits of *text into *value and removes them.
// Returns false on no digits or uint64 overflow.
bool ConsumeNumber(std::string_view* text, uint64_t* value, bool* overflow) {
  size_t i = 0;
  uint64_t v = 0;
  *overflow = false;
  while (i < text->size() && std::isdigit(static_cast<unsigned char>((*text)[i]))) {
    const uint64_t digit = static_cast<uint64_t>((*text)[i] - '0');
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, digit, &v)) {
      *overflow = true;
      return false;
    }
    ++i;
  }
  if (i == 0) return false;
  *value = v;
  text->remove_prefix(i);
  return true;
}

std::string_view ConsumeUnit(std::string_view* text) {
  size_t i = 0;
  while (i < text->size() && std::isalpha(static_cast<unsigned char>((*text)[i]))) ++i;
  std::string_view unit = text->substr(0, i);
  text->remove_prefix(i);
  return unit;
}

std::string Quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

constexpr std::array<std::pair<std::string_view, int64_t>, 5> kDurationUnits = {
    {{"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}}};

int64_t DurationUnitMs(std::string_view unit) {
  for (const auto& [name, ms] : kDurationUnits) {
    if (name == unit) return ms;
  }
  return 0;
}

constexpr uint64_t kKi = 1024;
constexpr std::array<std::pair<std::string_view, uint64_t>, 13> kSizeUnits = {{
    {"TiB", kKi* kKi* kKi* kKi},
    {"GiB", kKi* kKi* kKi},
    {"MiB", kKi* kKi},
    {"KiB", kKi},
    {"TB", 1000000000000},
    {"GB", 1000000000},
    {"MB", 1000000},
    {"kB", 1000},
    {"KB", 1000},
    {"B", 1},
    {"", 1},
    // Not produced by FormatByteSize; accepted as common spellings.
    {"k", 1000},
    {"K", 1000},
}};

uint64_t SizeUnitBytes(std::string_view unit) {
  for (const auto& [name, bytes] : kSizeUnits) {
    if (name == unit) return bytes;
  }
  return 0;
}

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  if (text == "0") return std::chrono::milliseconds(0);
  if (text.empty()) return Status::InvalidArgument("empty duration (expected e.g. 500ms, 10s, 5m)");
  const std::string_view original = text;
  int64_t total = 0;
  while (!text.empty()) {
    uint64_t amount = 0;
    bool overflow = false;
    if (!ConsumeNumber(&text, &amount, &overflow)) {
      return Status::InvalidArgument(Quoted(original) + (overflow
                                                             ? ": too large"
                                                             : ": expected a number then a unit, "
                                                               "e.g. 500ms, 10s, 5m, 1h, 7d"));
    }
    const std::string_view unit = ConsumeUnit(&text);
    if (unit.empty()) {
      return Status::InvalidArgument(Quoted(original) +
                                     ": missing unit (expected ms, s, m, h or d)");
    }
    const int64_t unit_ms = DurationUnitMs(unit);
    if (unit_ms == 0) {
      return Status::InvalidArgument(Quoted(original) + ": unknown unit " + Quoted(unit) +
                                     " (expected ms, s, m, h or d)");
    }
    int64_t part;
    if (amount > static_cast<uint64_t>(INT64_MAX) ||
        __builtin_mul_overflow(static_cast<int64_t>(amount), unit_ms, &part) ||
        __builtin_add_overflow(total, part, &total)) {
      return Status::InvalidArgument(Quoted(original) + ": too large");
    }
  }
  return std::chrono::milliseconds(total);
}

Result<std::chrono::milliseconds> ParseSecondsOrDuration(std::string_view text) {
  if (text.empty() || text.find_first_not_of("0123456789.") != std::string_view::npos) {
    return ParseDuration(text);
  }
  const std::string copy(text);
  char* end = nullptr;
  const double seconds = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || seconds > 86400.0 * 365) {
    return Status::InvalidArgument("'" + copy +
                                   "' is not a number of seconds (or a duration such as 5s)");
  }
  return std::chrono::milliseconds(std::llround(seconds * 1000));
}

std::string FormatDuration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string sign;
  if (ms < 0) {
    sign = "-";
    ms = ms == INT64_MIN ? INT64_MAX : -ms;  // Off by one at the extreme; fine for display.
  }
  for (const auto& [name, unit_ms] : kDurationUnits) {
    if (ms % unit_ms == 0) return sign + std::to_string(ms / unit_ms) + std::string(name);
  }
  return sign + std::to_string(ms) + "ms";
}

Result<uint64_t> ParseByteSize(std::string_view text) {
  const std::string_view original = text;
  uint64_t amount = 0;
  bool overflow = false;
  if (!ConsumeNumber(&text, &amount, &overflow)) {
    return Status::InvalidArgument(Quoted(original) +
                                   (overflow ? ": too large"
                                             : ": expected a whole number of bytes with an "
                                               "optional unit, e.g. 4096, 64KiB, 1MiB, 1GB"));
  }
  const std::string_view unit = ConsumeUnit(&text);
  if (!text.empty()) {
    return Status::InvalidArgument(Quoted(original) +
                                   ": expected a whole number then a unit, e.g. 64MiB");
  }
  const uint64_t unit_bytes = SizeUnitBytes(unit);
  if (unit_bytes == 0) {
    return Status::InvalidArgument(Quoted(original) + ": unknown unit " + Quoted(unit) +
                                   " (expected B, KiB, MiB, GiB, TiB, kB, MB, GB or TB)");
  }
  uint64_t bytes;
  if (__builtin_mul_overflow(amount, unit_bytes, &bytes)) {
    return Status::InvalidArgument(Quoted(original) + ": too large");
  }
  return bytes;
}

std::string FormatByteSize(uint64_t bytes) {
  if (bytes == 0) return "0B";
  // Binary units first (sizes in Sonde are mostly powers of two), then
  // decimal ones, then plain bytes.
  for (size_t i = 0; i < 4; ++i) {
    const auto& [name, unit] = kSizeUnits[i];
    if (bytes % unit == 0) return std::to_string(bytes / unit) + std::string(name);
  }
  for (size_t i = 4; i < 8; ++i) {
    const auto& [name, unit] = kSizeUnits[i];
    if (bytes % unit == 0) return std::to_string(bytes / unit) + std::string(name);
  }
  return std::to_string(bytes) + "B";
}

}  // namespace sonde
