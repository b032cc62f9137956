// SqlTagColumns: one column per tag key ignoring case, named after the
// common (lowercase) spelling whatever the ASCII order.
#include "sql_tag_columns.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sonde::tools {
namespace {

const std::vector<std::string> kFixed = {"host",    "metric", "kind", "value",
                                         "time_ms", "age_s",  "tags"};

LatestState Row(Tags tags) {
  LatestState s;
  s.key = SeriesKey::Make("h", "m", std::move(tags)).value();
  return s;
}

std::vector<std::pair<size_t, std::string>> Values(const SqlTagColumns& columns, const Tags& tags) {
  std::vector<std::pair<size_t, std::string>> out;
  for (const auto& [column, value] : columns.ValuesOf(tags)) out.emplace_back(column, value);
  return out;
}

TEST(SqlTagColumns, KeysDifferingOnlyByCaseShareTheLowercaseColumn) {
  // One emitter says "Service": it joins the fleet's service column instead
  // of taking its name ('S' < 's') and pushing the others to tag_service.
  const std::vector<LatestState> rows = {Row({{"service", "auth"}}), Row({{"service", "web"}}),
                                         Row({{"Service", "X"}}), Row({{"SERVICE", "Y"}})};
  SqlTagColumns columns(rows, kFixed);
  EXPECT_EQ(columns.names(), std::vector<std::string>{"service"});
  for (const LatestState& row : rows) {
    ASSERT_EQ(columns.ValuesOf(row.key.tags()).size(), 1u);
    EXPECT_EQ(columns.ValuesOf(row.key.tags())[0].first, 0u);
  }
  EXPECT_EQ(Values(columns, rows[2].key.tags()),
            (std::vector<std::pair<size_t, std::string>>{{0, "X"}}));
}

TEST(SqlTagColumns, WithoutALowercaseSpellingTheFirstInAsciiOrderNamesIt) {
  SqlTagColumns columns({Row({{"env", "x"}, {"Zone", "a"}}), Row({{"ZONE", "b"}})}, kFixed);
  EXPECT_EQ(columns.names(), (std::vector<std::string>{"env", "ZONE"}));
}

TEST(SqlTagColumns, ASeriesWithTwoSpellingsGivesTheColumnsOwn) {
  const LatestState both = Row({{"Service", "X"}, {"service", "auth"}});
  SqlTagColumns columns({both}, kFixed);
  EXPECT_EQ(Values(columns, both.key.tags()),
            (std::vector<std::pair<size_t, std::string>>{{0, "auth"}}));
  const LatestState upper = Row({{"SERVICE", "Y"}, {"Service", "X"}});
  SqlTagColumns no_lower({upper}, kFixed);
  EXPECT_EQ(no_lower.names(), std::vector<std::string>{"SERVICE"});
  EXPECT_EQ(Values(no_lower, upper.key.tags()),
            (std::vector<std::pair<size_t, std::string>>{{0, "Y"}}));
}

TEST(SqlTagColumns, FixedNamesArePrefixedAndFreeKeysKeepTheirs) {
  SqlTagColumns columns(
      {Row({{"Value", "x"}, {"value", "y"}, {"tag_value", "z"}, {"HOST", "h"}, {"dc", "east"}})},
      kFixed);
  // The value keys are one column; tag_value is free, so they take tag_value_2.
  EXPECT_EQ(columns.names(),
            (std::vector<std::string>{"dc", "tag_HOST", "tag_value", "tag_value_2"}));
}

}  // namespace
}  // namespace sonde::tools
