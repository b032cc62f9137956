// BusBundler: one publication per source per burst, in arrival order, within
// the payload bound; over a real PUB socket on loopback.
#include "bus_bundler.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "broker_test_util.h"
#include "sonde/counters.h"

namespace sonde::broker {
namespace {

using namespace std::chrono_literals;
using testing::BusSubscriber;
using testing::MakeBatch;
using testing::Publication;
using testing::Topic;

class BusBundlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(publisher_.Bind(context_.handle(), "tcp://127.0.0.1:0", 100000, 0).ok());
    sub_ = std::make_unique<BusSubscriber>(publisher_.endpoint(), std::vector<std::string>{""});
    const std::string probe = MakeBatch("probe");
    bool subscribed = false;
    for (int i = 0; i < 5000 && !subscribed; ++i) {
      publisher_.Publish("probe", probe, 1);
      subscribed = sub_->Receive(2ms).has_value();
    }
    ASSERT_TRUE(subscribed);
    while (sub_->Receive(20ms).has_value()) {
    }
    probes_ = metrics_.published_messages->value();
  }
  void TearDown() override { publisher_.Close(); }

  // Adds a copy of `message` as a PULL message would come: in a zmq_msg_t
  // that is reused (here: overwritten) right after.
  void AddHeld(const std::string& message, int64_t received_ms) {
    zmq_msg_t m;
    zmq_msg_init_size(&m, message.size());
    std::memcpy(zmq_msg_data(&m), message.data(), message.size());
    std::string_view source;
    ASSERT_EQ(ValidateBatch(std::string_view(static_cast<char*>(zmq_msg_data(&m)), message.size()),
                            &source, nullptr),
              WireError::kOk);
    bundler_.AddMessage(source, &m, received_ms);
    EXPECT_EQ(zmq_msg_size(&m), 0u);  // Moved out.
    zmq_msg_close(&m);
  }

  // The data publications that follow, until `n` arrived.
  std::vector<Publication> Next(size_t n) {
    std::vector<Publication> out;
    while (out.size() < n) {
      std::optional<Publication> p = sub_->ReceiveData();
      if (!p.has_value()) break;
      out.push_back(std::move(*p));
    }
    return out;
  }

  zmq::context_t context_{1};
  CounterRegistry registry_{"test"};
  BrokerMetrics metrics_{&registry_};
  ZmqPublisher publisher_{"b", &metrics_};
  BusBundler bundler_{&publisher_};
  std::unique_ptr<BusSubscriber> sub_;
  uint64_t probes_ = 0;  // Messages published while subscribing.
};

// The source of a message made by MakeBatch, as a view into it.
std::string_view SourceOf(const std::string& message) {
  std::string_view source;
  EXPECT_EQ(ValidateBatch(message, &source, nullptr), WireError::kOk);
  return source;
}

TEST_F(BusBundlerTest, OnePublicationPerSourceInArrivalOrder) {
  const std::string a1 = MakeBatch("a", 1, 1), b1 = MakeBatch("b", 2, 10);
  const std::string a2 = MakeBatch("a", 3, 2), a3 = MakeBatch("a", 1, 3);
  EXPECT_TRUE(bundler_.empty());
  bundler_.Add(SourceOf(a1), a1, 111);
  bundler_.Add(SourceOf(b1), b1, 111);
  AddHeld(a2, 111);
  bundler_.Add(SourceOf(a3), a3, 111);
  EXPECT_FALSE(bundler_.empty());
  bundler_.Flush();
  EXPECT_TRUE(bundler_.empty());
  std::vector<Publication> got = Next(2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].topic, Topic("a"));
  EXPECT_EQ(got[0].message_count, 3u);
  EXPECT_EQ(got[0].messages, (std::vector<std::string>{a1, a2, a3}));
  EXPECT_EQ(got[0].received_ms, 111);
  EXPECT_EQ(got[1].topic, Topic("b"));
  EXPECT_EQ(got[1].messages, (std::vector<std::string>{b1}));
  EXPECT_EQ(got[1].sequence, got[0].sequence + 1);
  EXPECT_EQ(metrics_.published_messages->value() - probes_, 4u);
  // Nothing pending: a flush publishes nothing.
  bundler_.Flush();
  EXPECT_FALSE(sub_->ReceiveData(50ms).has_value());
}

TEST_F(BusBundlerTest, SplitsABundleAtThePayloadBound) {
  // Each message ~ 20 KiB: three fit in 64 KiB, the fourth starts another.
  std::vector<std::string> messages;
  for (int i = 0; i < 7; ++i) messages.push_back(MakeBatch("big", 2300, i));
  ASSERT_GT(messages[0].size(), kMaxBusPayloadBytes / 4);
  ASSERT_LT(messages[0].size(), kMaxBusPayloadBytes / 3);
  for (const std::string& m : messages) AddHeld(m, 5);
  bundler_.Flush();
  std::vector<Publication> got = Next(3);
  ASSERT_EQ(got.size(), 3u);
  std::vector<std::string> all;
  for (const Publication& p : got) {
    EXPECT_LE(p.payload.size(), kMaxBusPayloadBytes);
    EXPECT_EQ(p.messages.size(), p.message_count);
    all.insert(all.end(), p.messages.begin(), p.messages.end());
  }
  EXPECT_EQ(all, messages);  // Order kept across the split.
}

TEST_F(BusBundlerTest, ManyPendingMessagesFlushEarlyWithoutLoss) {
  std::vector<std::string> messages;
  for (size_t i = 0; i < BusBundler::kMaxPending + 300; ++i) {
    messages.push_back(MakeBatch("s" + std::to_string(i % 700), 2, static_cast<double>(i)));
  }
  bool held = false;
  for (const std::string& m : messages) {
    if ((held = !held)) {
      AddHeld(m, 5);
    } else {
      bundler_.Add(SourceOf(m), m, 5);
    }
  }
  bundler_.Flush();
  size_t seen = 0;
  while (seen < messages.size()) {
    std::optional<Publication> p = sub_->ReceiveData();
    ASSERT_TRUE(p.has_value()) << "after " << seen;
    ASSERT_EQ(p->messages.size(), p->message_count);
    seen += p->messages.size();
  }
  EXPECT_EQ(seen, messages.size());
  EXPECT_EQ(metrics_.published_messages->value() - probes_, messages.size());
}

}  // namespace
}  // namespace sonde::broker
