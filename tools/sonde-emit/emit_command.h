// sonde-emit's work once flags are parsed: check every sample, open an
// emitter, record, flush within the timeout, and turn the outcome into an
// exit code with one clear stderr line per problem.
//
// Exit codes: 0 all sent; 1 sending failed (peer unreachable, refused, timed
// out); 2 bad input (a sample, tag, time or endpoint that cannot be used).
#ifndef SONDE_TOOLS_SONDE_EMIT_EMIT_COMMAND_H_
#define SONDE_TOOLS_SONDE_EMIT_EMIT_COMMAND_H_

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace sonde::emit {

struct EmitCommand {
  std::string to = "udp://127.0.0.1:7700";  // Endpoint URI.
  std::string host;                         // Source; empty: this host's name.
  std::vector<std::string> tags;            // "key=value", sent once per batch.
  std::string kind = "gauge";               // For samples without ":kind".
  std::string time;                         // Empty: now.
  std::chrono::milliseconds timeout{2000};  // For delivery, at the end.
  std::vector<std::string> samples;         // "name=value[:kind]", or "-" for stdin lines.
  bool verbose = false;                     // Print what was sent.
};

// Runs the command; reads `in` where a sample is "-". Messages go to `err`,
// the verbose summary to `out`. Returns the exit code.
int RunEmit(const EmitCommand& command, std::FILE* in, std::FILE* out, std::FILE* err);

}  // namespace sonde::emit

#endif  // SONDE_TOOLS_SONDE_EMIT_EMIT_COMMAND_H_
