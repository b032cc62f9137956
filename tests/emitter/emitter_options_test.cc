// EmitterOptions::Validate: the defaults pass, and each field's check
// rejects a value just out of range with a message naming the field.
#include <gtest/gtest.h>

#include <functional>
#include <variant>

#include "sonde/emitter.h"

namespace sonde {
namespace {

using std::chrono::milliseconds;

TEST(EmitterOptions, DefaultsAreValid) {
  EmitterOptions o;
  EXPECT_TRUE(o.Validate().ok()) << o.Validate().ToString();
  EXPECT_EQ(o.endpoint, "udp://127.0.0.1:7700");
  EXPECT_EQ(o.flush_interval, milliseconds(1000));
  EXPECT_EQ(o.max_batch_bytes, 0u);
}

struct Case {
  const char* name;
  std::function<void(EmitterOptions*)> edit;
  const char* message_has;  // nullptr: valid.
};

TEST(EmitterOptions, ChecksEachField) {
  const Case cases[] = {
      {"bad endpoint", [](EmitterOptions* o) { o->endpoint = "foo"; },
       "endpoint 'foo': expected udp://host:port, tcp://host:port or ipc://path"},
      {"wildcard endpoint", [](EmitterOptions* o) { o->endpoint = "udp://*:7700"; },
       "only valid for binding"},
      {"zmq endpoint", [](EmitterOptions* o) { o->endpoint = "tcp://127.0.0.1:7701"; }, nullptr},
      {"ipc endpoint", [](EmitterOptions* o) { o->endpoint = "ipc:///tmp/x.sock"; }, nullptr},
      {"source too long", [](EmitterOptions* o) { o->source = std::string(256, 'h'); }, "source '"},
      {"source control char", [](EmitterOptions* o) { o->source = "web\n01"; }, "source '"},
      {"source max", [](EmitterOptions* o) { o->source = std::string(255, 'h'); }, nullptr},
      {"tags ok",
       [](EmitterOptions* o) {
         o->tags = {{"service", "auth"}};
       },
       nullptr},
      {"tag empty key",
       [](EmitterOptions* o) {
         o->tags = {{"", "auth"}};
       },
       "tags: "},
      {"tag key too long",
       [](EmitterOptions* o) {
         o->tags = {{std::string(65, 'k'), "v"}};
       },
       "tags: "},
      {"too many tags",
       [](EmitterOptions* o) {
         for (int i = 0; i < 33; ++i) o->tags.push_back({"k" + std::to_string(i), "v"});
       },
       "tags: 33 batch tags, at most 32"},
      {"envelope over max batch",
       [](EmitterOptions* o) {
         o->max_batch_bytes = 256;
         o->tags = {{"k", std::string(255, 'v')}};
       },
       "source and tags alone take more than max_batch_bytes (256)"},
      {"flush 0", [](EmitterOptions* o) { o->flush_interval = milliseconds(0); },
       "flush_interval: 0 ms is out of range (1 ms to 1 h)"},
      {"flush 1 ms", [](EmitterOptions* o) { o->flush_interval = milliseconds(1); }, nullptr},
      {"flush over 1 h", [](EmitterOptions* o) { o->flush_interval = milliseconds(3600001); },
       "flush_interval"},
      {"batch 255", [](EmitterOptions* o) { o->max_batch_bytes = 255; },
       "max_batch_bytes: 255 is out of range (0 for the default, or 256 to 65507 for udp)"},
      {"batch 256", [](EmitterOptions* o) { o->max_batch_bytes = 256; }, nullptr},
      {"udp batch over a datagram", [](EmitterOptions* o) { o->max_batch_bytes = 65508; },
       "max_batch_bytes: 65508"},
      {"zmq batch 64 KiB",
       [](EmitterOptions* o) {
         o->endpoint = "tcp://127.0.0.1:7701";
         o->max_batch_bytes = 65536;
       },
       nullptr},
      {"zmq batch over 64 KiB",
       [](EmitterOptions* o) {
         o->endpoint = "tcp://127.0.0.1:7701";
         o->max_batch_bytes = 65537;
       },
       "256 to 65536 for zeromq"},
      {"queue small", [](EmitterOptions* o) { o->queue_bytes = 65535; },
       "queue_bytes: 65535 is out of range (64 KiB to 1 GiB)"},
      {"queue min", [](EmitterOptions* o) { o->queue_bytes = 65536; }, nullptr},
      {"queue huge", [](EmitterOptions* o) { o->queue_bytes = (size_t{1} << 30) + 1; },
       "queue_bytes"},
      {"close negative", [](EmitterOptions* o) { o->close_timeout = milliseconds(-1); },
       "close_timeout: -1 ms is out of range (0 to 60 s)"},
      {"close 0", [](EmitterOptions* o) { o->close_timeout = milliseconds(0); }, nullptr},
      {"close over 60 s", [](EmitterOptions* o) { o->close_timeout = milliseconds(60001); },
       "close_timeout"},
      {"hwm 0", [](EmitterOptions* o) { o->zmq_send_hwm = 0; },
       "zmq_send_hwm: 0 is out of range (1 to 1000000)"},
      {"hwm huge", [](EmitterOptions* o) { o->zmq_send_hwm = 1000001; }, "zmq_send_hwm"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EmitterOptions o;
    c.edit(&o);
    Status s = o.Validate();
    if (c.message_has == nullptr) {
      EXPECT_TRUE(s.ok()) << s.ToString();
    } else {
      EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
      EXPECT_NE(s.message().find(c.message_has), std::string::npos) << s.message();
    }
  }
}

TEST(EmitterOptions, TagKeyGivenTwiceIsRefusedByName) {
  EmitterOptions o;
  o.tags = {{"service", "a"}, {"region", "eu"}, {"service", "b"}};
  Status s = o.Validate();
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(s.message(), "tag 'service' given twice");
  o.tags = {{"service", "a"}, {"service", "a"}};  // The same value is no better.
  EXPECT_EQ(o.Validate().message(), "tag 'service' given twice");
  auto e = Emitter::Open(o);
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().message(), "tag 'service' given twice");
}

// status.h: misusing a Result is a caller's bug; debug builds abort naming
// the call, release builds throw std::bad_variant_access.
TEST(ResultMisuse, AbortsInDebugAndThrowsInRelease) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const Result<int> error = Status::NotFound("nothing");
  const Result<int> value = 7;
  auto value_of_error = [&] {
    try {
      (void)error.value();
    } catch (const std::bad_variant_access&) {
    }
  };
  auto error_of_value = [&] {
    try {
      (void)value.error();
    } catch (const std::bad_variant_access&) {
    }
  };
  EXPECT_DEBUG_DEATH(value_of_error(), "Result::value\\(\\) REQUIRES has_value");
  EXPECT_DEBUG_DEATH(error_of_value(), "Result::error\\(\\) REQUIRES !has_value");
#ifdef NDEBUG
  EXPECT_THROW((void)error.value(), std::bad_variant_access);
  EXPECT_THROW((void)value.error(), std::bad_variant_access);
#endif
}

TEST(EmitterOptions, OpenRejectsInvalidOptions) {
  EmitterOptions o;
  o.queue_bytes = 1;
  auto e = Emitter::Open(o);
  ASSERT_FALSE(e.has_value());
  EXPECT_TRUE(e.error().IsInvalidArgument());
}

}  // namespace
}  // namespace sonde
