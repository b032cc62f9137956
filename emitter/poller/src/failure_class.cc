#include <array>
#include <string_view>

#include "sonde/target_record.h"

namespace sonde::fleet {
namespace {

constexpr std::array<const char*, kFailureClassCount> kNames = {
    "none",         "refused",        "dns", "timeout", "http_4xx", "http_5xx",
    "invalid_json", "body_too_large", "tls", "other",
};

}  // namespace

const char* FailureClassName(FailureClass failure) {
  const auto i = static_cast<size_t>(failure);
  return i < kNames.size() ? kNames[i] : "unknown";
}

bool ParseFailureClass(std::string_view name, FailureClass* failure) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (name == kNames[i]) {
      *failure = static_cast<FailureClass>(i);
      return true;
    }
  }
  return false;
}

bool FailureClassFromCode(int64_t code, FailureClass* failure) {
  if (code < 0 || code >= kFailureClassCount) return false;
  *failure = static_cast<FailureClass>(code);
  return true;
}

}  // namespace sonde::fleet
