#include "sql_tag_columns.h"

#include <fmt/format.h>

#include <set>

#include "sonde/ascii.h"

namespace sonde::tools {

SqlTagColumns::SqlTagColumns(const std::vector<LatestState>& latest,
                             const std::vector<std::string>& fixed) {
  // SQLite names ignore ASCII case, so keys and names are grouped in lower case.
  std::map<std::string, std::set<std::string>> spellings;  // Lowercase key -> spellings.
  for (const LatestState& row : latest) {
    for (const Tag& t : row.key.tags()) spellings[AsciiLower(t.key)].insert(t.key);
  }
  std::set<std::string> taken;
  for (const std::string& name : fixed) taken.insert(AsciiLower(name));
  for (const auto& [lower, set] : spellings) {
    Group& group = group_of_lower_key_[lower];
    group.column = names_.size();
    // The lowercase spelling is the common one; "Service" must not name the
    // fleet's `service` column just because 'S' sorts first.
    group.spelling = set.count(lower) != 0 ? lower : *set.begin();
    names_.push_back(taken.insert(lower).second ? group.spelling : std::string());
  }
  for (auto& [lower, group] : group_of_lower_key_) {
    if (!names_[group.column].empty()) continue;
    std::string name = "tag_" + group.spelling;
    for (int n = 2; !taken.insert(AsciiLower(name)).second; ++n) {
      name = fmt::format("tag_{}_{}", group.spelling, n);
    }
    names_[group.column] = name;
  }
}

std::vector<std::pair<size_t, std::string_view>> SqlTagColumns::ValuesOf(const Tags& tags) const {
  // Column -> (key, value) chosen so far for it.
  std::map<size_t, std::pair<std::string_view, std::string_view>> chosen;
  for (const Tag& t : tags) {
    auto it = group_of_lower_key_.find(AsciiLower(t.key));
    if (it == group_of_lower_key_.end()) continue;  // Not a key of the rows planned.
    const Group& group = it->second;
    auto [slot, added] = chosen.try_emplace(group.column, t.key, t.value);
    if (added) continue;
    const std::string_view current = slot->second.first;
    const bool wins = t.key == group.spelling || (current != group.spelling && t.key < current);
    if (wins) slot->second = {t.key, t.value};
  }
  std::vector<std::pair<size_t, std::string_view>> out;
  out.reserve(chosen.size());
  for (const auto& [column, key_value] : chosen) out.emplace_back(column, key_value.second);
  return out;
}

}  // namespace sonde::tools
