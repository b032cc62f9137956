// How sonde-emit reads samples, tags and times from the command line and
// from stdin:
//
//   cpu=12.5              a sample with the default kind (--kind, else gauge)
//   requests=5:counter    with its own kind: gauge|counter|timing (or g|c|ms|t)
//   service=auth          a tag (--tag)
//   1714564800000         a time in milliseconds since the Unix epoch (--time)
//   2024-05-01T12:00:00Z  or RFC 3339, with optional fraction and offset
//
// Errors are InvalidArgument with a message that quotes the input and says
// what was expected. Thread-safety: pure functions.
#ifndef SONDE_TOOLS_SONDE_EMIT_SAMPLE_SPEC_H_
#define SONDE_TOOLS_SONDE_EMIT_SAMPLE_SPEC_H_

#include <cstdint>
#include <string_view>

#include "sonde/sample.h"
#include "sonde/status.h"
#include "sonde/tag_flag.h"

namespace sonde::emit {

// Parses "name=value[:kind]". The sample's timestamp is 0 (now) and it has
// no tags; the name is not checked against wire limits here.
Result<Sample> ParseSampleSpec(std::string_view text, MetricKind default_kind);

// Parses "key=value": sonde::ParseTagFlag (sonde/tag_flag.h), the parser
// sonde-agent shares; kept under this name for the emit tests.
inline Result<Tag> ParseTag(std::string_view text) { return ParseTagFlag(text); }

// Parses milliseconds since the epoch or an RFC 3339 time, and checks that
// it lies within the wire format's range (2000 to 2100).
Result<int64_t> ParseTimestamp(std::string_view text);

}  // namespace sonde::emit

#endif  // SONDE_TOOLS_SONDE_EMIT_SAMPLE_SPEC_H_
