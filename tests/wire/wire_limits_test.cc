// The control-byte scanners behind every name, source and tag check
// (emitter/src/wire_limits.h), against a byte-by-byte reference: every
// length up to 80, every position, every byte value.
#include "wire_limits.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace sonde::wire_internal {
namespace {

bool Reference(std::string_view s) {
  for (char c : s) {
    const auto b = static_cast<uint8_t>(c);
    if (b < 0x20 || b == 0x7f) return true;
  }
  return false;
}

template <typename Scanner>
void CheckExhaustively(Scanner scan) {
  for (size_t len = 0; len <= 80; ++len) {
    // Clean text mixing the edges of the allowed ranges and high bytes.
    std::string s(len, ' ');
    for (size_t i = 0; i < len; ++i) s[i] = "\x20\x7e\x80\xff\x41\xa0\x9f\x21"[i % 8];
    ASSERT_FALSE(scan(s)) << "len " << len;
    for (size_t at = 0; at < len; ++at) {
      for (int b = 0; b < 256; ++b) {
        std::string t = s;
        t[at] = static_cast<char>(b);
        // Copy into an exact-size buffer so ASan sees any over-read.
        const std::unique_ptr<char[]> exact(new char[len]);
        std::memcpy(exact.get(), t.data(), len);
        const std::string_view view(exact.get(), len);
        ASSERT_EQ(scan(view), Reference(view)) << "len " << len << " at " << at << " byte " << b;
      }
    }
  }
}

TEST(WireLimits, SwarScannerMatchesReference) {
  CheckExhaustively([](std::string_view s) { return HasControlByteSwar(s); });
}

#if defined(__SSE2__)
TEST(WireLimits, Sse2ScannerMatchesReference) {
  CheckExhaustively([](std::string_view s) { return HasControlByteSse2(s); });
}
#endif

TEST(WireLimits, FieldChecks) {
  EXPECT_TRUE(ValidName("a"));
  EXPECT_FALSE(ValidName(""));
  EXPECT_TRUE(ValidName(std::string(kMaxNameBytes, 'n')));
  EXPECT_FALSE(ValidName(std::string(kMaxNameBytes + 1, 'n')));
  EXPECT_TRUE(ValidTagValue(""));
  EXPECT_FALSE(ValidTagKey(""));
  EXPECT_FALSE(ValidTagKey(std::string(kMaxTagKeyBytes + 1, 'k')));
  EXPECT_TRUE(ValidTimestamp(kMinTimestampMs));
  EXPECT_FALSE(ValidTimestamp(kMaxTimestampMs));
  EXPECT_FALSE(ValidKind(static_cast<MetricKind>(3)));
}

}  // namespace
}  // namespace sonde::wire_internal
