// sonde-emit's work once flags are parsed: check every sample, open an
// emitter, record, flush within the timeout, and turn the outcome into an
// exit code with one clear stderr line per problem.
//
// Exit codes: 0 all sent; 1 sending failed (peer unreachable, refused, timed
// out, or a host name that does not resolve); 2 bad input (a sample, tag,
// time, timeout or endpoint that cannot be used, or a tag key given twice).
#ifndef SONDE_TOOLS_SONDE_EMIT_EMIT_COMMAND_H_
#define SONDE_TOOLS_SONDE_EMIT_EMIT_COMMAND_H_

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "sonde/emitter.h"

namespace sonde::emit {

// --timeout's range, for the help and the error: the emitter's close_timeout.
inline constexpr std::string_view kTimeoutRange = "0 to 60s";
static_assert(kMaxCloseTimeout == std::chrono::seconds(60), "update kTimeoutRange");

struct EmitCommand {
  std::string to = "udp://127.0.0.1:7700";  // Endpoint URI.
  std::string host;                         // Source; empty: this host's name.
  std::vector<std::string> tags;            // "key=value", sent once per batch.
  std::string kind = "gauge";               // For samples without ":kind".
  std::string time;                         // Empty: now.
  std::chrono::milliseconds timeout{2000};  // For delivery, at the end; kTimeoutRange.
  std::vector<std::string> samples;         // "name=value[:kind]", or "-" for stdin lines.
  bool verbose = false;                     // Print what was sent.
};

// Runs the command; reads `in` where a sample is "-". Messages go to `err`,
// the verbose summary to `out`. Returns the exit code.
int RunEmit(const EmitCommand& command, std::FILE* in, std::FILE* out, std::FILE* err);

}  // namespace sonde::emit

#endif  // SONDE_TOOLS_SONDE_EMIT_EMIT_COMMAND_H_
