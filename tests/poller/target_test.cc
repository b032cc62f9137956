#include "sonde/target.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testutil/testutil.h"

namespace sonde::poller {
namespace {

std::vector<std::string> Names(const TargetList& list) {
  std::vector<std::string> out;
  for (const Target& t : list.targets) out.push_back(t.name);
  return out;
}

TEST(Target, AcceptedSpellings) {
  for (const char* ok : {"web01", "web-01.example.com", "10.58.1.1", "10.58.1.1:8080", "[::1]",
                         "[::1]:8080", "[fe80::1]:1", "host_name:65535", "localhost"}) {
    EXPECT_TRUE(ValidateTarget(ok).ok()) << ok << ": " << ValidateTarget(ok).ToString();
  }
}

TEST(Target, RejectedSpellingsSayWhy) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "empty target"},
      {"::1", "IPv6 address must be in brackets"},
      {"[::1", "missing ']'"},
      {"[nonsense]:80", "not a valid IPv6 address"},
      {"[::1]80", "expected ':port' after ']'"},
      {"web:0", "port 0 is out of range"},
      {"web:70000", "port 70000 is out of range"},
      {"web:http", "port 'http' is not a number"},
      {"web:", "port '' is not a number"},
      {"10.0.0.300", "not a valid IPv4 address"},
      {"-web", "not a valid host name"},
      {"we b", "not a valid host name"},
      {"a..b", "not a valid host name"},
      {"http://web/status", "not a URL"},
      {"a:b:c", "more than one ':'"},
  };
  for (const auto& [text, reason] : cases) {
    Status s = ValidateTarget(text);
    EXPECT_TRUE(s.IsInvalidArgument()) << text;
    EXPECT_NE(s.message().find(reason), std::string::npos) << text << ": " << s.message();
  }
  EXPECT_TRUE(ValidateTarget(std::string(256, 'a')).IsInvalidArgument());
}

TEST(Inventory, CommentsBlankLinesAndBadLinesWithLineNumbers) {
  const TargetList list = ParseInventory(
      "# fleet\n"
      "10.58.1.1\n"
      "\n"
      "   10.58.1.2:8080   # the cache\r\n"
      "10.58.1.2:8081\n"
      "bad host\n"
      "::1\n"
      "[::1]:9000\n"
      "10.58.1.1\n"
      "web:99999\n");
  EXPECT_EQ(Names(list), (std::vector<std::string>{"10.58.1.1", "10.58.1.2:8080", "10.58.1.2:8081",
                                                   "[::1]:9000"}));
  ASSERT_EQ(list.errors.size(), 4u);
  EXPECT_EQ(list.errors[0], (TargetError{6, "bad host", "one target per line"}));
  EXPECT_EQ(list.errors[1].position, 7);
  EXPECT_NE(list.errors[1].reason.find("brackets"), std::string::npos);
  EXPECT_EQ(list.errors[2], (TargetError{9, "10.58.1.1", "repeats line 2"}));
  EXPECT_EQ(list.errors[3], (TargetError{10, "web:99999", "port 99999 is out of range 1-65535"}));
}

TEST(Inventory, SameIpOnTwoPortsIsTwoTargets) {
  EXPECT_EQ(Names(ParseInventory("10.0.0.1:8080\n10.0.0.1:8081\n10.0.0.1\n")),
            (std::vector<std::string>{"10.0.0.1:8080", "10.0.0.1:8081", "10.0.0.1"}));
}

TEST(Inventory, LastLineWithoutNewline) {
  EXPECT_EQ(Names(ParseInventory("a\nb")), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(ParseInventory("").targets.empty());
}

TEST(Inventory, LoadFromFile) {
  testing::TempDir dir;
  {
    std::ofstream f(dir.File("inv"));
    f << "a:1\n# x\nb:2\n";
  }
  auto list = LoadInventory(dir.File("inv"));
  ASSERT_TRUE(list.has_value()) << list.error().ToString();
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"a:1", "b:2"}));
  EXPECT_TRUE(LoadInventory(dir.File("missing")).error().IsNotFound());
  EXPECT_TRUE(LoadInventory(dir.File("inv"), 4).error().IsInvalidArgument());
}

TEST(Discovery, ListOfStrings) {
  auto list = ParseDiscovery(R"(["10.58.1.1", "10.58.1.2:8080", "bad host", "10.58.1.1"])");
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"10.58.1.1", "10.58.1.2:8080"}));
  ASSERT_EQ(list->errors.size(), 2u);
  EXPECT_EQ(list->errors[0].position, 3);
  EXPECT_EQ(list->errors[1].reason, "repeats an earlier entry");
}

TEST(Discovery, ObjectsWithIpOrHostAndPort) {
  auto list = ParseDiscovery(R"({"Servers": [
      {"IP": "10.0.0.1", "service": "auth"},
      {"host": "web01", "port": 8080},
      {"hostname": "web02", "Port": "8081"},
      {"address": "::1", "port": 9000},
      {"address": "10.0.0.1", "port": 8080},
      {"name": "no-host-field"},
      42,
      {"ip": "10.0.0.9", "port": [1]}]})");
  ASSERT_TRUE(list.has_value()) << list.error().ToString();
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"10.0.0.1", "web01:8080", "web02:8081",
                                                    "[::1]:9000", "10.0.0.1:8080"}));
  ASSERT_EQ(list->errors.size(), 3u);
  EXPECT_EQ(list->errors[0].position, 6);
  EXPECT_EQ(list->errors[1].position, 7);
  EXPECT_EQ(list->errors[2].position, 8);
}

TEST(Discovery, RejectsWhatIsNoList) {
  EXPECT_TRUE(ParseDiscovery("not json").error().IsCorruption());
  EXPECT_TRUE(ParseDiscovery(R"({"x": 1})").error().IsCorruption());
  EXPECT_TRUE(ParseDiscovery("42").error().IsCorruption());
  EXPECT_TRUE(ParseDiscovery(std::string(100000, '[')).error().IsCorruption());
}

TEST(UrlPattern, ExpandsEveryPlaceholder) {
  EXPECT_EQ(ExpandUrlPattern("http://{host}/status", Target{"10.0.0.1:8080"}),
            "http://10.0.0.1:8080/status");
  EXPECT_EQ(ExpandUrlPattern("https://{host}/s?h={host}", Target{"[::1]"}),
            "https://[::1]/s?h=[::1]");
  EXPECT_EQ(ExpandUrlPattern("http://127.0.0.1:8080/{host}", Target{"10.58.1.1"}),
            "http://127.0.0.1:8080/10.58.1.1");
}

TEST(UrlPattern, Validate) {
  EXPECT_TRUE(ValidateUrlPattern("http://{host}/status").ok());
  EXPECT_TRUE(ValidateUrlPattern("https://{host}/").ok());
  EXPECT_TRUE(ValidateUrlPattern("ftp://{host}/").IsInvalidArgument());
  EXPECT_TRUE(ValidateUrlPattern("http://fixed/status").IsInvalidArgument());
}

}  // namespace
}  // namespace sonde::poller
