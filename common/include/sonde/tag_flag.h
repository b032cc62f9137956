// The one parser for `key=value` command-line values: --tag flags
// (sonde-emit, sonde-agent) and `name=value` sample arguments (sonde-emit),
// so that every binary accepts and rejects the same text with the same
// message.
//
// Thread-safety: pure functions.
#ifndef SONDE_TAG_FLAG_H_
#define SONDE_TAG_FLAG_H_

#include <string>
#include <string_view>
#include <vector>

#include "sonde/sample.h"
#include "sonde/status.h"

namespace sonde {

// Splits "key=value" at the first '=' (the value may contain '=' and may be
// empty). Returns false, leaving the outputs alone, when there is no '=' or
// the key is empty. The views point into `text`.
bool SplitKeyValue(std::string_view text, std::string_view* key, std::string_view* value);

// Parses one --tag value. Returns InvalidArgument
// "tag '<text>': expected key=value, e.g. service=auth" for text that
// SplitKeyValue rejects. Wire limits (lengths, characters) are the codec's
// to check.
Result<Tag> ParseTagFlag(std::string_view text);

// Parses every --tag value in order; the first error as ParseTagFlag.
Result<Tags> ParseTagFlags(const std::vector<std::string>& texts);

}  // namespace sonde

#endif  // SONDE_TAG_FLAG_H_
