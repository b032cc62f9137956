// broker_load_bench: end-to-end load on the real sonde-broker binary.
//
// Starts `taskset -c <broker-cpu> sonde-broker` on loopback (free ports, read
// back from its "event=started" log line), pins itself to another core, and
// drives the broker over UDP (sendmmsg; by default with UDP GSO, see
// --udp-gso) and, separately, over ZeroMQ PUSH with pre-encoded batches
// covering 10,000 distinct series (100 sources x 100 metrics, batch tags,
// some sample tags, all three kinds). A SUB thread counts what comes back:
// every publication's payload is split and every message validated
// (SplitBusPayload), its samples counted, and sequence gaps noted.
// Prints samples/s sent, received and lost, and the broker's CPU time per
// million samples (from /proc/<pid>/stat over the measured window).
//
// Not Google Benchmark: this measures a separate process end to end, like
// brubeck's test-bin/udp-stress.c. Never part of CTest. Loopback only.
// Usage: see --help, and docs/broker.md ("Performance").
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sonde/wire.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Flags {
  std::string broker = "";  // Default: sonde-broker next to this binary.
  std::string transport = "both";
  double seconds = 5;
  double rate = 10e6;  // Samples/s offered; 0: as fast as the sender can.
  uint64_t max_samples = 500'000'000;
  int series = 10000;
  int metrics_per_source = 100;
  size_t udp_batch_bytes = sonde::kDefaultUdpBatchBytes;
  bool udp_gso = true;  // Equal-size datagrams sent with UDP_SEGMENT.
  size_t zmq_batch_bytes = 65536;
  int broker_cpu = 1;
  int load_cpu = 0;
  int pub_hwm = 100000;
  std::string pub = "tcp://127.0.0.1:0";  // The broker's PUB endpoint.
  std::string broker_args;                // Extra flags for the broker, space-separated.
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---------------------------------------------------------------------------
// The workload: every series once per round, in batches of at most max_bytes.
struct Batch {
  std::string bytes;
  uint32_t samples;
};

// Room the padding entry may need: key "pad" (4 bytes) + a str16 header.
constexpr size_t kPadRoom = 8;

// Grows a message to exactly `size` bytes with an unknown envelope key
// ("pad": a str), which v1 decoders skip, so that a round's datagrams are
// all one size (UDP GSO cuts a buffer into equal segments).
void PadTo(std::string* message, size_t size) {
  const size_t room = size - message->size();
  if (room < 5 || (static_cast<uint8_t>((*message)[0]) & 0xf0) != 0x80) {
    std::fprintf(stderr, "cannot pad a batch to %zu bytes\n", size);
    std::exit(1);
  }
  (*message)[0] = static_cast<char>((*message)[0] + 1);  // One more fixmap entry.
  message->append("\xa3pad", 4);
  if (room - 5 <= 31) {
    message->push_back(static_cast<char>(0xa0 | (room - 5)));
  } else if (room - 6 <= 255) {
    message->push_back('\xd9');
    message->push_back(static_cast<char>(room - 6));
  } else {
    message->push_back('\xda');
    message->push_back(static_cast<char>((room - 7) >> 8));
    message->push_back(static_cast<char>((room - 7) & 0xff));
  }
  message->append(size - message->size(), ' ');
}

// `pad_to` > 0: every batch is padded to exactly that many bytes.
std::vector<Batch> BuildRound(const Flags& f, size_t max_bytes, size_t pad_to = 0) {
  static const char* kKinds[] = {"gauge", "counter", "timing"};
  std::vector<Batch> round;
  const int sources = f.series / f.metrics_per_source;
  sonde::BatchBuilder builder(pad_to > 0 ? max_bytes - kPadRoom : max_bytes);
  char encoded[512];
  for (int s = 0; s < sources; ++s) {
    char source[32];
    std::snprintf(source, sizeof source, "web-%04d.eu-west", s);
    const sonde::TagView batch_tags[] = {{"service", "api"}, {"region", "eu-west-1"}};
    auto begin = [&] { builder.Begin(source, NowMs(), batch_tags); };
    begin();
    for (int m = 0; m < f.metrics_per_source; ++m) {
      const auto kind = static_cast<sonde::MetricKind>(m % 3);
      std::string name = std::string("app.") + kKinds[m % 3] + ".metric_" + std::to_string(m);
      const std::string endpoint = "/v1/items/" + std::to_string(m % 7);
      const sonde::TagView sample_tags[] = {{"endpoint", endpoint}};
      sonde::SampleRef ref{.name = name,
                           .value = 12.5 + m,
                           .timestamp_ms = 0,
                           .kind = kind,
                           .tags = m % 4 == 0 ? std::span<const sonde::TagView>(sample_tags)
                                              : std::span<const sonde::TagView>()};
      size_t written = 0;
      if (sonde::EncodeSample(ref, encoded, sizeof encoded, &written) != sonde::WireError::kOk) {
        std::fprintf(stderr, "cannot encode %s\n", name.c_str());
        std::exit(1);
      }
      if (!builder.Append({encoded, written})) {
        round.push_back({std::string(builder.Finish()), builder.sample_count()});
        begin();
        builder.Append({encoded, written});
      }
    }
    round.push_back({std::string(builder.Finish()), builder.sample_count()});
  }
  if (pad_to > 0) {
    for (Batch& b : round) PadTo(&b.bytes, pad_to);
  }
  return round;
}

// The value of `key=` in the "event=started" line of `log`, or "".
std::string StartedField(const std::string& log, const std::string& key) {
  size_t line = log.find("event=started ");
  if (line == std::string::npos) return "";
  size_t at = log.find(" " + key + "=", line);
  if (at == std::string::npos || at > log.find('\n', line)) return "";
  at += key.size() + 2;
  return log.substr(at, log.find_first_of(" \n", at) - at);
}

// ---------------------------------------------------------------------------
// The broker process, pinned with taskset; stderr goes to a file we parse.
class BrokerProcess {
 public:
  bool Start(const Flags& f) {
    log_path_ = "/tmp/sonde-broker-bench-" + std::to_string(getpid()) + ".log";
    std::vector<std::string> args = {"taskset",
                                     "-c",
                                     std::to_string(f.broker_cpu),
                                     f.broker,
                                     "--udp",
                                     "udp://127.0.0.1:0",
                                     "--pull",
                                     "tcp://127.0.0.1:0",
                                     "--pub",
                                     "tcp://127.0.0.1:0",
                                     "--stats-interval",
                                     "0",
                                     "--pub-hwm",
                                     std::to_string(f.pub_hwm),
                                     "--broker-id",
                                     "bench",
                                     "--linger",
                                     "0s"};
    std::istringstream extra(f.broker_args);
    for (std::string a; extra >> a;) args.push_back(a);
    pid_ = fork();
    if (pid_ == 0) {
      int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 2);
      int null_fd = open("/dev/null", O_WRONLY);
      dup2(null_fd, 1);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execvp("taskset", argv.data());
      _exit(127);
    }
    for (auto deadline = Clock::now() + 10s; Clock::now() < deadline;) {
      std::string log = Log();
      pub_ = StartedField(log, "pub");
      if (!pub_.empty()) {
        udp_port_ = std::stoi(StartedField(log, "udp_port"));
        pull_ = StartedField(log, "pull");
        return true;
      }
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) break;
      std::this_thread::sleep_for(5ms);  // Polling a file for start-up, not synchronization.
    }
    std::fprintf(stderr, "broker did not start:\n%s\n", Log().c_str());
    return false;
  }

  // User + system CPU seconds so far, from /proc/<pid>/stat.
  double CpuSeconds() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t paren = stat.rfind(')');
    if (paren == std::string::npos) return 0;
    std::istringstream fields(stat.substr(paren + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }

  // SIGTERM, wait, and return the broker's shutdown summary line.
  std::string Stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    std::string log = Log();
    size_t at = log.find("event=stopped");
    std::string summary = at == std::string::npos ? "" : log.substr(at, log.find('\n', at) - at);
    std::remove(log_path_.c_str());
    return summary;
  }

  int udp_port() const { return udp_port_; }
  const std::string& pull() const { return pull_; }
  const std::string& pub() const { return pub_; }

 private:
  std::string Log() const {
    std::ifstream in(log_path_);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  pid_t pid_ = -1;
  std::string log_path_;
  int udp_port_ = 0;
  std::string pull_, pub_;
};

// ---------------------------------------------------------------------------
// The subscriber: counts samples (ValidateBatch) and sequence gaps.
class Subscriber {
 public:
  Subscriber(void* context, const std::string& pub) : socket_(zmq_socket(context, ZMQ_SUB)) {
    int hwm = 1000000, timeout = 100, linger = 0, rcvbuf = 8 << 20;
    zmq_setsockopt(socket_, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(socket_, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(socket_, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(socket_, ZMQ_RCVBUF, &rcvbuf, sizeof rcvbuf);
    zmq_setsockopt(socket_, ZMQ_SUBSCRIBE, "", 0);
    zmq_connect(socket_, pub.c_str());
    thread_ = std::thread([this] { Loop(); });
  }
  ~Subscriber() {
    stop_ = true;
    thread_.join();
    zmq_close(socket_);
  }

  uint64_t samples() const { return samples_.load(std::memory_order_relaxed); }
  uint64_t publications() const { return publications_.load(std::memory_order_relaxed); }
  uint64_t messages() const { return messages_.load(std::memory_order_relaxed); }
  uint64_t missed() const { return missed_.load(std::memory_order_relaxed); }
  uint64_t invalid() const { return invalid_.load(std::memory_order_relaxed); }
  Clock::time_point last_receipt() const {
    return Clock::time_point(Clock::duration(last_ns_.load()));
  }
  // Forgets what the probes brought.
  void Reset() { samples_ = publications_ = messages_ = missed_ = invalid_ = 0; }

 private:
  void Loop() {
    zmq_msg_t parts[3];
    for (zmq_msg_t& p : parts) zmq_msg_init(&p);
    std::vector<sonde::BusMessage> bundle;
    uint64_t last_sequence = 0;
    while (!stop_) {
      if (zmq_msg_recv(&parts[0], socket_, 0) < 0) continue;  // Timeout: check stop_.
      zmq_msg_recv(&parts[1], socket_, 0);
      zmq_msg_recv(&parts[2], socket_, 0);
      sonde::BusMeta meta;
      std::string_view meta_frame(static_cast<char*>(zmq_msg_data(&parts[1])),
                                  zmq_msg_size(&parts[1]));
      std::string_view payload(static_cast<char*>(zmq_msg_data(&parts[2])),
                               zmq_msg_size(&parts[2]));
      if (sonde::DecodeBusMeta(meta_frame, &meta) != sonde::WireError::kOk ||
          sonde::SplitBusPayload(payload, meta.message_count, &bundle) != sonde::WireError::kOk) {
        invalid_.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      if (last_sequence != 0 && meta.sequence > last_sequence + 1) {
        missed_.fetch_add(meta.sequence - last_sequence - 1, std::memory_order_relaxed);
      }
      last_sequence = meta.sequence;
      uint64_t count = 0;
      for (const sonde::BusMessage& m : bundle) count += m.sample_count;
      samples_.fetch_add(count, std::memory_order_relaxed);
      messages_.fetch_add(bundle.size(), std::memory_order_relaxed);
      publications_.fetch_add(1, std::memory_order_relaxed);
      last_ns_.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
    }
    for (zmq_msg_t& p : parts) zmq_msg_close(&p);
  }

  void* socket_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> samples_{0}, publications_{0}, messages_{0}, missed_{0}, invalid_{0};
  std::atomic<Clock::rep> last_ns_{0};
};

// ---------------------------------------------------------------------------
// Senders. Each sends one slice of batches and returns the samples sent.
class UdpLoad {
 public:
  // `gso`: the round's batches all have one size and go out with
  // UDP_SEGMENT, many datagrams per buffer, so that the kernel's send path
  // (and on loopback the receive path up to the broker's socket, which
  // runs on the sender's core) is crossed once per buffer, not per
  // datagram. The broker still receives separate datagrams.
  UdpLoad(int port, bool gso) : fd_(socket(AF_INET, SOCK_DGRAM, 0)), gso_(gso) {
    int sndbuf = 8 << 20;
    setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  }
  ~UdpLoad() { close(fd_); }

  // Sends round[*next...] until `samples` are sent, with sendmmsg: kVec
  // messages per call, each one datagram or (GSO) a run of datagrams.
  uint64_t Send(const std::vector<Batch>& round, size_t* next, uint64_t samples) {
    if (gso_ && contiguous_.empty()) Flatten(round);
    constexpr int kVec = 64;
    mmsghdr msgs[kVec];
    iovec iov[kVec];
    alignas(cmsghdr) char control[kVec][CMSG_SPACE(sizeof(uint16_t))];
    uint64_t sent = 0;
    while (sent < samples) {
      int n = 0;
      uint64_t planned = 0;
      size_t at = *next;
      for (; n < kVec && sent + planned < samples; ++n) {
        size_t run = 1;
        if (gso_) {
          // As many whole datagrams as fit in one GSO buffer, up to the end
          // of the round (the buffer is the round, flat).
          const size_t size = round[0].bytes.size();
          run = std::min({kMaxGsoBytes / size, kMaxGsoSegments, round.size() - at});
          iov[n] = {contiguous_.data() + at * size, run * size};
        } else {
          iov[n] = {const_cast<char*>(round[at].bytes.data()), round[at].bytes.size()};
        }
        msgs[n] = {};
        msgs[n].msg_hdr.msg_iov = &iov[n];
        msgs[n].msg_hdr.msg_iovlen = 1;
        if (gso_ && run > 1) SetSegment(&msgs[n].msg_hdr, control[n], round[0].bytes.size());
        for (size_t i = 0; i < run; ++i) planned += round[at + i].samples;
        at = (at + run) % round.size();
      }
      int done = sendmmsg(fd_, msgs, n, 0);
      if (done <= 0) break;
      for (int i = 0; i < done; ++i) {
        const size_t run = gso_ ? iov[i].iov_len / round[0].bytes.size() : 1;
        for (size_t k = 0; k < run; ++k) sent += round[*next + k].samples;
        *next = (*next + run) % round.size();
      }
    }
    return sent;
  }

 private:
  static constexpr size_t kMaxGsoBytes = 65000;  // Under the 64 KiB IP limit.
  static constexpr size_t kMaxGsoSegments = 64;  // UDP_MAX_SEGMENTS on older kernels.

  void Flatten(const std::vector<Batch>& round) {
    for (const Batch& b : round) contiguous_ += b.bytes;
  }

  static void SetSegment(msghdr* h, char* control, size_t segment) {
    h->msg_control = control;
    h->msg_controllen = CMSG_SPACE(sizeof(uint16_t));
    cmsghdr* c = CMSG_FIRSTHDR(h);
    c->cmsg_level = SOL_UDP;
    c->cmsg_type = UDP_SEGMENT;
    c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    const auto size = static_cast<uint16_t>(segment);
    std::memcpy(CMSG_DATA(c), &size, sizeof size);
  }

  int fd_;
  bool gso_;
  std::string contiguous_;  // The round, flat (GSO only).
};

class ZmqLoad {
 public:
  ZmqLoad(void* context, const std::string& pull) : socket_(zmq_socket(context, ZMQ_PUSH)) {
    int hwm = 100000, linger = 0, sndbuf = 8 << 20;
    zmq_setsockopt(socket_, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(socket_, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(socket_, ZMQ_SNDBUF, &sndbuf, sizeof sndbuf);
    zmq_connect(socket_, pull.c_str());
  }
  ~ZmqLoad() { zmq_close(socket_); }

  // Blocking sends: PUSH/PULL push back instead of losing. Zero-copy: the
  // round's buffers outlive the socket.
  uint64_t Send(const std::vector<Batch>& round, size_t* next, uint64_t samples) {
    uint64_t sent = 0;
    while (sent < samples) {
      const Batch& b = round[*next];
      zmq_msg_t msg;
      zmq_msg_init_data(&msg, const_cast<char*>(b.bytes.data()), b.bytes.size(), nullptr, nullptr);
      if (zmq_msg_send(&msg, socket_, 0) < 0) {
        zmq_msg_close(&msg);
        break;
      }
      sent += b.samples;
      *next = (*next + 1) % round.size();
    }
    return sent;
  }

 private:
  void* socket_;
};

void PinTo(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) std::perror("sched_setaffinity");
}

// ---------------------------------------------------------------------------
template <typename Load>
int RunOne(const Flags& f, const char* name, size_t batch_bytes, size_t pad_to, void* context,
           BrokerProcess& broker, Load& load) {
  const std::vector<Batch> round = BuildRound(f, batch_bytes, pad_to);
  uint64_t round_samples = 0, round_bytes = 0;
  for (const Batch& b : round) round_samples += b.samples, round_bytes += b.bytes.size();
  Subscriber sub(context, broker.pub());
  // Probe until the subscription is in place (one round at a time).
  size_t next = 0;
  for (auto deadline = Clock::now() + 10s; sub.publications() == 0;) {
    load.Send(round, &next, 1);
    std::this_thread::sleep_for(1ms);  // Pacing probes, not synchronization.
    if (Clock::now() > deadline) {
      std::fprintf(stderr, "%s: subscriber never received a probe\n", name);
      return 1;
    }
  }
  for (auto quiet = Clock::now() + 200ms; Clock::now() < quiet;) std::this_thread::sleep_for(10ms);
  sub.Reset();

  const double cpu0 = broker.CpuSeconds();
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(f.seconds);
  uint64_t sent = 0;
  // Every millisecond, send what the offered rate owes by now.
  for (auto now = start; now < end && sent < f.max_samples; now = Clock::now()) {
    const double elapsed = std::chrono::duration<double>(now - start).count();
    uint64_t due = f.rate > 0 ? static_cast<uint64_t>(elapsed * f.rate) + 1 : sent + 100000;
    due = std::min<uint64_t>(due, f.max_samples);
    if (due > sent) sent += load.Send(round, &next, due - sent);
    if (f.rate > 0 && sent >= due) std::this_thread::sleep_for(200us);
  }
  const auto send_end = Clock::now();
  // Drain: until all arrived, or nothing arrives for 500 ms (10 s at most).
  for (auto limit = send_end + 10s; sub.samples() < sent && Clock::now() < limit;) {
    if (sub.publications() > 0 && Clock::now() - sub.last_receipt() > 500ms &&
        Clock::now() - send_end > 500ms) {
      break;
    }
    std::this_thread::sleep_for(5ms);
  }
  const double cpu = broker.CpuSeconds() - cpu0;
  const double send_s = std::chrono::duration<double>(send_end - start).count();
  const double recv_s =
      std::chrono::duration<double>(std::max(sub.last_receipt(), send_end) - start).count();
  const uint64_t received = sub.samples();
  const uint64_t lost = sent > received ? sent - received : 0;
  std::printf(
      "%-4s batch<=%zuB (%.1f samples, %.0f B avg), %d series: sent %.2f M samples/s, "
      "received %.2f M samples/s, lost %llu (%.4f%%), sequence gaps %llu, invalid %llu\n",
      name, batch_bytes, static_cast<double>(round_samples) / round.size(),
      static_cast<double>(round_bytes) / round.size(), f.series, sent / send_s / 1e6,
      received / recv_s / 1e6, static_cast<unsigned long long>(lost),
      sent ? 100.0 * lost / sent : 0.0, static_cast<unsigned long long>(sub.missed()),
      static_cast<unsigned long long>(sub.invalid()));
  std::printf(
      "     broker CPU %.2f s over %.2f s (%.0f%% of a core): %.1f ms per million samples\n", cpu,
      recv_s, 100 * cpu / recv_s, received ? cpu * 1e3 / (received / 1e6) : 0.0);
  std::printf("     %.2f messages per publication (every message validated by the subscriber)\n",
              sub.publications() ? static_cast<double>(sub.messages()) / sub.publications() : 0.0);
  return lost == 0 ? 0 : 3;
}

int Run(const Flags& f) {
  void* context = zmq_ctx_new();
  int worst = 0;
  for (const char* transport : {"udp", "zmq"}) {
    if (f.transport != "both" && f.transport != transport) continue;
    BrokerProcess broker;
    if (!broker.Start(f)) return 1;
    int rc = 0;
    if (std::string(transport) == "udp") {
      UdpLoad load(broker.udp_port(), f.udp_gso);
      rc = RunOne(f, "udp", f.udp_batch_bytes, f.udp_gso ? f.udp_batch_bytes : 0, context, broker,
                  load);
    } else {
      ZmqLoad load(context, broker.pull());
      rc = RunOne(f, "zmq", f.zmq_batch_bytes, 0, context, broker, load);
    }
    std::printf("     %s\n", broker.Stop().c_str());
    worst = std::max(worst, rc);
  }
  zmq_ctx_term(context);
  return worst;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  CLI::App app{"End-to-end load on sonde-broker (loopback; see docs/broker.md)"};
  app.add_option("--broker", f.broker, "sonde-broker binary [next to this one]");
  app.add_option("--transport", f.transport, "udp, zmq or both")
      ->check(CLI::IsMember({"udp", "zmq", "both"}))
      ->capture_default_str();
  app.add_option("--seconds", f.seconds, "How long to send")->capture_default_str();
  app.add_option("--rate", f.rate, "Samples/s offered (0: flat out)")->capture_default_str();
  app.add_option("--max-samples", f.max_samples, "Stop after this many")->capture_default_str();
  app.add_option("--series", f.series, "Distinct series")->capture_default_str();
  app.add_option("--metrics-per-source", f.metrics_per_source,
                 "Series per source (one source's samples share batches)")
      ->capture_default_str();
  app.add_option("--udp-batch-bytes", f.udp_batch_bytes, "Largest UDP batch")
      ->capture_default_str();
  app.add_option("--udp-gso", f.udp_gso,
                 "Pad UDP batches to --udp-batch-bytes exactly and send them with UDP GSO")
      ->capture_default_str();
  app.add_option("--zmq-batch-bytes", f.zmq_batch_bytes, "Largest ZeroMQ batch")
      ->capture_default_str();
  app.add_option("--broker-cpu", f.broker_cpu, "Core for the broker")->capture_default_str();
  app.add_option("--load-cpu", f.load_cpu, "Core for sender and subscriber")->capture_default_str();
  app.add_option("--pub-hwm", f.pub_hwm, "Broker --pub-hwm")->capture_default_str();
  app.add_option("--pub", f.pub, "Broker PUB endpoint (tcp:// or ipc://)")->capture_default_str();
  app.add_option("--broker-args", f.broker_args, "Extra broker flags, space-separated");
  CLI11_PARSE(app, argc, argv);
  if (f.broker.empty()) {
    std::string self = argv[0];
    f.broker = self.substr(0, self.rfind('/') + 1) + "sonde-broker";
  }
  if (f.metrics_per_source <= 0 || f.series <= 0 || f.series % f.metrics_per_source != 0) {
    std::fprintf(stderr, "--series must be a multiple of --metrics-per-source\n");
    return 2;
  }
  PinTo(f.load_cpu);
  signal(SIGPIPE, SIG_IGN);
  return Run(f);
}
