#include "fetch_outcome.h"

#include <gtest/gtest.h>

namespace sonde::poller {
namespace {

using fleet::FailureClass;

FetchResult Http(int status, std::string_view body) {
  FetchResult r;
  r.http_status = status;
  r.latency_ms = 4;
  r.body = body;
  return r;
}

TEST(FetchOutcome, ClassesEachOutcome) {
  const Target t{"web:80"};
  struct Case {
    FetchResult result;
    FailureClass want;
    const char* error;
  };
  FetchResult refused;
  refused.failure = FailureClass::kRefused;
  refused.error = "Connection refused";
  const Case cases[] = {
      {Http(200, R"({"a": 1})"), FailureClass::kNone, ""},
      {Http(204, "{}"), FailureClass::kNone, ""},
      {Http(404, "{}"), FailureClass::kHttp4xx, "HTTP 404"},
      {Http(503, "{}"), FailureClass::kHttp5xx, "HTTP 503"},
      {Http(302, ""), FailureClass::kOther, "HTTP 302"},
      {Http(200, "<html>"), FailureClass::kInvalidJson, "invalid JSON at byte 1"},
      {Http(200, "[]"), FailureClass::kInvalidJson, "array"},
      {refused, FailureClass::kRefused, "Connection refused"},
  };
  for (const Case& c : cases) {
    fleet::TargetRecord r = BuildRecord(t, c.result, 2, {});
    EXPECT_EQ(r.failure, c.want) << c.error;
    EXPECT_EQ(r.up, c.want == FailureClass::kNone);
    EXPECT_EQ(r.target, "web:80");
    EXPECT_EQ(r.attempts, 2);
    EXPECT_NE(r.error.find(c.error), std::string::npos) << r.error;
    EXPECT_EQ(r.latency_ms, c.result.http_status > 0 ? 4 : -1);
  }
}

TEST(FetchOutcome, UpRecordCarriesFieldsAndCountsDropped) {
  StatusPageOptions o;
  o.max_fields = 1;
  uint64_t dropped = 0;
  fleet::TargetRecord r = BuildRecord({"x"}, Http(200, R"({"CPU": "5%", "b": 2})"), 1, o, &dropped);
  EXPECT_TRUE(r.up);
  EXPECT_EQ(r.numbers, (std::map<std::string, double>{{"cpu", 5}}));
  EXPECT_EQ(dropped, 1u);
}

TEST(FetchOutcome, RetryOnlyWhatAnotherAttemptMayFix) {
  EXPECT_TRUE(ShouldRetry(FailureClass::kRefused));
  EXPECT_TRUE(ShouldRetry(FailureClass::kTimeout));
  EXPECT_TRUE(ShouldRetry(FailureClass::kHttp5xx));
  EXPECT_TRUE(ShouldRetry(FailureClass::kOther));
  EXPECT_FALSE(ShouldRetry(FailureClass::kNone));
  EXPECT_FALSE(ShouldRetry(FailureClass::kDns));
  EXPECT_FALSE(ShouldRetry(FailureClass::kHttp4xx));
  EXPECT_FALSE(ShouldRetry(FailureClass::kInvalidJson));
  EXPECT_FALSE(ShouldRetry(FailureClass::kBodyTooLarge));
  EXPECT_FALSE(ShouldRetry(FailureClass::kTls));
}

TEST(FetchOutcome, BackoffDoublesUpToTheCap) {
  using std::chrono::milliseconds;
  EXPECT_EQ(BackoffDelay(1, milliseconds(200), milliseconds(5000)), milliseconds(200));
  EXPECT_EQ(BackoffDelay(2, milliseconds(200), milliseconds(5000)), milliseconds(400));
  EXPECT_EQ(BackoffDelay(3, milliseconds(200), milliseconds(5000)), milliseconds(800));
  EXPECT_EQ(BackoffDelay(10, milliseconds(200), milliseconds(5000)), milliseconds(5000));
  EXPECT_EQ(BackoffDelay(1, milliseconds(0), milliseconds(0)), milliseconds(0));
}

}  // namespace
}  // namespace sonde::poller
