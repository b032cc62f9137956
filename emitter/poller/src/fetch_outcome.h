// What one fetch means for its target: the record it yields, whether it is
// worth another attempt, and how long to wait before it. Pure functions,
// tested without a network (tests/poller/fetch_outcome_test.cc).
#ifndef SONDE_POLLER_SRC_FETCH_OUTCOME_H_
#define SONDE_POLLER_SRC_FETCH_OUTCOME_H_

#include <chrono>

#include "fetch_result.h"
#include "sonde/status_page.h"
#include "sonde/target.h"
#include "sonde/target_record.h"

namespace sonde::poller {

// The record of `target` after `attempts` requests ending in `result`:
// 2xx + a JSON object -> up with its fields; 4xx/5xx/other codes and
// unparsable bodies are classed; transport failures keep their class.
// Adds the page's dropped fields to *dropped_fields when non-null.
fleet::TargetRecord BuildRecord(const Target& target, const FetchResult& result, int attempts,
                                const StatusPageOptions& page_options,
                                uint64_t* dropped_fields = nullptr);

// Retried: refused, timeout, http_5xx and other (resets, empty replies).
// Not retried: dns (the resolver retried already), http_4xx, invalid_json,
// body_too_large, tls — another attempt would say the same.
bool ShouldRetry(fleet::FailureClass failure);

// Wait before retry number `retry` (1-based): first * 2^(retry-1), at most `max`.
std::chrono::milliseconds BackoffDelay(int retry, std::chrono::milliseconds first,
                                       std::chrono::milliseconds max);

}  // namespace sonde::poller

#endif  // SONDE_POLLER_SRC_FETCH_OUTCOME_H_
