#include "sonde/json_util.h"

#include <gtest/gtest.h>

namespace sonde {
namespace {

TEST(JsonString, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(JsonString("plain"), "\"plain\"");
  EXPECT_EQ(JsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonString("l1\nl2\t\r"), "\"l1\\nl2\\t\\r\"");
  EXPECT_EQ(JsonString(std::string_view("\x01\x1f\x7f", 3)), "\"\\u0001\\u001f\\u007f\"");
  EXPECT_EQ(JsonString(std::string_view("\0", 1)), "\"\\u0000\"");
}

TEST(JsonString, KeepsUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(JsonString("caf\xc3\xa9 \xe2\x82\xac"), "\"caf\xc3\xa9 \xe2\x82\xac\"");
  EXPECT_EQ(JsonString("\xff"), "\"\xef\xbf\xbd\"");
  EXPECT_EQ(JsonString("\xc3"), "\"\xef\xbf\xbd\"");                  // Truncated sequence.
  EXPECT_EQ(JsonString("\xc0\xaf"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");  // Overlong.
  EXPECT_EQ(JsonString("\xed\xa0\x80"), "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");  // Surrogate.
}

TEST(JsonError, WrapsMessage) {
  EXPECT_EQ(JsonError("no such host: \"x\""), "{\"error\":\"no such host: \\\"x\\\"\"}");
}

}  // namespace
}  // namespace sonde
