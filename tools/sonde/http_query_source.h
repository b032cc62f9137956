// HttpQuerySource: a QuerySource that asks a running summarizer over its
// HTTP API (docs/http-api.md), for `sonde --url`.
#ifndef SONDE_TOOLS_SONDE_HTTP_QUERY_SOURCE_H_
#define SONDE_TOOLS_SONDE_HTTP_QUERY_SOURCE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "query_source.h"

namespace sonde::tools {

// `base_url` is the summarizer's root, e.g. "http://127.0.0.1:7780".
// Nothing is sent until the first call. InvalidArgument for a URL that is
// not http:// or https://.
Result<std::unique_ptr<QuerySource>> OpenHttpQuerySource(const std::string& base_url,
                                                         int64_t timeout_ms);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_HTTP_QUERY_SOURCE_H_
