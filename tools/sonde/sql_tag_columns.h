// SqlTagColumns: the tag columns of `sonde sql`'s latest table, one per tag
// key seen in the fleet (docs/query.md, "sonde sql").
//
// SQLite compares column names ignoring case, so keys that differ only by
// case ("service", "Service") share one column. It is named after the
// all-lowercase spelling when some series uses it, else after the first
// spelling in ASCII order; a series carrying several spellings puts the
// column's own spelling there, else its first in ASCII order (the tags JSON
// column keeps them all). A key whose name a fixed column holds ("host",
// "Value") becomes tag_<key>, then tag_<key>_2, ... if that is taken too;
// free keys are named first, so a clash never renames a free key.
//
// Thread-safety: a value type; const methods may run concurrently.
#ifndef SONDE_TOOLS_SONDE_SQL_TAG_COLUMNS_H_
#define SONDE_TOOLS_SONDE_SQL_TAG_COLUMNS_H_

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sonde/latest_state.h"

namespace sonde::tools {

class SqlTagColumns {
 public:
  // `fixed`: the names of the table's other columns, which tags may not take.
  SqlTagColumns(const std::vector<LatestState>& latest, const std::vector<std::string>& fixed);

  // The tag columns' names, ordered by their lowercase key.
  const std::vector<std::string>& names() const { return names_; }

  // A series' values: (index into names(), value) for each column it has a
  // tag for. The views point into `tags`.
  std::vector<std::pair<size_t, std::string_view>> ValuesOf(const Tags& tags) const;

 private:
  struct Group {
    size_t column = 0;
    std::string spelling;  // The key spelling the column is named after.
  };
  std::map<std::string, Group, std::less<>> group_of_lower_key_;
  std::vector<std::string> names_;
};

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_SQL_TAG_COLUMNS_H_
