// QuerySource: where the `sonde` query commands read from. Two
// implementations with the same contract: LocalQuerySource reads the LMDB
// store directly (read-only, beside a running summarizer) and
// HttpQuerySource asks a summarizer's HTTP API (docs/http-api.md).
//
// Every method replaces *out and returns OK, or:
//   NotFound     an unknown host (message "unknown host 'x'");
//   Unavailable  the summarizer cannot be reached (HTTP);
//   Corruption   damaged data or an answer that is not the API's JSON;
//   IOError      LMDB or the network failed.
// Results are sorted as Store documents them (store.h).
//
// Thread-safety: one thread at a time.
#ifndef SONDE_TOOLS_SONDE_QUERY_SOURCE_H_
#define SONDE_TOOLS_SONDE_QUERY_SOURCE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "query_flags.h"
#include "sonde/api_json.h"
#include "sonde/latest_state.h"
#include "sonde/status.h"
#include "sonde/store.h"

namespace sonde::tools {

class QuerySource {
 public:
  virtual ~QuerySource() = default;

  // Every host that reported, sorted by name.
  virtual Status ListHosts(std::vector<HostInfo>* out) = 0;
  // The series of `host` with their latest state.
  virtual Status ListSeries(std::string_view host, std::vector<LatestState>* out) = 0;
  // Windows per series, as the HTTP API serves them (api::WindowStats: the
  // derived statistics, no sketches); series without windows in range are
  // left out. An open window's rate counts up to `now_ms` (--now) when read
  // from the store; a summarizer counts up to its own clock (the API takes
  // no now).
  virtual Status ReadRollups(const RollupQuery& query, int64_t now_ms,
                             std::vector<api::SeriesWindows>* out) = 0;
  // Latest state of the series the query selects.
  virtual Status ReadLatest(const LatestQuery& query, std::vector<LatestState>* out) = 0;
};

// Opens the source the flags name: --url, else the store at --db (or the
// default data directory). Errors carry a message fit for the user:
//   NotFound         no database at DIR (with how to create one or what
//                    else to pass), or no data directory can be worked out;
//   InvalidArgument  a malformed --url;
//   Corruption       a database of another schema, or damaged;
//   Unavailable, IOError as above.
Result<std::unique_ptr<QuerySource>> OpenQuerySource(const QueryFlags& flags);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_QUERY_SOURCE_H_
