// The C API (sonde/emitter_c.h), called as a C program would, against a
// real UDP socket on loopback.
#include "sonde/emitter_c.h"

#include <errno.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "receivers.h"
#include "sonde/emitter.h"

namespace sonde {
namespace {

using testing::CountSamples;
using testing::Received;
using testing::UdpReceiver;

TEST(EmitterC, OptionsInitSetsDefaults) {
  sonde_emitter_options_t o;
  std::memset(&o, 0xff, sizeof(o));
  sonde_emitter_options_init(&o);
  EXPECT_STREQ(o.endpoint, "udp://127.0.0.1:7700");
  EXPECT_EQ(o.source, nullptr);
  EXPECT_EQ(o.tags, nullptr);
  EXPECT_EQ(o.ntags, 0u);
  EXPECT_EQ(o.flush_interval_ms, 1000u);
  EXPECT_EQ(o.max_batch_bytes, 0u);
  EXPECT_EQ(o.queue_bytes, size_t{1} << 20);
  EXPECT_EQ(o.close_timeout_ms, 1000u);
  EXPECT_EQ(o.zmq_send_hwm, 1000);
  sonde_emitter_options_init(nullptr);  // Ignored.

  // The same defaults as the C++ API.
  const EmitterOptions cpp;
  EXPECT_EQ(o.endpoint, cpp.endpoint);
  EXPECT_EQ(o.flush_interval_ms, static_cast<uint32_t>(cpp.flush_interval.count()));
  EXPECT_EQ(o.max_batch_bytes, cpp.max_batch_bytes);
  EXPECT_EQ(o.queue_bytes, cpp.queue_bytes);
  EXPECT_EQ(o.close_timeout_ms, static_cast<uint32_t>(cpp.close_timeout.count()));
  EXPECT_EQ(o.zmq_send_hwm, cpp.zmq_send_hwm);
}

TEST(EmitterC, OpenRejectsBadArguments) {
  sonde_emitter_options_t o;
  sonde_emitter_options_init(&o);
  sonde_emitter_t* e = reinterpret_cast<sonde_emitter_t*>(0x1);
  EXPECT_EQ(sonde_emitter_open(nullptr, &e), SONDE_EINVAL);
  EXPECT_EQ(e, nullptr);
  EXPECT_EQ(sonde_emitter_open(&o, nullptr), SONDE_EINVAL);

  o.endpoint = "foo";
  e = reinterpret_cast<sonde_emitter_t*>(0x1);
  EXPECT_EQ(sonde_emitter_open(&o, &e), SONDE_EINVAL);
  EXPECT_EQ(e, nullptr);

  sonde_emitter_options_init(&o);
  o.flush_interval_ms = 0;
  EXPECT_EQ(sonde_emitter_open(&o, &e), SONDE_EINVAL);

  sonde_emitter_options_init(&o);
  sonde_tag_t null_value[] = {{"k", nullptr}};
  o.tags = null_value;
  o.ntags = 1;
  EXPECT_EQ(sonde_emitter_open(&o, &e), SONDE_EINVAL);

  sonde_emitter_options_init(&o);
  o.ntags = 1;  // tags is NULL.
  EXPECT_EQ(sonde_emitter_open(&o, &e), SONDE_EINVAL);
}

// The codes say what kind of failure; sonde_emitter_last_error() says what
// exactly, as the C++ Status does.
TEST(EmitterC, LastErrorSaysWhatFailed) {
  sonde_emitter_options_t o;
  sonde_emitter_options_init(&o);
  sonde_emitter_t* e = nullptr;
  o.endpoint = "udp://127.0.0.1";
  ASSERT_EQ(sonde_emitter_open(&o, &e), SONDE_EINVAL);
  EXPECT_EQ(std::string(sonde_emitter_last_error()),
            "endpoint 'udp://127.0.0.1': missing ':port' after the host; expected "
            "udp://host:port, tcp://host:port or ipc://path");

  // A success leaves it alone, as errno.
  sonde_emitter_options_init(&o);
  ASSERT_EQ(sonde_emitter_open(&o, &e), 0);
  EXPECT_NE(std::string(sonde_emitter_last_error()).find("missing ':port'"), std::string::npos);
  sonde_emitter_close(e);

  struct Case {
    void (*edit)(sonde_emitter_options_t*);
    int code;
    const char* message_has;
  };
  static const sonde_tag_t kTwice[] = {{"service", "a"}, {"service", "b"}};
  static const sonde_tag_t kNullValue[] = {{"k", nullptr}};
  const Case cases[] = {
      {[](sonde_emitter_options_t* p) { p->close_timeout_ms = 120000; }, SONDE_EINVAL,
       "close_timeout: 120000 ms is out of range (0 to 60 s)"},
      {[](sonde_emitter_options_t* p) { p->zmq_send_hwm = 0; }, SONDE_EINVAL,
       "zmq_send_hwm: 0 is out of range (1 to 1000000)"},
      {[](sonde_emitter_options_t* p) {
         p->tags = kTwice;
         p->ntags = 2;
       },
       SONDE_EINVAL, "tag 'service' given twice"},
      {[](sonde_emitter_options_t* p) {
         p->tags = kNullValue;
         p->ntags = 1;
       },
       SONDE_EINVAL, "options: tags[0] has a NULL key or value"},
      {[](sonde_emitter_options_t* p) { p->ntags = 3; }, SONDE_EINVAL,
       "options: tags is NULL but ntags is 3"},
      {[](sonde_emitter_options_t* p) { p->endpoint = "tcp://bad..name:7701"; }, SONDE_ENOTFOUND,
       "cannot resolve 'bad..name'"},
  };
  for (const Case& c : cases) {
    sonde_emitter_options_init(&o);
    c.edit(&o);
    EXPECT_EQ(sonde_emitter_open(&o, &e), c.code) << c.message_has;
    EXPECT_NE(std::string(sonde_emitter_last_error()).find(c.message_has), std::string::npos)
        << sonde_emitter_last_error();
  }
  EXPECT_EQ(sonde_emitter_open(&o, nullptr), SONDE_EINVAL);
  EXPECT_STREQ(sonde_emitter_last_error(), "sonde_emitter_open: out is NULL");
}

TEST(EmitterC, LastErrorIsPerThread) {
  sonde_emitter_options_t o;
  sonde_emitter_options_init(&o);
  o.endpoint = "foo";
  sonde_emitter_t* e = nullptr;
  ASSERT_EQ(sonde_emitter_open(&o, &e), SONDE_EINVAL);
  std::string other;
  std::thread([&] { other = sonde_emitter_last_error(); }).join();
  EXPECT_EQ(other, "");
  EXPECT_NE(std::string(sonde_emitter_last_error()).find("endpoint 'foo'"), std::string::npos);
}

// Opens an emitter to `endpoint` that sends on flush only; null on failure.
sonde_emitter_t* OpenFlushOnly(const std::string& endpoint, const char* source,
                               const sonde_tag_t* tags, size_t ntags) {
  sonde_emitter_options_t o;
  sonde_emitter_options_init(&o);
  o.endpoint = endpoint.c_str();
  o.source = source;
  o.tags = tags;
  o.ntags = ntags;
  o.flush_interval_ms = 3600 * 1000;
  sonde_emitter_t* e = nullptr;
  EXPECT_EQ(sonde_emitter_open(&o, &e), 0);
  return e;
}

TEST(EmitterC, RecordsFlushesAndCounts) {
  UdpReceiver rx;
  sonde_tag_t batch_tags[] = {{"service", "auth"}};
  sonde_emitter_t* e = OpenFlushOnly(rx.endpoint(), "c-host", batch_tags, 1);
  ASSERT_NE(e, nullptr);

  sonde_tag_t tags[] = {{"core", "3"}};
  EXPECT_EQ(sonde_emitter_gauge(e, "cpu", 12.5, tags, 1), 0);
  EXPECT_EQ(sonde_emitter_count(e, "requests", 2, nullptr, 0), 0);
  EXPECT_EQ(sonde_emitter_timing(e, "latency", 7.5, nullptr, 0), 0);
  EXPECT_EQ(sonde_emitter_record(e, "at", 1, SONDE_GAUGE, 1700000000000, nullptr, 0), 0);
  EXPECT_EQ(sonde_emitter_flush(e, 5000), 0);

  std::vector<Received> got = rx.ReceiveSamples(4);
  ASSERT_EQ(CountSamples(got), 4u);
  EXPECT_EQ(got[0].source, "c-host");
  const Sample& cpu = got[0].samples[0];
  EXPECT_EQ(cpu.name, "cpu");
  EXPECT_EQ(cpu.value, 12.5);
  EXPECT_EQ(cpu.tags, (Tags{{"core", "3"}, {"service", "auth"}}));
  EXPECT_EQ(got[0].samples[1].kind, MetricKind::kCounter);
  EXPECT_EQ(got[0].samples[2].kind, MetricKind::kTiming);
  EXPECT_EQ(got[0].samples[3].timestamp_ms, 1700000000000);

  sonde_emitter_counters_t c;
  ASSERT_EQ(sonde_emitter_counters(e, &c), 0);
  EXPECT_EQ(c.recorded, 4u);
  EXPECT_EQ(c.sent_samples, 4u);
  EXPECT_EQ(c.sent_messages, 1u);
  EXPECT_EQ(c.dropped_invalid, 0u);
  EXPECT_EQ(c.send_errors, 0u);
  sonde_emitter_close(e);
}

TEST(EmitterC, RecordsForAnotherSource) {
  UdpReceiver rx;
  sonde_emitter_t* e = OpenFlushOnly(rx.endpoint(), "c-poller", nullptr, 0);
  ASSERT_NE(e, nullptr);

  sonde_tag_t target_tags[] = {{"version", "2.1"}};
  sonde_tag_t tags[] = {{"core", "1"}};
  EXPECT_EQ(sonde_emitter_record_for(e, "10.0.0.7:8080", target_tags, 1, "cpu", 56, SONDE_GAUGE,
                                     1700000000000, tags, 1),
            0);
  EXPECT_EQ(
      sonde_emitter_record_for(e, "10.0.0.8", nullptr, 0, "up", 1, SONDE_GAUGE, 0, nullptr, 0), 0);
  EXPECT_EQ(
      sonde_emitter_record_for(e, "bad\tsource", nullptr, 0, "up", 1, SONDE_GAUGE, 0, nullptr, 0),
      SONDE_EBADSAMPLE);
  EXPECT_EQ(sonde_emitter_record_for(e, nullptr, nullptr, 0, "up", 1, SONDE_GAUGE, 0, nullptr, 0),
            SONDE_EINVAL);
  EXPECT_EQ(sonde_emitter_record_for(e, "h", nullptr, 1, "up", 1, SONDE_GAUGE, 0, nullptr, 0),
            SONDE_EINVAL);
  EXPECT_EQ(sonde_emitter_flush(e, 5000), 0);

  std::vector<Received> got = rx.ReceiveSamples(2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].source, "10.0.0.7:8080");
  EXPECT_EQ(got[0].batch_tags, (Tags{{"version", "2.1"}}));
  EXPECT_EQ(got[0].samples[0].tags, (Tags{{"core", "1"}, {"version", "2.1"}}));
  EXPECT_EQ(got[0].samples[0].timestamp_ms, 1700000000000);
  EXPECT_EQ(got[1].source, "10.0.0.8");
  sonde_emitter_counters_t c;
  ASSERT_EQ(sonde_emitter_counters(e, &c), 0);
  EXPECT_EQ(c.recorded, 2u);
  EXPECT_EQ(c.dropped_invalid, 1u);
  EXPECT_EQ(c.sent_messages, 2u);
  sonde_emitter_close(e);
}

TEST(EmitterC, RejectsBadSamples) {
  UdpReceiver rx;
  const std::string endpoint = rx.endpoint();
  sonde_emitter_options_t o;
  sonde_emitter_options_init(&o);
  o.endpoint = endpoint.c_str();
  sonde_emitter_t* e = nullptr;
  ASSERT_EQ(sonde_emitter_open(&o, &e), 0);

  // Counted as invalid samples.
  EXPECT_EQ(sonde_emitter_gauge(e, "", 1, nullptr, 0), SONDE_EBADSAMPLE);
  EXPECT_EQ(sonde_emitter_gauge(e, "nan", std::nan(""), nullptr, 0), SONDE_EBADSAMPLE);
  sonde_tag_t many[40];
  std::vector<std::string> keys;
  for (int i = 0; i < 40; ++i) keys.push_back("k" + std::to_string(i));
  for (int i = 0; i < 40; ++i) many[i] = {keys[i].c_str(), "v"};
  EXPECT_EQ(sonde_emitter_gauge(e, "tags", 1, many, 33), SONDE_EBADSAMPLE);
  EXPECT_EQ(sonde_emitter_gauge(e, "tags", 1, many, 40), SONDE_EBADSAMPLE);
  EXPECT_STREQ(sonde_emitter_last_error(), "sample rejected: too_many_tags");
  const sonde_tag_t twice[] = {{"k", "a"}, {"k", "b"}};
  EXPECT_EQ(sonde_emitter_gauge(e, "tags", 1, twice, 2), SONDE_EBADSAMPLE);
  EXPECT_STREQ(sonde_emitter_last_error(), "sample rejected: duplicate_tag");
  EXPECT_EQ(sonde_emitter_gauge(e, "tags", 1, many, 32), 0);
  // Programming errors: not counted.
  EXPECT_EQ(sonde_emitter_gauge(nullptr, "x", 1, nullptr, 0), SONDE_EINVAL);
  EXPECT_EQ(sonde_emitter_gauge(e, nullptr, 1, nullptr, 0), SONDE_EINVAL);
  EXPECT_EQ(sonde_emitter_gauge(e, "x", 1, nullptr, 1), SONDE_EINVAL);
  sonde_tag_t null_key[] = {{nullptr, "v"}};
  EXPECT_EQ(sonde_emitter_gauge(e, "x", 1, null_key, 1), SONDE_EINVAL);
  EXPECT_EQ(sonde_emitter_record(e, "x", 1, static_cast<sonde_kind_t>(9), 0, nullptr, 0),
            SONDE_EINVAL);
  EXPECT_EQ(sonde_emitter_flush(nullptr, 0), SONDE_EINVAL);
  EXPECT_EQ(sonde_emitter_counters(nullptr, nullptr), SONDE_EINVAL);

  sonde_emitter_counters_t c;
  ASSERT_EQ(sonde_emitter_counters(e, &c), 0);
  EXPECT_EQ(c.dropped_invalid, 5u);
  EXPECT_EQ(c.recorded, 1u);
  sonde_emitter_close(e);
  sonde_emitter_close(nullptr);  // Ignored.
}

TEST(EmitterC, FlushReportsUnreachablePeer) {
  const std::string endpoint =
      "tcp://127.0.0.1:" + std::to_string(testing::UnusedPort(SOCK_STREAM));
  sonde_emitter_options_t o;
  sonde_emitter_options_init(&o);
  o.endpoint = endpoint.c_str();
  o.close_timeout_ms = 0;
  sonde_emitter_t* e = nullptr;
  ASSERT_EQ(sonde_emitter_open(&o, &e), 0);
  EXPECT_EQ(sonde_emitter_count(e, "requests", 1, nullptr, 0), 0);
  EXPECT_EQ(sonde_emitter_flush(e, 100), SONDE_EUNAVAIL);
  EXPECT_NE(std::string(sonde_emitter_last_error()).find("no ZeroMQ peer accepted the messages"),
            std::string::npos)
      << sonde_emitter_last_error();
  sonde_emitter_counters_t c;
  ASSERT_EQ(sonde_emitter_counters(e, &c), 0);
  EXPECT_EQ(c.dropped_send_failed, 1u);
  EXPECT_EQ(c.last_send_errno, EAGAIN);
  sonde_emitter_close(e);
}

// A record call's last error names the wire limit the sample broke, as
// WireErrorName() does (docs/wire-format.md), for the sample's fields, a
// RecordFor() envelope and a sample too large for the batch size alike.
TEST(EmitterC, LastErrorNamesTheLimitASampleBroke) {
  UdpReceiver rx;
  sonde_emitter_t* e = OpenFlushOnly(rx.endpoint(), "c-app", nullptr, 0);
  ASSERT_NE(e, nullptr);
  auto expect_last = [](int rc, const char* reason) {
    EXPECT_EQ(rc, SONDE_EBADSAMPLE) << reason;
    EXPECT_EQ(std::string(sonde_emitter_last_error()), std::string("sample rejected: ") + reason);
  };
  const sonde_tag_t twice[] = {{"k", "a"}, {"k", "b"}};
  const sonde_tag_t bad_key[] = {{"", "v"}};
  expect_last(sonde_emitter_gauge(e, "", 1, nullptr, 0), "bad_name");
  expect_last(sonde_emitter_gauge(e, "m", std::nan(""), nullptr, 0), "non_finite");
  expect_last(sonde_emitter_gauge(e, "m", 1, twice, 2), "duplicate_tag");
  expect_last(sonde_emitter_count(e, "m", 1, bad_key, 1), "bad_tag");
  expect_last(sonde_emitter_record(e, "m", 1, SONDE_GAUGE, 5, nullptr, 0), "bad_timestamp");
  expect_last(
      sonde_emitter_record_for(e, "bad\tsource", nullptr, 0, "m", 1, SONDE_GAUGE, 0, nullptr, 0),
      "bad_source");
  expect_last(sonde_emitter_record_for(e, "h", twice, 2, "m", 1, SONDE_GAUGE, 0, nullptr, 0),
              "duplicate_tag");
  expect_last(sonde_emitter_record_for(e, "h", nullptr, 0, "m", 1, SONDE_GAUGE, 0, twice, 2),
              "duplicate_tag");
  // Valid fields, but more than a 1,400-byte UDP batch holds.
  const std::string long_value(250, 'v');
  std::vector<std::string> keys;
  std::vector<sonde_tag_t> big;
  for (int i = 0; i < 8; ++i) keys.push_back("k" + std::to_string(i));
  for (const std::string& k : keys) big.push_back({k.c_str(), long_value.c_str()});
  expect_last(sonde_emitter_gauge(e, "m", 1, big.data(), big.size()), "oversized");
  // Other failures keep sonde_strerror()'s text.
  EXPECT_EQ(sonde_emitter_gauge(e, nullptr, 1, nullptr, 0), SONDE_EINVAL);
  EXPECT_STREQ(sonde_emitter_last_error(), sonde_strerror(SONDE_EINVAL));
  sonde_emitter_close(e);
}

TEST(EmitterC, StrerrorCoversEveryCode) {
  const int codes[] = {SONDE_EINVAL,    SONDE_EBADSAMPLE, SONDE_EQUEUEFULL, SONDE_EUNAVAIL,
                       SONDE_ENOTFOUND, SONDE_EIO,        SONDE_ENOMEM,     SONDE_EINTERNAL};
  for (int code : codes) {
    EXPECT_LT(code, 0);
    EXPECT_STRNE(sonde_strerror(code), "unknown error") << code;
  }
  EXPECT_STREQ(sonde_strerror(0), "success");
  EXPECT_STREQ(sonde_strerror(-1000), "unknown error");
}

}  // namespace
}  // namespace sonde
