// pipeline_bench: the whole pipeline, UDP -> sonde-broker -> sonde-summarizer,
// on loopback with the real binaries.
//
// Starts `taskset -c <service-cpu> sonde-broker` and `taskset -c
// <service-cpu> sonde-summarizer` (both on ONE core), pins itself to another
// core and offers pre-encoded UDP batches (--datagram-bytes at most, default
// 1,400; 100 hosts x 100 metrics = 10,000 series, batch tags) at --rate
// samples/s for --seconds. A datagram holds one host's metrics, cycling
// through them until it is full (so a 64 KiB datagram carries each of its
// host's series several times). The datagrams are encoded once; once per
// second the generator patches the batch time in place (8 bytes each), so
// the samples stay current however long it runs and the send loop never
// encodes. Then it waits until the summarizer's sample count stops moving
// and prints what was sent, what the summarizer accepted, what was lost and
// where (bus sequence gaps), and the services' CPU time per million samples.
//
// Not Google Benchmark: it measures separate processes end to end (like the
// broker's broker_load_bench). Never part of CTest. Loopback only.
//   build-summ/bin/pipeline_bench --rate 0 --seconds 8
//   build-summ/bin/pipeline_bench --rate 0 --seconds 8 --datagram-bytes 65000
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sonde/wire.h"

extern char** environ;

namespace {

using SteadyClock = std::chrono::steady_clock;

struct Flags {
  double rate = 2e6;
  double seconds = 5;
  int service_cpu = 1;
  int load_cpu = 0;
  int hosts = 100;
  int metrics = 100;
  size_t datagram_bytes = sonde::kDefaultUdpBatchBytes;
};

uint16_t FreePort(int type) {
  int fd = socket(AF_INET, type, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

pid_t Spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  if (posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

std::string HttpGet(uint16_t port, const std::string& target) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return "";
  }
  const std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[65536];
  for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

// Sums every line of /metrics whose name starts with `metric`.
double Metric(const std::string& metrics, const std::string& metric) {
  double total = 0;
  std::istringstream in(metrics);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(metric, 0) != 0) continue;
    total += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return total;
}

double CpuSeconds(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::istringstream in(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// One round of datagrams: for each host, its metrics cycled through until
// each datagram is full, at least once over all of them.
std::vector<std::string> BuildDatagrams(const Flags& f, int64_t ts, uint64_t* samples) {
  std::vector<std::string> out;
  *samples = 0;
  sonde::BatchBuilder builder(f.datagram_bytes);
  char encoded[sonde::kMaxSampleBytes];
  for (int h = 0; h < f.hosts; ++h) {
    const std::string host = "host-" + std::to_string(h);
    const std::string dc = "dc-" + std::to_string(h % 4);
    const sonde::TagView tags[] = {{"dc", dc}, {"role", "web"}};
    int m = 0;
    for (bool all_sent = false; !all_sent;) {
      if (builder.Begin(host, ts, tags) != sonde::WireError::kOk) std::abort();
      for (;; m = (m + 1) % f.metrics) {
        const std::string name = "metric." + std::to_string(m);
        sonde::SampleRef ref;
        ref.name = name;
        ref.value = 1.0 + (m * 7 + h) % 97;
        ref.kind = m % 10 == 0 ? sonde::MetricKind::kCounter : sonde::MetricKind::kGauge;
        size_t n = 0;
        if (sonde::EncodeSample(ref, encoded, sizeof encoded, &n) != sonde::WireError::kOk) {
          std::abort();
        }
        if (!builder.Append(std::string_view(encoded, n))) break;
        if (m == f.metrics - 1) all_sent = true;
      }
      if (builder.sample_count() == 0) std::abort();
      *samples += builder.sample_count();
      out.emplace_back(builder.Finish());
    }
  }
  return out;
}

// Where the batch time sits in an encoded message: the 8 big-endian bytes
// after "t" and the uint64 marker (times since 2000 need 64 bits).
size_t TimeOffset(const std::string& msg, int64_t ts) {
  std::string needle = "\xa1t\xcf";
  for (int i = 7; i >= 0; --i) needle.push_back(static_cast<char>((ts >> (8 * i)) & 0xff));
  const size_t at = msg.find(needle);
  if (at == std::string::npos) std::abort();
  return at + 3;
}

void PatchTime(std::string* msg, size_t offset, int64_t ts) {
  for (int i = 0; i < 8; ++i) (*msg)[offset + i] = static_cast<char>((ts >> (8 * (7 - i))) & 0xff);
}

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  CLI::App app("UDP -> sonde-broker -> sonde-summarizer, end to end on loopback.");
  app.add_option("--rate", f.rate, "Samples/s offered (0: as fast as possible)");
  app.add_option("--seconds", f.seconds, "How long to send");
  app.add_option("--service-cpu", f.service_cpu, "Core for broker AND summarizer");
  app.add_option("--load-cpu", f.load_cpu, "Core for this load generator");
  app.add_option("--datagram-bytes", f.datagram_bytes, "Largest datagram (loopback: up to 64 KiB)")
      ->check(CLI::Range(size_t{200}, sonde::kMaxMessageBytes));
  app.add_option("--hosts", f.hosts, "Hosts (one per batch)")->check(CLI::Range(1, 100000));
  app.add_option("--metrics", f.metrics, "Metrics per host")->check(CLI::Range(1, 100000));
  CLI11_PARSE(app, argc, argv);

  const std::string bin = std::filesystem::canonical("/proc/self/exe").parent_path().string();
  const std::string dir = std::filesystem::temp_directory_path() / "sonde-pipeline-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const uint16_t udp = FreePort(SOCK_DGRAM), pub = FreePort(SOCK_STREAM),
                 http = FreePort(SOCK_STREAM);
  const std::string cpu = std::to_string(f.service_cpu);
  pid_t broker = Spawn({"taskset", "-c", cpu, bin + "/sonde-broker", "--udp",
                        "udp://127.0.0.1:" + std::to_string(udp), "--pull", "", "--pub",
                        "tcp://127.0.0.1:" + std::to_string(pub), "--stats-interval", "0",
                        "--pub-hwm", "100000", "--udp-rcvbuf", "32MiB", "--broker-id", "bench"},
                       dir + "/broker.log");
  pid_t summ = Spawn(
      {"taskset", "-c", cpu, bin + "/sonde-summarizer", "--from",
       "tcp://127.0.0.1:" + std::to_string(pub), "--http", "127.0.0.1:" + std::to_string(http),
       "--data-dir", dir + "/db", "--sub-hwm", "100000", "--log-level", "warn"},
      dir + "/summarizer.log");
  if (broker < 0 || summ < 0) {
    std::fprintf(stderr, "cannot start the services\n");
    return 1;
  }
  Pin(f.load_cpu);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(udp);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to);
  const int sndbuf = 8 << 20;  // Room for bursts of 64 KiB datagrams.
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);

  // Warm up until the summarizer sees batches (SUB connects lazily).
  int64_t batch_ms = WallMs();
  uint64_t per_round = 0;
  std::vector<std::string> round = BuildDatagrams(f, batch_ms, &per_round);
  std::vector<size_t> time_at(round.size());
  for (size_t i = 0; i < round.size(); ++i) time_at[i] = TimeOffset(round[i], batch_ms);
  const auto warm_deadline = SteadyClock::now() + std::chrono::seconds(20);
  while (Metric(HttpGet(http, "/metrics"), "sonde_summarizer_samples_total") == 0) {
    if (SteadyClock::now() > warm_deadline) {
      std::fprintf(stderr, "the pipeline did not come up; logs in %s\n", dir.c_str());
      kill(broker, SIGKILL);
      kill(summ, SIGKILL);
      return 1;
    }
    send(fd, round[0].data(), round[0].size(), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const std::string m0 = HttpGet(http, "/metrics");
  const double base = Metric(m0, "sonde_summarizer_samples_total");
  const double cpu_b0 = CpuSeconds(broker), cpu_s0 = CpuSeconds(summ);

  // Send: bursts of 64 datagrams with sendmmsg, paced to the rate; the batch
  // time is patched once a second (not per datagram: the loop stays cheap).
  std::vector<mmsghdr> msgs(64);
  std::vector<iovec> iov(64);
  uint64_t sent_samples = 0, sent_datagrams = 0;
  size_t next = 0;
  const auto start = SteadyClock::now();
  const auto end = start + std::chrono::duration<double>(f.seconds);
  std::vector<uint32_t> counts(round.size());
  for (size_t i = 0; i < round.size(); ++i) sonde::ValidateBatch(round[i], nullptr, &counts[i]);
  auto next_patch = start + std::chrono::seconds(1);
  for (auto t = start; t < end; t = SteadyClock::now()) {
    if (t >= next_patch) {
      batch_ms = WallMs();
      for (size_t i = 0; i < round.size(); ++i) PatchTime(&round[i], time_at[i], batch_ms);
      next_patch += std::chrono::seconds(1);
    }
    if (f.rate > 0) {
      const double due = std::chrono::duration<double>(t - start).count() * f.rate;
      if (static_cast<double>(sent_samples) > due) continue;
    }
    for (size_t i = 0; i < msgs.size(); ++i) {
      const std::string& d = round[(next + i) % round.size()];
      iov[i] = {const_cast<char*>(d.data()), d.size()};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int n = sendmmsg(fd, msgs.data(), static_cast<unsigned>(msgs.size()), 0);
    if (n <= 0) continue;
    for (int i = 0; i < n; ++i) sent_samples += counts[(next + i) % round.size()];
    next = (next + static_cast<size_t>(n)) % round.size();
    sent_datagrams += static_cast<uint64_t>(n);
  }
  const double send_s = std::chrono::duration<double>(SteadyClock::now() - start).count();
  // Drain: wait until the count stops moving for a second. The services may
  // still be working through queued input after the send ends (ZeroMQ
  // queues hold many 64 KiB batches), so the throughput is over the time
  // until the last sample was counted, not over the send time.
  double got = 0;
  auto last_change = SteadyClock::now();
  for (auto t = last_change; t - last_change < std::chrono::seconds(1); t = SteadyClock::now()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const double now_got =
        Metric(HttpGet(http, "/metrics"), "sonde_summarizer_samples_total") - base;
    if (now_got != got) last_change = SteadyClock::now();
    got = now_got;
  }
  const double busy_s = std::chrono::duration<double>(last_change - start).count();
  const std::string m1 = HttpGet(http, "/metrics");
  const double cpu_b = CpuSeconds(broker) - cpu_b0, cpu_s = CpuSeconds(summ) - cpu_s0;
  const double gaps = Metric(m1, "sonde_summarizer_bus_gaps_total");
  const double lost = static_cast<double>(sent_samples) - got;
  std::printf(
      "offered_rate=%.3gM/s datagram_bytes<=%zu samples_per_datagram=%.0f send_seconds=%.2f "
      "datagrams=%llu samples_sent=%llu offered=%.3gM/s\n",
      f.rate / 1e6, f.datagram_bytes,
      static_cast<double>(per_round) / static_cast<double>(round.size()), send_s,
      static_cast<unsigned long long>(sent_datagrams),
      static_cast<unsigned long long>(sent_samples), static_cast<double>(sent_samples) / send_s / 1e6);
  std::printf("summarizer_accepted=%.0f lost=%.0f (%.3f%%) bus_gaps=%.0f\n", got, lost,
              100.0 * lost / static_cast<double>(sent_samples ? sent_samples : 1), gaps);
  std::printf(
      "throughput=%.3gM samples/s (over %.2f s, until the last was counted)  cpu_s broker=%.2f "
      "summarizer=%.2f (both on cpu %d)  cpu_ms_per_M_samples=%.1f\n",
      got / busy_s / 1e6, busy_s, cpu_b, cpu_s, f.service_cpu,
      1000.0 * (cpu_b + cpu_s) / (got / 1e6));
  kill(broker, SIGTERM);
  kill(summ, SIGTERM);
  waitpid(broker, nullptr, 0);
  waitpid(summ, nullptr, 0);
  std::filesystem::remove_all(dir);
  return lost == 0 ? 0 : 3;
}
