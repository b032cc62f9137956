#include "sonde/series_key.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace sonde {
namespace {

SeriesKey Key(std::string host, std::string name, Tags tags = {}) {
  auto k = SeriesKey::Make(std::move(host), std::move(name), std::move(tags));
  EXPECT_TRUE(k.has_value()) << k.status().ToString();
  return k.value_or(SeriesKey());
}

TEST(SeriesKey, CanonicalFormSortsTags) {
  const SeriesKey a = Key("web-01", "http.latency", {{"route", "/a"}, {"dc", "fra"}});
  const SeriesKey b = Key("web-01", "http.latency", {{"dc", "fra"}, {"route", "/a"}});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.Hash(), b.Hash());
  ASSERT_EQ(a.tags().size(), 2u);
  EXPECT_EQ(a.tags()[0].key, "dc");
  EXPECT_EQ(a.FindTag("route"), "/a");
  EXPECT_EQ(a.FindTag("nope"), std::nullopt);
  EXPECT_EQ(a.ToString(), "web-01/http.latency{dc=fra,route=/a}");
  EXPECT_EQ(Key("h", "m").ToString(), "h/m");
}

TEST(SeriesKey, WithNameSharesHostAndTags) {
  const SeriesKey a = Key("web-01", "cpu", {{"role", "web"}, {"dc", "fra"}});
  auto b = a.WithName("mem");
  ASSERT_TRUE(b.has_value());
  EXPECT_TRUE(b->SharesHostAndTags(a));
  EXPECT_EQ(*b, Key("web-01", "mem", {{"dc", "fra"}, {"role", "web"}}));
  EXPECT_EQ(b->Hash(), Key("web-01", "mem", {{"dc", "fra"}, {"role", "web"}}).Hash());
  EXPECT_NE(*b, a);
  // A separately made equal key is equal but shares nothing.
  const SeriesKey c = Key("web-01", "cpu", {{"dc", "fra"}, {"role", "web"}});
  EXPECT_EQ(c, a);
  EXPECT_FALSE(c.SharesHostAndTags(a));
  EXPECT_TRUE(SeriesKey(a).SharesHostAndTags(a));
  // The name is still checked.
  EXPECT_TRUE(a.WithName("").status().IsInvalidArgument());
  EXPECT_TRUE(a.WithName(std::string(300, 'x')).status().IsInvalidArgument());
  // An empty key reads as empty.
  EXPECT_EQ(SeriesKey().host(), "");
  EXPECT_TRUE(SeriesKey().tags().empty());
}

TEST(SeriesKey, HashSeparatesFields) {
  std::set<SeriesId> ids;
  ids.insert(Key("ab", "c").Hash());
  ids.insert(Key("a", "bc").Hash());
  ids.insert(Key("a", "b", {{"c", ""}}).Hash());
  ids.insert(Key("a", "b", {{"c", "d"}}).Hash());
  ids.insert(Key("a", "b", {{"cd", ""}}).Hash());
  ids.insert(Key("b", "bc").Hash());
  EXPECT_EQ(ids.size(), 6u);
  EXPECT_EQ(ids.count(kNoSeriesId), 0u);
}

// The hash is part of the storage format (docs/storage.md): a change here
// needs a new schema version.
TEST(SeriesKey, HashIsStable) {
  EXPECT_EQ(Key("web-01", "cpu.user").Hash(), 0x52356fa719a93803ULL)
      << std::hex << Key("web-01", "cpu.user").Hash();
}

TEST(SeriesKey, RejectsInvalidKeys) {
  struct Case {
    const char* what;
    std::string host;
    std::string name;
    Tags tags;
  };
  const std::vector<Case> cases = {
      {"empty host", "", "m", {}},
      {"long host", std::string(256, 'h'), "m", {}},
      {"empty name", "h", "", {}},
      {"long name", "h", std::string(256, 'm'), {}},
      {"empty tag key", "h", "m", {{"", "v"}}},
      {"long tag key", "h", "m", {{std::string(65, 'k'), "v"}}},
      {"long tag value", "h", "m", {{"k", std::string(256, 'v')}}},
      {"duplicate tag key", "h", "m", {{"k", "1"}, {"k", "2"}}},
      {"too many tags", "h", "m", Tags(65, Tag{"k", "v"})},
  };
  for (const Case& c : cases) {
    auto k = SeriesKey::Make(c.host, c.name, c.tags);
    EXPECT_FALSE(k.has_value()) << c.what;
    if (!k) {
      EXPECT_TRUE(k.error().IsInvalidArgument()) << c.what;
    }
  }
  EXPECT_TRUE(SeriesKey::Make("h", "m", {{"k", ""}}).has_value());  // Empty values are fine.
}

TEST(SeriesKey, ContainsIgnoreCaseMatchesLikeLiz) {
  EXPECT_TRUE(ContainsIgnoreCase("cpu.user", "CPU"));
  EXPECT_TRUE(ContainsIgnoreCase("sys.Cpu.idle", "cpu"));
  EXPECT_TRUE(ContainsIgnoreCase("mem", ""));
  EXPECT_FALSE(ContainsIgnoreCase("mem", "memory"));
  EXPECT_FALSE(ContainsIgnoreCase("disk", "cpu"));
}

}  // namespace
}  // namespace sonde
