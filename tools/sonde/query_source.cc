#include "query_source.h"

#include "http_query_source.h"
#include "local_query_source.h"
#include "sonde/data_dir.h"

namespace sonde::tools {

Result<std::unique_ptr<QuerySource>> OpenQuerySource(const QueryFlags& flags) {
  if (!flags.url.empty()) return OpenHttpQuerySource(flags.url, flags.timeout_ms);
  std::string dir = flags.db;
  if (dir.empty()) {
    Result<std::string> found = DefaultDataDir();
    if (!found) {
      return Status::NotFound(
          "no data directory: set SONDE_DATA_DIR or HOME, or pass --db DIR or --url URL");
    }
    dir = *found;
  }
  return OpenLocalQuerySource(dir);
}

}  // namespace sonde::tools
