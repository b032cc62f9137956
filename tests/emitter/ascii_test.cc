// AsciiLower / AsciiIEquals: only 'A'..'Z' fold, every other byte (UTF-8,
// Latin-1, punctuation) is kept, whatever the process locale.
#include "sonde/ascii.h"

#include <gtest/gtest.h>

#include <clocale>
#include <string>

namespace sonde {
namespace {

// Usable in constant expressions, as the header promises.
static_assert(AsciiLower('Q') == 'q');
static_assert(AsciiIEquals("Service", "sERVICE"));

TEST(AsciiLower, FoldsOnlyAsciiLetters) {
  for (int i = 0; i < 256; ++i) {
    const char c = static_cast<char>(i);
    const char want = (i >= 'A' && i <= 'Z') ? static_cast<char>(i + ('a' - 'A')) : c;
    EXPECT_EQ(AsciiLower(c), want) << "byte " << i;
  }
}

TEST(AsciiLower, StringKeepsNonAsciiBytes) {
  EXPECT_EQ(AsciiLower("Disk.Used_PCT[0]"), "disk.used_pct[0]");
  EXPECT_EQ(AsciiLower(""), "");
  // "ÄÖ" in UTF-8 and a lone Latin-1 'À' (0xC0) stay byte for byte.
  EXPECT_EQ(AsciiLower("X\xC3\x84\xC3\x96Y\xC0"), "x\xC3\x84\xC3\x96y\xC0");
  const std::string with_nul("A\0B", 3);
  EXPECT_EQ(AsciiLower(with_nul), std::string("a\0b", 3));
}

TEST(AsciiLower, IgnoresTheProcessLocale) {
  // Under a Latin-1 locale std::tolower(0xC0) is 0xE0; keys must not change
  // with the locale a host runs under. Skipped where no such locale exists.
  const char* old = std::setlocale(LC_CTYPE, nullptr);
  const std::string saved = old ? old : "C";
  if (!std::setlocale(LC_CTYPE, "en_US.ISO-8859-1") &&
      !std::setlocale(LC_CTYPE, "de_DE.ISO-8859-1")) {
    GTEST_SKIP() << "no ISO-8859-1 locale installed";
  }
  EXPECT_EQ(AsciiLower("\xC0Z"), "\xC0z");
  EXPECT_FALSE(AsciiIEquals("\xC0", "\xE0"));
  std::setlocale(LC_CTYPE, saved.c_str());
}

TEST(AsciiIEquals, ComparesIgnoringAsciiCase) {
  EXPECT_TRUE(AsciiIEquals("", ""));
  EXPECT_TRUE(AsciiIEquals("Healthy", "healthy"));
  EXPECT_TRUE(AsciiIEquals("UP", "up"));
  EXPECT_FALSE(AsciiIEquals("up", "upx"));  // Lengths differ.
  EXPECT_FALSE(AsciiIEquals("up", "uq"));
  EXPECT_FALSE(AsciiIEquals("@", "`"));                // 0x40 / 0x60 are not letters.
  EXPECT_FALSE(AsciiIEquals("[", "{"));                // 0x5B / 0x7B neither.
  EXPECT_FALSE(AsciiIEquals("\xC3\x84", "\xC3\xA4"));  // 'Ä' vs 'ä': not ASCII.
}

}  // namespace
}  // namespace sonde
