// Samples leave the poller through Emitter::RecordFor as wire messages with
// source = target: received on a real UDP socket and decoded with DecodeBatch.
#include "sample_writer.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>

#include "sonde/wire.h"

namespace sonde::poller {
namespace {

using fleet::FailureClass;
using fleet::TargetRecord;

struct Received {
  std::string source;
  int64_t timestamp_ms = 0;
  Tags batch_tags;
  std::vector<Sample> samples;
};

class UdpReceiver {
 public:
  UdpReceiver() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~UdpReceiver() { ::close(fd_); }
  std::string uri() const { return "udp://127.0.0.1:" + std::to_string(port_); }

  // Every datagram that arrives within `wait_ms` of the previous one.
  std::vector<Received> Drain(int wait_ms = 500) {
    std::vector<Received> out;
    char buf[65536];
    pollfd p{fd_, POLLIN, 0};
    while (::poll(&p, 1, wait_ms) == 1) {
      ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) break;
      BatchView view;
      const WireError e = DecodeBatch(std::string_view(buf, static_cast<size_t>(n)), &view);
      EXPECT_EQ(e, WireError::kOk) << WireErrorName(e);
      if (e != WireError::kOk) continue;
      Received r;
      r.source = std::string(view.source);
      r.timestamp_ms = view.timestamp_ms;
      for (const TagView& t : view.tags)
        r.batch_tags.push_back({std::string(t.key), std::string(t.value)});
      for (const SampleView& s : view.samples) {
        r.samples.push_back({std::string(s.name), s.value, s.timestamp_ms, s.kind, {}});
      }
      out.push_back(std::move(r));
      wait_ms = 100;
    }
    return out;
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

constexpr int64_t kNow = 1704067200000;

std::unique_ptr<SampleWriter> Writer(const UdpReceiver& rx) {
  EmitterOptions o = SampleWriterEmitterOptions(rx.uri());
  o.flush_interval = std::chrono::hours(1);  // Sent by Flush() only.
  auto emitter = Emitter::Open(o);
  EXPECT_TRUE(emitter.has_value()) << emitter.error().ToString();
  return std::make_unique<SampleWriter>(std::move(*emitter),
                                        std::vector<std::string>{"application", "version"});
}

// Writes the record and returns what the broker would receive.
std::vector<Received> WriteAndReceive(SampleWriter* writer, UdpReceiver* rx,
                                      const TargetRecord& r) {
  writer->Write(r, kNow);
  EXPECT_TRUE(writer->emitter().Flush(std::chrono::seconds(5)).ok());
  return rx->Drain();
}

std::map<std::string, std::pair<double, MetricKind>> ByName(const Received& r) {
  std::map<std::string, std::pair<double, MetricKind>> out;
  for (const Sample& s : r.samples) out[s.name] = {s.value, s.kind};
  return out;
}

TEST(SampleWriter, UpRecordIsOwnSamplesThenTaggedFields) {
  UdpReceiver rx;
  auto writer = Writer(rx);
  TargetRecord r;
  r.target = "10.58.1.1:8080";
  r.up = true;
  r.http_status = 200;
  r.latency_ms = 2.5;
  r.attempts = 1;
  r.numbers = {{"request_count", 100}, {"cpu", 56}, {"up", 7}};
  r.strings = {{"application", "Cache2"}, {"version", "1.0.1"}, {"service", "bad\x01value"}};
  std::vector<Received> got = WriteAndReceive(writer.get(), &rx, r);
  ASSERT_EQ(got.size(), 2u);
  for (const Received& m : got) {
    EXPECT_EQ(m.source, "10.58.1.1:8080");
    for (const Sample& s : m.samples) EXPECT_EQ(s.timestamp_ms, kNow);
  }
  EXPECT_TRUE(got[0].batch_tags.empty());
  using P = std::pair<double, MetricKind>;
  EXPECT_EQ(ByName(got[0]), (std::map<std::string, P>{
                                {"up", {1, MetricKind::kGauge}},
                                {"poll.failure", {0, MetricKind::kGauge}},
                                {"poll.attempts", {1, MetricKind::kGauge}},
                                {"http.status", {200, MetricKind::kGauge}},
                                {"http.latency_ms", {2.5, MetricKind::kTiming}},
                            }));
  EXPECT_EQ(got[1].batch_tags,
            (Tags{{"application", "Cache2"}, {"version", "1.0.1"}, {"service", "bad?value"}}));
  EXPECT_EQ(ByName(got[1]), (std::map<std::string, P>{
                                {"request_count", {100, MetricKind::kGauge}},
                                {"cpu", {56, MetricKind::kGauge}},
                                {"field.up", {7, MetricKind::kGauge}},
                            }));
  EXPECT_EQ(writer->counters().samples, 8u);
  EXPECT_EQ(writer->emitter().counters().sent_samples, 8u);
  EXPECT_EQ(writer->emitter().counters().sent_messages, 2u);
}

TEST(SampleWriter, DownRecordSendsOnlyItsOwnSamples) {
  UdpReceiver rx;
  auto writer = Writer(rx);
  TargetRecord r;
  r.target = "[::1]:9000";
  r.failure = FailureClass::kTimeout;
  r.attempts = 4;
  std::vector<Received> got = WriteAndReceive(writer.get(), &rx, r);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].source, "[::1]:9000");
  using P = std::pair<double, MetricKind>;
  EXPECT_EQ(ByName(got[0]), (std::map<std::string, P>{
                                {"up", {0, MetricKind::kGauge}},
                                {"poll.failure", {3, MetricKind::kGauge}},
                                {"poll.attempts", {4, MetricKind::kGauge}},
                            }));
}

TEST(SampleWriter, ManyFieldsSpanSeveralDatagramsEachTagged) {
  UdpReceiver rx;
  auto writer = Writer(rx);
  TargetRecord r;
  r.target = "web01";
  r.up = true;
  r.attempts = 1;
  for (int i = 0; i < 300; ++i) r.numbers["metric_number_" + std::to_string(i)] = i;
  r.strings = {{"application", "A"}, {"version", "1"}};
  std::vector<Received> got = WriteAndReceive(writer.get(), &rx, r);
  ASSERT_GT(got.size(), 3u);
  size_t fields = 0;
  for (size_t i = 1; i < got.size(); ++i) {
    EXPECT_EQ(got[i].batch_tags, (Tags{{"application", "A"}, {"version", "1"}}));
    fields += got[i].samples.size();
  }
  EXPECT_EQ(fields, 300u);
  EXPECT_EQ(writer->counters().samples_invalid, 0u);
}

TEST(SampleWriter, TagLimitsKeepPreferredKeysAndDropTheRest) {
  UdpReceiver rx;
  auto writer = Writer(rx);
  TargetRecord r;
  r.target = "web01";
  r.up = true;
  r.numbers = {{"x", 1}};
  for (int i = 0; i < 40; ++i) r.strings["a" + std::to_string(100 + i)] = "v";
  r.strings["version"] = "9";
  r.strings["zz_long"] = std::string(300, 'v');  // Over 255 bytes: never a tag.
  r.numbers[std::string(300, 'n')] = 1;          // Over 255 bytes: not a valid name.
  std::vector<Received> got = WriteAndReceive(writer.get(), &rx, r);
  ASSERT_EQ(got.size(), 2u);
  ASSERT_EQ(got[1].batch_tags.size(), kMaxTagsPerLevel);
  EXPECT_EQ(got[1].batch_tags[0], (Tag{"version", "9"}));
  EXPECT_EQ(writer->counters().tags_dropped, 42u - kMaxTagsPerLevel);
  EXPECT_EQ(writer->counters().samples_invalid, 1u);
}

TEST(SampleWriter, RecordsOfManyTargetsKeepTheirSources) {
  UdpReceiver rx;
  auto writer = Writer(rx);
  for (int i = 0; i < 30; ++i) {
    TargetRecord r;
    r.target = "host" + std::to_string(i);
    r.up = true;
    r.attempts = 1;
    r.numbers = {{"cpu", i}};
    r.strings = {{"application", "A" + std::to_string(i)}};
    writer->Write(r, kNow);
  }
  ASSERT_TRUE(writer->emitter().Flush(std::chrono::seconds(5)).ok());
  std::vector<Received> got = rx.Drain();
  ASSERT_EQ(got.size(), 60u);
  for (int i = 0; i < 30; ++i) {
    const Received& own = got[2 * i];
    const Received& fields = got[2 * i + 1];
    EXPECT_EQ(own.source, "host" + std::to_string(i));
    EXPECT_TRUE(own.batch_tags.empty());
    EXPECT_EQ(fields.source, "host" + std::to_string(i));
    EXPECT_EQ(fields.batch_tags, (Tags{{"application", "A" + std::to_string(i)}}));
    EXPECT_EQ(ByName(fields).at("cpu").first, i);
  }
}

TEST(SampleWriter, InvalidSourceIsCountedNotSent) {
  UdpReceiver rx;
  auto writer = Writer(rx);
  TargetRecord r;
  r.target = "bad\nsource";
  writer->Write(r, kNow);
  ASSERT_TRUE(writer->emitter().Flush(std::chrono::seconds(5)).ok());
  EXPECT_EQ(writer->counters().records_invalid, 1u);
  EXPECT_EQ(writer->counters().samples, 0u);
  EXPECT_EQ(writer->emitter().counters().invalid(WireError::kBadSource), 1u);
  EXPECT_EQ(writer->emitter().counters().sent_messages, 0u);
}

TEST(SampleWriter, RejectsBadEndpoints) {
  EXPECT_TRUE(Emitter::Open(SampleWriterEmitterOptions("http://x")).error().IsInvalidArgument());
  // ZeroMQ connects lazily.
  EXPECT_TRUE(Emitter::Open(SampleWriterEmitterOptions("tcp://127.0.0.1:1")).has_value());
}

}  // namespace
}  // namespace sonde::poller
