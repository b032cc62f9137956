#include "fetch_outcome.h"

#include <fmt/format.h>

#include <algorithm>

namespace sonde::poller {

using fleet::FailureClass;
using fleet::TargetRecord;

namespace {

FailureClass ClassifyStatus(int status) {
  if (status >= 200 && status < 300) return FailureClass::kNone;
  if (status >= 400 && status < 500) return FailureClass::kHttp4xx;
  if (status >= 500 && status < 600) return FailureClass::kHttp5xx;
  return FailureClass::kOther;  // 1xx, 3xx (a redirect not followed), nonsense.
}

}  // namespace

TargetRecord BuildRecord(const Target& target, const FetchResult& result, int attempts,
                         const StatusPageOptions& page_options, uint64_t* dropped_fields) {
  TargetRecord r;
  r.target = target.name;
  r.attempts = attempts;
  r.http_status = result.http_status;
  if (result.http_status > 0) r.latency_ms = result.latency_ms;
  if (result.failure != FailureClass::kNone) {
    r.failure = result.failure;
    r.error = result.error;
    return r;
  }
  r.failure = ClassifyStatus(result.http_status);
  if (r.failure != FailureClass::kNone) {
    r.error = fmt::format("HTTP {}", result.http_status);
    return r;
  }
  Result<StatusPage> page = ParseStatusPage(result.body, page_options);
  if (!page) {
    r.failure = FailureClass::kInvalidJson;
    r.error = page.error().message();
    return r;
  }
  if (dropped_fields != nullptr) *dropped_fields += page->dropped;
  r.up = true;
  r.numbers = std::move(page->numbers);
  r.strings = std::move(page->strings);
  return r;
}

bool ShouldRetry(FailureClass failure) {
  switch (failure) {
    case FailureClass::kRefused:
    case FailureClass::kTimeout:
    case FailureClass::kHttp5xx:
    case FailureClass::kOther:
      return true;
    default:
      return false;
  }
}

std::chrono::milliseconds BackoffDelay(int retry, std::chrono::milliseconds first,
                                       std::chrono::milliseconds max) {
  std::chrono::milliseconds d = first;
  for (int i = 1; i < retry && d < max; ++i) d *= 2;
  return std::min(d, max);
}

}  // namespace sonde::poller
