// Shared plumbing of the query commands: printing results in the chosen
// format, JSON pieces for the store's types, and the error lines and exit
// codes (docs/query.md, "Exit codes").
#ifndef SONDE_TOOLS_SONDE_QUERY_OUTPUT_H_
#define SONDE_TOOLS_SONDE_QUERY_OUTPUT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "query_flags.h"
#include "query_source.h"
#include "sonde/latest_state.h"
#include "sonde/sample.h"
#include "sonde/status.h"
#include "table.h"

namespace sonde::tools {

// JSON documents: the HTTP API's (sonde/api_json.h), plus a few fields.
using Json = nlohmann::json;

// Exit codes of the query commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // Unknown host or metric, no database, I/O.
inline constexpr int kExitUsage = 2;    // Bad flags or values.

// Writes text to stdout as is.
void PrintOut(std::string_view text);

// One JSON document on one line.
void PrintJson(const Json& doc);

// A table in table or CSV form (JSON callers build their own document).
void PrintTable(const Table& table, const OutputSettings& settings);

// Prints "sonde: error: <message>" to stderr; returns kExitUsage for
// InvalidArgument, else kExitFailure.
int Fail(const Status& status);

// Prints "sonde: <message>" to stderr (a note, not an error).
void Note(std::string_view message);

// "a, b, c" of at most `max` names, then ", ... (N more)".
std::string KnownList(const std::vector<std::string>& names, size_t max = 10);

// NotFound "host 'x' has not reported (known: a, b)", listing the hosts the
// source knows, or "(no host has reported yet)".
Status UnknownHost(QuerySource& source, std::string_view host);

// {"k":"v",...}
Json TagsJson(const Tags& tags);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_QUERY_OUTPUT_H_
