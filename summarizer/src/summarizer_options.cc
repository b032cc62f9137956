#include <string>

#include "http_address.h"
#include "sonde/summarizer.h"

namespace sonde::summarizer {
namespace {

Status CheckEndpoint(const std::string& e) {
  const bool tcp = e.rfind("tcp://", 0) == 0 && e.size() > 6;
  const bool ipc = e.rfind("ipc://", 0) == 0 && e.size() > 6;
  if (!tcp && !ipc) {
    return Status::InvalidArgument("--from: expected tcp://host:port or ipc://path, not '" + e +
                                   "'");
  }
  if (tcp && e.find(':', 6) == std::string::npos) {
    return Status::InvalidArgument("--from: '" + e + "' has no port");
  }
  return Status::OK();
}

}  // namespace

Status SummarizerOptions::Validate() const {
  using std::chrono::hours;
  using std::chrono::milliseconds;
  using std::chrono::minutes;
  using std::chrono::seconds;
  if (from.empty()) return Status::InvalidArgument("--from: at least one broker endpoint needed");
  for (const std::string& e : from) SONDE_RETURN_IF_ERROR(CheckEndpoint(e));
  if (data_dir.empty()) return Status::InvalidArgument("--data-dir: must not be empty");
  if (!http.empty()) {
    HttpAddress a;
    SONDE_RETURN_IF_ERROR(ParseHttpAddress(http, &a));
  }
  if (flush_interval < milliseconds(10) || flush_interval > minutes(1)) {
    return Status::InvalidArgument("--flush-interval: must be between 10ms and 1m");
  }
  if (lateness < milliseconds(0) || lateness > hours(1)) {
    return Status::InvalidArgument("--lateness: must be between 0 and 1h");
  }
  if (max_future < milliseconds(0) || max_future > hours(1)) {
    return Status::InvalidArgument("--max-future: must be between 0 and 1h");
  }
  if (minute_retention < minutes(1)) {
    return Status::InvalidArgument("--minute-retention: must be at least 1m");
  }
  if (hour_retention < hours(1)) {
    return Status::InvalidArgument("--hour-retention: must be at least 1h");
  }
  if (sweep_interval < seconds(1) || sweep_interval > hours(1)) {
    return Status::InvalidArgument("--sweep-interval: must be between 1s and 1h");
  }
  if (max_db_size < (uint64_t{1} << 20) || max_db_size > (uint64_t{1} << 40)) {
    return Status::InvalidArgument("--max-db-size: must be between 1MiB and 1TiB");
  }
  if (max_series == 0 || max_series > (size_t{1} << 31)) {
    return Status::InvalidArgument("--max-series: must be between 1 and 2^31");
  }
  if (max_tag_values == 0) return Status::InvalidArgument("--max-tag-values: must be at least 1");
  if (max_windows == 0) return Status::InvalidArgument("--max-windows: must be at least 1");
  if (sub_hwm < 1) return Status::InvalidArgument("--sub-hwm: must be at least 1");
  return Status::OK();
}

}  // namespace sonde::summarizer
