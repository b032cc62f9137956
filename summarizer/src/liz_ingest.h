// liz's ingest, POST /api/perf/:host/:epoch (docs/http-api.md): a JSON
// object of numeric fields becomes one wire batch (EncodeBatch, the one
// codec), which the summarizer then decodes and feeds to the same path as
// batches from the broker.
//
// Thread-safety: pure functions.
#ifndef SONDE_SUMMARIZER_LIZ_INGEST_H_
#define SONDE_SUMMARIZER_LIZ_INGEST_H_

#include <string>
#include <string_view>

#include "sonde/status.h"

namespace sonde::summarizer {

// Encodes the samples of one liz POST into *out (a wire message): one gauge
// per field, named after it, taken at `epoch` (seconds, a fraction allowed)
// from source `host`. Returns InvalidArgument with a message fit for the
// client for: an epoch that is not a number or out of the wire's range, a
// body that is not a JSON object or is empty, a field that is not a finite
// number, a bad host or field name, too many fields.
Status EncodeLizPost(std::string_view host, std::string_view epoch, std::string_view body,
                     std::string* out);

}  // namespace sonde::summarizer

#endif  // SONDE_SUMMARIZER_LIZ_INGEST_H_
