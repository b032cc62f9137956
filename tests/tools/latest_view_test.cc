#include "latest_view.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sonde::tools {
namespace {

constexpr int64_t kNow = 1714565100000;

LatestState Row(const char* host, const char* name, Tags tags, double value, int64_t age_ms) {
  LatestState s;
  s.key = SeriesKey::Make(host, name, std::move(tags)).value();
  s.id = s.key.Hash();
  s.value = value;
  s.timestamp_ms = kNow - age_ms;
  return s;
}

std::vector<LatestState> Rows() {
  return {Row("db-01", "disk.free", {{"dc", "east"}}, 0.25, 250000),
          Row("web-01", "cpu", {{"core", "0"}, {"dc", "east"}}, 90, 30000),
          Row("web-01", "cpu", {{"core", "10"}, {"dc", "east"}}, 5, 60000),
          Row("web-02", "cpu", {{"core", "2"}, {"dc", "west"}}, 75, 105000)};
}

std::vector<std::string> Keys(const std::vector<LatestState>& rows) {
  std::vector<std::string> out;
  for (const LatestState& r : rows) out.push_back(r.key.ToString());
  return out;
}

std::vector<std::string> Filter(const std::vector<std::string>& where,
                                const std::vector<std::string>& sort = {}, size_t limit = 0) {
  LatestView view;
  for (const std::string& w : where) EXPECT_TRUE(view.AddWhere(w).ok()) << w;
  EXPECT_TRUE(view.SetSort(sort).ok());
  view.set_limit(limit);
  std::vector<LatestState> rows = Rows();
  view.Apply(&rows, kNow);
  return Keys(rows);
}

TEST(LatestView, ParsesConditions) {
  auto c = LatestView::ParseCondition("value>=12.5");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->column.field, LatestView::Field::kValue);
  EXPECT_EQ(c->op, LatestView::Op::kGe);
  EXPECT_EQ(c->number, 12.5);
  c = LatestView::ParseCondition("age>5m");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->number, 300000);
  c = LatestView::ParseCondition("dc!=east");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->column.field, LatestView::Field::kTag);
  EXPECT_EQ(c->op, LatestView::Op::kNe);
  c = LatestView::ParseCondition("tag:host=x");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->column.field, LatestView::Field::kTag);
  EXPECT_EQ(c->column.name, "host");
  c = LatestView::ParseCondition("url=a=b");  // The value may hold operators.
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->text, "a=b");
}

TEST(LatestView, RejectsBadConditions) {
  for (const char* bad :
       {"dc", "=east", "value>lots", "age<soon", "time>yesterday", "tag:=x", "dc!east"}) {
    auto c = LatestView::ParseCondition(bad);
    ASSERT_FALSE(c.has_value()) << bad;
    EXPECT_TRUE(c.error().IsInvalidArgument());
    EXPECT_NE(c.error().message().find(bad), std::string::npos) << c.error().message();
  }
}

TEST(LatestView, TagEqualityGoesToTheStore) {
  LatestView view;
  ASSERT_TRUE(view.AddWhere("dc=east").ok());
  ASSERT_TRUE(view.AddWhere("value>3").ok());
  ASSERT_TRUE(view.AddWhere("core!=1").ok());
  EXPECT_EQ(view.StoreWhere(), (Tags{{"dc", "east"}}));
}

TEST(LatestView, Filters) {
  EXPECT_EQ(Filter({"dc=east"}),
            (std::vector<std::string>{"db-01/disk.free{dc=east}", "web-01/cpu{core=0,dc=east}",
                                      "web-01/cpu{core=10,dc=east}"}));
  EXPECT_EQ(Filter({"value>50"}),
            (std::vector<std::string>{"web-01/cpu{core=0,dc=east}", "web-02/cpu{core=2,dc=west}"}));
  EXPECT_EQ(
      Filter({"age>=1m", "host~WEB"}),
      (std::vector<std::string>{"web-01/cpu{core=10,dc=east}", "web-02/cpu{core=2,dc=west}"}));
  // Tags compare as numbers when both sides are numbers.
  EXPECT_EQ(Filter({"core>2"}), (std::vector<std::string>{"web-01/cpu{core=10,dc=east}"}));
  // A missing tag fails every condition but !=.
  EXPECT_EQ(Filter({"core!=0"}),
            (std::vector<std::string>{"db-01/disk.free{dc=east}", "web-01/cpu{core=10,dc=east}",
                                      "web-02/cpu{core=2,dc=west}"}));
  EXPECT_EQ(Filter({"metric=cpu", "kind=gauge", "tags~west"}),
            (std::vector<std::string>{"web-02/cpu{core=2,dc=west}"}));
}

// Versions, as the poller keeps them (text): natural order, so that
// version>1.0.9 takes 1.0.10, as the poller's report orders them.
std::vector<std::string> Versions(const std::vector<std::string>& where,
                                  const std::vector<std::string>& sort = {}) {
  LatestView view;
  for (const std::string& w : where) EXPECT_TRUE(view.AddWhere(w).ok()) << w;
  EXPECT_TRUE(view.SetSort(sort).ok());
  std::vector<LatestState> rows;
  for (const char* v : {"1.0.10", "1.0.9", "1.0.8-rc1", "2.0", "1.0.9b"}) {
    rows.push_back(Row("h", "up", {{"version", v}}, 1, 0));
  }
  view.Apply(&rows, kNow);
  std::vector<std::string> out;
  for (const LatestState& r : rows) out.emplace_back(*r.key.FindTag("version"));
  return out;
}

TEST(LatestView, TextTagsCompareInNaturalOrder) {
  EXPECT_EQ(Versions({"version>1.0.9"}), (std::vector<std::string>{"1.0.10", "2.0", "1.0.9b"}));
  EXPECT_EQ(Versions({"version<=1.0.9"}), (std::vector<std::string>{"1.0.9", "1.0.8-rc1"}));
  // Both plain numbers: numeric ("2.0" > 1.5); else natural (1.0.10 < 1.5).
  EXPECT_EQ(Versions({"version>1.5"}), (std::vector<std::string>{"2.0"}));
  // = is exact text unless both sides are numbers.
  EXPECT_EQ(Versions({"version!=1.0.9"}),
            (std::vector<std::string>{"1.0.10", "1.0.8-rc1", "2.0", "1.0.9b"}));
  EXPECT_EQ(Versions({}, {"version"}),
            (std::vector<std::string>{"1.0.8-rc1", "1.0.9", "1.0.9b", "1.0.10", "2.0"}));
}

TEST(LatestView, SortsAndLimits) {
  EXPECT_EQ(Filter({}, {"-value"}, 2),
            (std::vector<std::string>{"web-01/cpu{core=0,dc=east}", "web-02/cpu{core=2,dc=west}"}));
  // Numeric tag order, missing tags last, ties in store order.
  EXPECT_EQ(Filter({}, {"core"}),
            (std::vector<std::string>{"web-01/cpu{core=0,dc=east}", "web-02/cpu{core=2,dc=west}",
                                      "web-01/cpu{core=10,dc=east}", "db-01/disk.free{dc=east}"}));
  EXPECT_EQ(Filter({}, {"dc,-age"}),
            (std::vector<std::string>{"db-01/disk.free{dc=east}", "web-01/cpu{core=10,dc=east}",
                                      "web-01/cpu{core=0,dc=east}", "web-02/cpu{core=2,dc=west}"}));
}

TEST(LatestView, TableAndCsvColumns) {
  LatestView view;
  ASSERT_TRUE(view.SetColumns({"host,core", "value"}).ok());
  const std::vector<LatestState> rows = Rows();
  OutputSettings out;
  out.now_ms = kNow;
  EXPECT_EQ(view.ToTable(rows, out).Render(80, false),
            "HOST    CORE  VALUE\n"
            "db-01   -      0.25\n"
            "web-01  0        90\n"
            "web-01  10        5\n"
            "web-02  2        75\n");
  out.format = OutputFormat::kCsv;
  EXPECT_EQ(view.ToTable(rows, out).ToCsv(),
            "host,core,value\ndb-01,,0.25\nweb-01,0,90\nweb-01,10,5\nweb-02,2,75\n");
  EXPECT_FALSE(view.SetColumns({"host,,value"}).ok());
}

TEST(LatestView, JsonWithColumns) {
  LatestView view;
  ASSERT_TRUE(view.SetColumns({"host,core,age"}).ok());
  const std::vector<LatestState> rows = {Rows()[0]};
  EXPECT_EQ(view.ToJson(rows, kNow).dump(),
            R"({"latest":[{"age_ms":250000,"core":null,"host":"db-01"}]})");
}

}  // namespace
}  // namespace sonde::tools
