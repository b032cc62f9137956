// FetchResult: how one HTTP transfer ended, with curl's codes already
// converted (src/http_client.cc).
#ifndef SONDE_POLLER_SRC_FETCH_RESULT_H_
#define SONDE_POLLER_SRC_FETCH_RESULT_H_

#include <string>
#include <string_view>

#include "sonde/target_record.h"

namespace sonde::poller {

struct FetchResult {
  // kNone when an HTTP response arrived whole; otherwise what stopped it
  // (kRefused, kDns, kTimeout, kTls, kBodyTooLarge or kOther).
  fleet::FailureClass failure = fleet::FailureClass::kNone;
  int http_status = 0;     // 0 when no response line arrived.
  double latency_ms = -1;  // Total time of the transfer.
  std::string_view body;   // Valid during the callback only.
  std::string error;       // Empty when failure == kNone.
};

}  // namespace sonde::poller

#endif  // SONDE_POLLER_SRC_FETCH_RESULT_H_
