// LatestView: what `sonde latest` does to the latest state of many series
// after the store has selected them: filter (--where), sort (--sort), cut
// (--limit) and lay out columns (--columns) for a table, CSV or JSON. In the
// spirit of Qasino's SQL over the current state of a fleet, without SQL.
//
// Columns: host, metric, tags, kind, value, time, age; any other name is a
// tag key (a column of that tag's value; "tag:NAME" forces a tag even when
// NAME is a built-in column).
//
// Conditions (--where, all must hold): COLUMN OP TEXT with OP one of
//   =   equal            (tag=value is answered by the store itself)
//   !=  not equal        (a series without the tag matches)
//   ~   contains, case-insensitive
//   < <= > >=            numbers: value takes a number, age a duration
//                        ("5m"), time a time (epoch seconds or ISO-8601);
//                        tags compare as numbers when both sides are
//                        numbers, else in natural order (digit runs as
//                        numbers: version>1.0.9 takes 1.0.10).
// A series without a tag named in a condition fails it (except !=).
//
// Sorting (--sort): column names, "-" in front for descending; value, age
// and time sort as numbers, tags as numbers when both sides are, else in
// natural order (as conditions compare them), missing tags last. Ties keep the store's order (host,
// metric, tags).
//
// Thread-safety: a value type; const methods may run concurrently.
#ifndef SONDE_TOOLS_SONDE_LATEST_VIEW_H_
#define SONDE_TOOLS_SONDE_LATEST_VIEW_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "query_flags.h"
#include "query_output.h"
#include "sonde/latest_state.h"
#include "sonde/status.h"
#include "sonde/store.h"
#include "table.h"

namespace sonde::tools {

class LatestView {
 public:
  enum class Field { kHost, kMetric, kTags, kKind, kValue, kTime, kAge, kTag };
  struct Column {
    Field field = Field::kHost;
    std::string name;  // As given ("dc" for a tag column).
  };
  enum class Op { kEq, kNe, kContains, kLt, kLe, kGt, kGe };
  struct Condition {
    Column column;
    Op op = Op::kEq;
    std::string text;   // The right-hand side as given.
    double number = 0;  // Parsed for value (number), age (ms), time (ms).
  };
  struct SortKey {
    Column column;
    bool descending = false;
  };

  // The default layout: host, metric, tags, kind, value, age; no filter,
  // store order, no limit.
  LatestView();

  // Each spec is a comma-separated list of column names (repeatable flag).
  // InvalidArgument for an empty name. An empty list keeps the default.
  Status SetColumns(const std::vector<std::string>& specs);
  // InvalidArgument with the reason for a malformed condition.
  Status AddWhere(std::string_view condition);
  // Each spec: comma-separated column names, "-" for descending.
  Status SetSort(const std::vector<std::string>& specs);
  void set_limit(size_t limit) { limit_ = limit; }  // 0: no limit.

  // The tag=value conditions, for the store to apply (LatestQuery::where).
  Tags StoreWhere() const;

  // Keeps the rows every condition accepts, sorts them, applies the limit.
  void Apply(std::vector<LatestState>* rows, int64_t now_ms) const;

  // The rows under the chosen columns (CSV: exact numbers, age in ms).
  Table ToTable(const std::vector<LatestState>& rows, const OutputSettings& out) const;
  // {"latest": [...]}: without --columns each series as the HTTP API writes
  // a LatestState, plus age_ms; with --columns an object of those columns
  // (time as timestamp_ms, age as age_ms, tags as an object, a missing tag
  // as null).
  Json ToJson(const std::vector<LatestState>& rows, int64_t now_ms) const;

  static Result<Column> ParseColumn(std::string_view name);
  static Result<Condition> ParseCondition(std::string_view text);

 private:
  bool Matches(const LatestState& row, const Condition& c, int64_t now_ms) const;

  std::vector<Column> columns_;
  bool columns_given_ = false;
  std::vector<Condition> where_;
  std::vector<SortKey> sort_;
  size_t limit_ = 0;
};

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_LATEST_VIEW_H_
