// The shared key=value parser (sonde/tag_flag.h) as tables of accepted and
// rejected text, as sonde-emit and sonde-agent see it.
#include "sonde/tag_flag.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sonde {
namespace {

TEST(TagFlag, ParsesKeyValue) {
  struct Good {
    const char* text;
    const char* key;
    const char* value;
  };
  const Good good[] = {
      {"service=auth", "service", "auth"},
      {"url=a=b", "url", "a=b"},  // The first '=' splits.
      {"empty=", "empty", ""},
      {"k=v with space", "k", "v with space"},
  };
  for (const Good& g : good) {
    SCOPED_TRACE(g.text);
    Result<Tag> tag = ParseTagFlag(g.text);
    ASSERT_TRUE(tag.has_value()) << tag.error().ToString();
    EXPECT_EQ(*tag, (Tag{g.key, g.value}));
  }
}

TEST(TagFlag, RejectsWithOneMessage) {
  for (const char* text : {"service", "=auth", "", "="}) {
    SCOPED_TRACE(text);
    Result<Tag> tag = ParseTagFlag(text);
    ASSERT_FALSE(tag.has_value());
    EXPECT_TRUE(tag.error().IsInvalidArgument());
    EXPECT_EQ(tag.error().message(),
              "tag '" + std::string(text) + "': expected key=value, e.g. service=auth");
  }
}

TEST(TagFlag, ParsesEveryFlagOrReportsTheFirstBadOne) {
  Result<Tags> tags = ParseTagFlags({"service=auth", "dc=eu1"});
  ASSERT_TRUE(tags.has_value());
  EXPECT_EQ(*tags, (Tags{{"service", "auth"}, {"dc", "eu1"}}));
  Result<Tags> bad = ParseTagFlags({"service=auth", "oops", "=x"});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message(), "tag 'oops': expected key=value, e.g. service=auth");
  EXPECT_TRUE(ParseTagFlags({})->empty());
}

TEST(TagFlag, SplitsSampleArguments) {
  std::string_view key = "unchanged";
  std::string_view value = "unchanged";
  ASSERT_TRUE(SplitKeyValue("cpu=12.5", &key, &value));
  EXPECT_EQ(key, "cpu");
  EXPECT_EQ(value, "12.5");
  ASSERT_TRUE(SplitKeyValue("requests=5:counter", &key, &value));
  EXPECT_EQ(value, "5:counter");
  key = value = "unchanged";
  EXPECT_FALSE(SplitKeyValue("cpu", &key, &value));
  EXPECT_FALSE(SplitKeyValue("=1", &key, &value));
  EXPECT_EQ(key, "unchanged");
  EXPECT_EQ(value, "unchanged");
}

}  // namespace
}  // namespace sonde
