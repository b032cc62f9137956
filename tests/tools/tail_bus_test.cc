// `sonde tail` (the real binary) against a fake broker: a PUB socket on
// loopback publishing frames built with the wire library, so that each test
// chooses the sequence numbers (a loss, a restart) a real broker would only
// produce by accident.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "sonde/wire.h"
#include "testutil/testutil.h"

namespace sonde::testing {
namespace {

using namespace std::chrono_literals;

constexpr char kBrokerId[] = "fake-broker";
constexpr char kNote[] =
    "sonde tail: note: gaps cannot be detected with --source or --prefix (the broker numbers "
    "publications across all sources)\n";

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Publishes as a broker does: [topic, meta, payload], one sample per
// publication, with the sequence number the test asks for.
class FakeBroker {
 public:
  FakeBroker() {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.bind("tcp://127.0.0.1:*");
  }

  std::string endpoint() { return socket_.get(zmq::sockopt::last_endpoint); }

  void Publish(const std::string& source, uint64_t sequence) {
    std::string payload;
    const std::vector<Sample> samples = {
        {.name = "cpu", .value = 1, .timestamp_ms = 0, .kind = MetricKind::kGauge, .tags = {}}};
    ASSERT_EQ(EncodeBatch(source, NowMs(), {}, samples, &payload), WireError::kOk);
    char meta[128];
    const size_t meta_size = EncodeBusMeta(
        BusMeta{.broker_id = kBrokerId, .sequence = sequence, .received_ms = NowMs()}, meta,
        sizeof meta);
    ASSERT_GT(meta_size, 0u);
    const std::string topic = source + '\0';
    socket_.send(zmq::buffer(topic), zmq::send_flags::sndmore);
    socket_.send(zmq::buffer(meta, meta_size), zmq::send_flags::sndmore);
    socket_.send(zmq::buffer(payload), zmq::send_flags::none);
  }

 private:
  zmq::context_t context_{1};
  zmq::socket_t socket_{context_, zmq::socket_type::pub};
};

struct TailRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `sonde tail --from <fake> <args>` while `publish(i)` is called for
// i = 0, 1, 2, ... until tail exits: its subscription takes effect at some
// point we cannot observe from here.
template <typename PublishFn>
TailRun RunTail(FakeBroker& broker, const std::vector<std::string>& args, PublishFn publish) {
  TempDir dir;
  std::vector<std::string> argv = {BinaryPath("sonde"), "tail", "--from", broker.endpoint(),
                                   "--timeout", "20s"};
  argv.insert(argv.end(), args.begin(), args.end());
  TailRun run;
  {
    Child tail(argv, dir.File("out"), dir.File("err"));
    uint64_t i = 0;
    EXPECT_TRUE(WaitFor(
        [&] {
          publish(i++);
          std::this_thread::sleep_for(2ms);
          return tail.Exited();
        },
        30s));
    run.exit_code = tail.exit_code();
  }
  run.out = ReadFile(dir.File("out"));
  run.err = ReadFile(dir.File("err"));
  return run;
}

// The broker numbers publications across all sources: a tail filtered to
// one of two sources sees every other number, and that is no loss.
TEST(TailBus, FilteredTailReportsNoGapsAndSaysWhy) {
  for (const std::vector<std::string>& filter :
       {std::vector<std::string>{"--source", "web-01"}, {"--prefix", "web-01"}}) {
    SCOPED_TRACE(filter[0]);
    FakeBroker broker;
    std::vector<std::string> args = filter;
    args.insert(args.end(), {"--count", "3"});
    TailRun r = RunTail(broker, args, [&](uint64_t i) {
      broker.Publish("web-01", 2 * i + 1);
      broker.Publish("web-02", 2 * i + 2);
    });
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(Count(r.out, " web-01 cpu 1 gauge\n"), 3u) << r.out;
    EXPECT_EQ(r.err, kNote);
  }
}

// Unfiltered, a hole in the sequence is a loss: every other publication
// missing is one gap per publication after the first.
TEST(TailBus, UnfilteredTailReportsGaps) {
  FakeBroker broker;
  TailRun r = RunTail(broker, {"--count", "3"},
                      [&](uint64_t i) { broker.Publish("web-01", 2 * i + 1); });
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Count(r.err, "sonde tail: gap broker=fake-broker missed=1 before seq="), 2u) << r.err;
  EXPECT_NE(r.err.find("sonde tail: broker=fake-broker publications=3 gaps=2 missed=2 "
                       "restarts=0\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("note:"), std::string::npos) << r.err;
}

// A jump back is a restart, filter or not; what it missed is unknown when
// filtered, so no gap or missed count is printed.
TEST(TailBus, FilteredTailStillCountsRestarts) {
  FakeBroker broker;
  // 10, 20, 1, 10, 20, 1, ...: six publications in a row hold one or two
  // jumps back.
  const uint64_t cycle[] = {10, 20, 1};
  TailRun r = RunTail(broker, {"--source", "web-01", "--count", "6"},
                      [&](uint64_t i) { broker.Publish("web-01", cycle[i % 3]); });
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string summary = "sonde tail: broker=fake-broker publications=6 restarts=";
  ASSERT_EQ(r.err.rfind(kNote, 0), 0u) << r.err;
  const std::string rest = r.err.substr(std::string(kNote).size());
  EXPECT_TRUE(rest == summary + "1\n" || rest == summary + "2\n") << r.err;
}

}  // namespace
}  // namespace sonde::testing
