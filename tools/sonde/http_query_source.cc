#include "http_query_source.h"

namespace sonde::tools {

Result<std::unique_ptr<QuerySource>> OpenHttpQuerySource(const std::string& base_url,
                                                         int64_t timeout_ms) {
  (void)timeout_ms;
  return Status::Unavailable("--url " + base_url + ": not implemented yet");
}

}  // namespace sonde::tools
