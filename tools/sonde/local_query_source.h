// LocalQuerySource: a QuerySource over the LMDB store, opened read-only.
// The summarizer may be writing at the same time; each call sees one
// consistent snapshot (store.h).
#ifndef SONDE_TOOLS_SONDE_LOCAL_QUERY_SOURCE_H_
#define SONDE_TOOLS_SONDE_LOCAL_QUERY_SOURCE_H_

#include <memory>
#include <string>

#include "query_source.h"

namespace sonde::tools {

// Opens the store in `dir` read-only. Errors as OpenQuerySource.
Result<std::unique_ptr<QuerySource>> OpenLocalQuerySource(const std::string& dir);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_LOCAL_QUERY_SOURCE_H_
