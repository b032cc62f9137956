#include "table.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "sparkline.h"

namespace sonde::tools {
namespace {

Table ThreeColumns() {
  Table t({TableColumn("NAME").Shrink(2, 6), TableColumn("TAGS").Shrink(1, 6).Drop(3),
           TableColumn("VALUE").Right()});
  t.AddRow({"requests.total", "dc=east,role=web", "12"});
  t.AddRow({"cpu", "", "3.5"});
  return t;
}

TEST(Table, RendersAlignedColumnsWithoutTrailingSpaces) {
  EXPECT_EQ(ThreeColumns().Render(80, false),
            "NAME            TAGS              VALUE\n"
            "requests.total  dc=east,role=web     12\n"
            "cpu                                 3.5\n");
}

TEST(Table, ShrinksColumnsInStepOrderWithEllipsis) {
  // Natural width 39; at 33 the tags (step 1) give up 6 columns.
  EXPECT_EQ(ThreeColumns().Render(33, false),
            "NAME            TAGS        VALUE\n"
            "requests.total  dc=east,r…     12\n"
            "cpu                           3.5\n");
  // At 25 the tags are at their minimum (6), then the name (step 2) shrinks.
  EXPECT_EQ(ThreeColumns().Render(25, false),
            "NAME        TAGS    VALUE\n"
            "requests.…  dc=ea…     12\n"
            "cpu                   3.5\n");
}

TEST(Table, DropsColumnsAndGivesBackWidth) {
  // At 19 even the minimums do not fit: TAGS (step 3) is dropped, and NAME
  // gets back the width it had given up, as far as it fits.
  EXPECT_EQ(ThreeColumns().Render(19, false),
            "NAME          VALUE\n"
            "requests.to…     12\n"
            "cpu             3.5\n");
}

TEST(Table, OverflowsWhenNothingIsLeftToCut) {
  Table t({TableColumn("A"), TableColumn("B")});
  t.AddRow({"aaaa", "bbbb"});
  EXPECT_EQ(t.Render(3, false), "A     B\naaaa  bbbb\n");
}

TEST(Table, KeepRightCutsFromTheLeftWithoutEllipsis) {
  Table t({TableColumn("X"), TableColumn("TREND").Shrink(1, 5).KeepRight()});
  t.AddRow({"x", "▁▂▃▄▅▆▇█"});
  EXPECT_EQ(t.Render(8, false), "X  TREND\nx  ▄▅▆▇█\n");
}

TEST(Table, ReplacesControlCharacters) {
  Table t({TableColumn("NAME")});
  t.AddRow({"evil\x1b[2Jname\n"});
  EXPECT_EQ(t.Render(80, false), "NAME\nevil?[2Jname?\n");
}

TEST(Table, ColoursHeaderAndColumnsOnlyWhenAsked) {
  Table t({TableColumn("A"), TableColumn("B").Color("36")});
  t.AddRow({"a", "b"});
  EXPECT_EQ(t.Render(80, true), "\x1b[1mA\x1b[0m  \x1b[1mB\x1b[0m\na  \x1b[36mb\x1b[0m\n");
  EXPECT_EQ(t.Render(80, false), "A  B\na  b\n");
}

TEST(Table, ColoursStatusCellsOneByOne) {
  Table t({TableColumn("HOST"), TableColumn("STATUS").ColorBy(StatusColor)});
  for (const char* status : {"Healthy", "Degraded", "Unhealthy", "Down", "other"}) {
    t.AddRow({"h", status});
  }
  EXPECT_EQ(t.Render(80, true),
            "\x1b[1mHOST\x1b[0m  \x1b[1mSTATUS\x1b[0m\n"
            "h     \x1b[32mHealthy\x1b[0m\n"
            "h     \x1b[33mDegraded\x1b[0m\n"
            "h     \x1b[31mUnhealthy\x1b[0m\n"
            "h     \x1b[31mDown\x1b[0m\n"
            "h     other\n");
  // Without colour (a pipe, NO_COLOR, --color never): no escape at all.
  EXPECT_EQ(t.Render(80, false).find('\x1b'), std::string::npos);
  EXPECT_EQ(t.ToCsv().find('\x1b'), std::string::npos);
}

TEST(Table, CsvQuotesWhatNeedsIt) {
  Table t({TableColumn("NAME"), TableColumn("AGE").Csv("age_ms")});
  t.AddRow({"a,b", "say \"hi\""});
  t.AddRow({"plain", ""});
  EXPECT_EQ(t.ToCsv(), "name,age_ms\n\"a,b\",\"say \"\"hi\"\"\"\nplain,\n");
}

TEST(Table, DisplayWidthCountsCodePoints) {
  EXPECT_EQ(DisplayWidth("abc"), 3);
  EXPECT_EQ(DisplayWidth("▁▂█"), 3);
  EXPECT_EQ(DisplayWidth("é…"), 2);
}

TEST(Sparkline, ScalesFromMinToMax) {
  const std::vector<double> v = {0, 1, 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(Sparkline(v), "▁▂▃▄▅▆▇█");
}

TEST(Sparkline, GapsAreSpacesAndFlatIsMiddle) {
  const double nan = std::nan("");
  const std::vector<double> v = {5, nan, 5};
  EXPECT_EQ(Sparkline(v), "▄ ▄");
  const std::vector<double> w = {10, nan, 20};
  EXPECT_EQ(Sparkline(w), "▁ █");
  EXPECT_EQ(Sparkline(std::vector<double>{}), "");
}

}  // namespace
}  // namespace sonde::tools
