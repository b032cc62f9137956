// `sonde tail`: the flags, a SUB socket (the adapter for cppzmq: its
// exceptions stop here), decoding with the one codec, and printing.
#include "tail_command.h"

#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "query_flags.h"
#include "sonde/endpoint.h"
#include "sonde/json_util.h"
#include "sonde/service_cli.h"
#include "sonde/wire.h"

namespace sonde::tools {

namespace {

struct TailOptions {
  std::string from = "tcp://127.0.0.1:7702";
  std::vector<std::string> sources;   // Exact sources.
  std::vector<std::string> prefixes;  // Source prefixes.
  std::string format = "text";
  uint64_t count = 0;      // Stop after this many samples; 0: never.
  int64_t timeout_ms = 0;  // Stop after this long; 0: never.
};

volatile sig_atomic_t g_interrupted = 0;

void OnInterrupt(int /*signum*/) { g_interrupted = 1; }

// Without SA_RESTART, so that a blocked zmq_poll returns at once.
void CatchInterrupts() {
  struct sigaction action = {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// Sequence numbers per broker. A jump back means the broker restarted. A
// jump forward is a gap (publications lost between the broker and us) only
// when we see every publication: the broker numbers them with one sequence
// across all sources, so a topic filter makes holes of what it filtered out.
class SequenceWatch {
 public:
  struct PerBroker {
    uint64_t last = 0;
    uint64_t publications = 0;
    uint64_t gaps = 0;
    uint64_t missed = 0;
    uint64_t restarts = 0;
  };

  explicit SequenceWatch(bool sees_every_publication)
      : sees_every_publication_(sees_every_publication) {}

  // Whether gaps (and the missed counts) mean anything.
  bool detects_gaps() const { return sees_every_publication_; }

  // Returns how many publications were missed just before `sequence`;
  // always 0 when gaps cannot be detected.
  uint64_t Observe(std::string_view broker_id, uint64_t sequence) {
    auto it = brokers_.find(broker_id);
    if (it == brokers_.end()) it = brokers_.emplace(std::string(broker_id), PerBroker{}).first;
    PerBroker& b = it->second;
    BusSequenceStep step;  // The first publication seen is no gap.
    if (b.publications > 0) step = NextBusSequence(b.last, sequence);
    if (step.restarted) ++b.restarts;
    // Filtered, a restart's missed count is as unknowable as a gap.
    if (!sees_every_publication_) step.missed = 0;
    if (step.missed > 0) {
      ++b.gaps;
      b.missed += step.missed;
    }
    b.last = sequence;
    ++b.publications;
    return step.missed;
  }

  const std::map<std::string, PerBroker, std::less<>>& brokers() const { return brokers_; }

 private:
  const bool sees_every_publication_;
  std::map<std::string, PerBroker, std::less<>> brokers_;
};

// "2024-05-01T12:00:00.123Z"
std::string FormatTime(int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm = {};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", buf, ms % 1000);
}

void AppendText(std::string* out, std::string_view source, const Sample& s) {
  fmt::format_to(std::back_inserter(*out), "{} {} {} {} {}", FormatTime(s.timestamp_ms), source,
                 s.name, s.value, MetricKindName(s.kind));
  char separator = ' ';
  for (const Tag& tag : s.tags) {
    fmt::format_to(std::back_inserter(*out), "{}{}={}", separator, tag.key, tag.value);
    separator = ',';
  }
  out->push_back('\n');
}

void AppendJson(std::string* out, std::string_view source, const Sample& s, const BusMeta& meta) {
  fmt::format_to(std::back_inserter(*out),
                 "{{\"time\":\"{}\",\"ts\":{},\"source\":", FormatTime(s.timestamp_ms),
                 s.timestamp_ms);
  AppendJsonString(out, source);
  out->append(",\"name\":");
  AppendJsonString(out, s.name);
  fmt::format_to(std::back_inserter(*out), ",\"value\":{},\"kind\":\"{}\",\"tags\":{{", s.value,
                 MetricKindName(s.kind));
  for (size_t i = 0; i < s.tags.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(out, s.tags[i].key);
    out->push_back(':');
    AppendJsonString(out, s.tags[i].value);
  }
  out->append("},\"broker\":");
  AppendJsonString(out, meta.broker_id);
  fmt::format_to(std::back_inserter(*out), ",\"seq\":{}}}\n", meta.sequence);
}

class Tail {
 public:
  explicit Tail(const TailOptions& options)
      : options_(options),
        sequences_(options.sources.empty() && options.prefixes.empty()) {}

  int Run();

 private:
  // Connects and subscribes; returns an exit code on failure.
  std::optional<int> Connect(const std::string& address);
  // Reads one publication; false when none is ready.
  bool ReceiveOne();
  void Handle(const zmq::message_t& topic, const zmq::message_t& meta,
              const zmq::message_t& payload);
  int Finish(bool timed_out);

  const TailOptions& options_;
  zmq::context_t context_{1};
  std::unique_ptr<zmq::socket_t> socket_;
  zmq::message_t parts_[3];
  std::vector<BusMessage> bundle_;
  BatchView batch_;
  SequenceWatch sequences_;
  std::string out_;
  uint64_t printed_ = 0;
  uint64_t malformed_ = 0;
};

std::optional<int> Tail::Connect(const std::string& address) {
  try {
    socket_ = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::sub);
    socket_->set(zmq::sockopt::rcvhwm, 100000);
    socket_->set(zmq::sockopt::linger, 0);
    for (const std::string& source : options_.sources) {
      socket_->set(zmq::sockopt::subscribe, source + std::string(1, '\0'));
    }
    for (const std::string& prefix : options_.prefixes) {
      socket_->set(zmq::sockopt::subscribe, prefix);
    }
    if (options_.sources.empty() && options_.prefixes.empty()) {
      socket_->set(zmq::sockopt::subscribe, "");
    }
    socket_->connect(address);
  } catch (const zmq::error_t& e) {
    std::fprintf(stderr, "sonde tail: error: cannot connect to %s: %s\n", address.c_str(),
                 e.what());
    return 1;
  }
  return std::nullopt;
}

bool Tail::ReceiveOne() {
  size_t n = 0;
  bool more = true;
  zmq::message_t extra;
  while (more) {
    zmq::message_t& part = n < 3 ? parts_[n] : extra;
    if (!socket_->recv(part, n == 0 ? zmq::recv_flags::dontwait : zmq::recv_flags::none)) {
      return false;
    }
    ++n;
    more = part.more();
  }
  if (n != 3) {
    ++malformed_;
    return true;
  }
  Handle(parts_[0], parts_[1], parts_[2]);
  return true;
}

void Tail::Handle(const zmq::message_t& topic, const zmq::message_t& meta_frame,
                  const zmq::message_t& payload) {
  BusMeta meta;
  if (DecodeBusMeta(meta_frame.to_string_view(), &meta) != WireError::kOk ||
      SplitBusPayload(payload.to_string_view(), meta.message_count, &bundle_) != WireError::kOk ||
      topic.to_string_view() != std::string(bundle_.front().source) + '\0') {
    ++malformed_;
    return;
  }
  if (uint64_t missed = sequences_.Observe(meta.broker_id, meta.sequence); missed > 0) {
    std::fprintf(stderr, "sonde tail: gap broker=%.*s missed=%llu before seq=%llu\n",
                 static_cast<int>(meta.broker_id.size()), meta.broker_id.data(),
                 static_cast<unsigned long long>(missed),
                 static_cast<unsigned long long>(meta.sequence));
  }
  out_.clear();
  for (const BusMessage& message : bundle_) {
    // SplitBusPayload validated it: decoding cannot fail.
    if (DecodeBatch(message.message, &batch_) != WireError::kOk) continue;
    for (const Sample& sample : ToSamples(batch_)) {
      if (options_.count > 0 && printed_ == options_.count) break;
      if (options_.format == "json") {
        AppendJson(&out_, batch_.source, sample, meta);
      } else {
        AppendText(&out_, batch_.source, sample);
      }
      ++printed_;
    }
  }
  std::fwrite(out_.data(), 1, out_.size(), stdout);
  std::fflush(stdout);
}

int Tail::Run() {
  Result<Endpoint> endpoint = ParseEndpoint(options_.from, EndpointRole::kConnect);
  if (!endpoint.has_value() || !endpoint->is_zmq()) {
    std::fprintf(stderr,
                 "sonde tail: error: --from: '%s': expected tcp://host:port or ipc://path\n",
                 options_.from.c_str());
    return 2;
  }
  if (auto code = Connect(endpoint->ZmqAddress())) return *code;
  if (!sequences_.detects_gaps()) {
    std::fprintf(stderr,
                 "sonde tail: note: gaps cannot be detected with --source or --prefix (the "
                 "broker numbers publications across all sources)\n");
  }
  CatchInterrupts();
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(options_.timeout_ms);
  while (!g_interrupted && (options_.count == 0 || printed_ < options_.count)) {
    auto now = Clock::now();
    if (options_.timeout_ms > 0 && now >= deadline) return Finish(true);
    auto wait = options_.timeout_ms > 0
                    ? std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now)
                    : std::chrono::milliseconds(1000);
    zmq::pollitem_t item = {socket_->handle(), 0, ZMQ_POLLIN, 0};
    try {
      if (zmq::poll(&item, 1, std::min(wait, std::chrono::milliseconds(1000))) == 0) continue;
      while (ReceiveOne() && (options_.count == 0 || printed_ < options_.count)) {
      }
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      std::fprintf(stderr, "sonde tail: error: %s\n", e.what());
      return 1;
    }
  }
  return Finish(false);
}

int Tail::Finish(bool timed_out) {
  for (const auto& [id, b] : sequences_.brokers()) {
    if (b.gaps == 0 && b.restarts == 0) continue;
    if (!sequences_.detects_gaps()) {
      std::fprintf(stderr, "sonde tail: broker=%s publications=%llu restarts=%llu\n", id.c_str(),
                   static_cast<unsigned long long>(b.publications),
                   static_cast<unsigned long long>(b.restarts));
      continue;
    }
    std::fprintf(stderr,
                 "sonde tail: broker=%s publications=%llu gaps=%llu missed=%llu restarts=%llu\n",
                 id.c_str(), static_cast<unsigned long long>(b.publications),
                 static_cast<unsigned long long>(b.gaps), static_cast<unsigned long long>(b.missed),
                 static_cast<unsigned long long>(b.restarts));
  }
  if (malformed_ > 0) {
    std::fprintf(stderr, "sonde tail: %llu malformed publications skipped\n",
                 static_cast<unsigned long long>(malformed_));
  }
  if (timed_out && options_.count > 0) {
    std::fprintf(stderr, "sonde tail: timeout after %lldms with %llu of %llu samples\n",
                 static_cast<long long>(options_.timeout_ms),
                 static_cast<unsigned long long>(printed_),
                 static_cast<unsigned long long>(options_.count));
    return 1;
  }
  return 0;
}

}  // namespace

Command AddTailCommand(CLI::App& parent) {
  auto options = std::make_shared<TailOptions>();
  CLI::App* app = parent.add_subcommand(
      "tail",
      "Print samples live from a broker's PUB socket, one per line; report sequence gaps (not "
      "detectable with --source or --prefix).");
  app->add_option("--from", options->from, "Broker PUB endpoint")->capture_default_str();
  app->add_option("--source", options->sources, "Only this source (exact; repeatable)");
  app->add_option("--prefix", options->prefixes, "Only sources starting with this (repeatable)");
  app->add_option("--format", options->format, "Output: text or json (JSON lines)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app->add_option("--count", options->count, "Stop after N samples (0: never)");
  app->add_option("--timeout", options->timeout_ms,
                  "Stop after this long, e.g. 10s; a bare number is seconds (0: never); exit 1 if "
                  "--count was not reached")
      ->type_name("DURATION")
      ->transform(SecondsOrDurationMsTransformer());
  return Command{app, [options] { return Tail(*options).Run(); }};
}

}  // namespace sonde::tools
