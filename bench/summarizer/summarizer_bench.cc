// sonde-summarizer speed and size, in-process:
//   BM_EngineIngest/<series>        samples/s into minute rollups with sketches
//                                   (hours are folded from minutes by the
//                                   store), batches already decoded
//   BM_DecodeAndIngest/<series>     the same plus DecodeBatch of each message
//   BM_MemoryPerSeries/<series>     heap bytes per active series (mallinfo2
//                                   delta plus the engine's huge-page
//                                   mappings, which malloc does not see; and
//                                   the engine's own accounting)
//   BM_FlushBuild/100000            building one tick's batch on the loop
//   BM_FlushWrite/100000            Store::Write of that batch (one LMDB txn)
//   BM_QueryInProcess               60 minute windows of one series, p50/p99
//   BM_QueryHttp                    the same over HTTP (keep-alive), p50/p99
//
//   taskset -c 1 build-summ/bin/summarizer_bench
//
// Batches are shaped like real traffic: one host per batch, 100 samples of
// that host's metrics (values from a skewed distribution), the host's batch
// tags (dc, role) shared by all.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "rollup_engine.h"
#include "sonde/clock.h"
#include "sonde/store.h"
#include "sonde/summarizer.h"
#include "sonde/wire.h"
#include "tick_batch.h"

namespace sonde::summarizer {
namespace {

constexpr int64_t kT0 = 1704067200000;  // 2024-01-01T00:00:00Z
constexpr int kSamplesPerBatch = 100;

// Encoded batches covering `series` series: series / 100 hosts, 100 metrics
// each. Each message is valid UDP-sized wire (about 1.4 KB... up to 3 KB).
struct Traffic {
  std::vector<std::string> messages;
  std::vector<BatchView> views;
  uint64_t samples = 0;
};

Traffic MakeTraffic(int series, int64_t ts, uint64_t seed = 1) {
  Traffic t;
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> value(2.0, 1.0);
  const int hosts = std::max(1, series / kSamplesPerBatch);
  t.messages.reserve(hosts);
  for (int h = 0; h < hosts; ++h) {
    std::vector<Sample> samples;
    for (int m = 0; m < kSamplesPerBatch; ++m) {
      samples.push_back(Sample{"metric." + std::to_string(m),
                               value(rng),
                               ts,
                               m % 10 == 0 ? MetricKind::kCounter : MetricKind::kGauge,
                               {}});
    }
    std::string msg;
    Tags tags{{"dc", "dc-" + std::to_string(h % 8)}, {"role", "web"}};
    if (EncodeBatch("host-" + std::to_string(h), ts, tags, samples, &msg) != WireError::kOk) {
      std::abort();
    }
    t.messages.push_back(std::move(msg));
  }
  t.views.resize(t.messages.size());
  for (size_t i = 0; i < t.messages.size(); ++i) {
    if (DecodeBatch(t.messages[i], &t.views[i]) != WireError::kOk) std::abort();
    t.samples += t.views[i].samples.size();
  }
  return t;
}

EngineOptions BenchEngineOptions() {
  EngineOptions o;
  o.max_series = 4000000;
  o.max_windows = 16000000;
  return o;
}

void BM_EngineIngest(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  const int64_t now = kT0 + 30000;
  Traffic t = MakeTraffic(series, kT0 + 1000);
  RollupEngine engine(BenchEngineOptions());
  for (const BatchView& v : t.views) engine.Ingest(v, now);  // Creates the series.
  uint64_t samples = 0;
  size_t i = 0;
  for (auto _ : state) {
    samples += engine.Ingest(t.views[i], now);
    if (++i == t.views.size()) i = 0;
  }
  state.counters["samples_per_s"] =
      benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsRate);
  state.counters["series"] = static_cast<double>(engine.series_count());
  if (engine.stats().rejected_total() != 0) state.SkipWithError("samples rejected");
}
BENCHMARK(BM_EngineIngest)->Arg(10000)->Arg(1000000)->Unit(benchmark::kMicrosecond);

void BM_DecodeAndIngest(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  const int64_t now = kT0 + 30000;
  Traffic t = MakeTraffic(series, kT0 + 1000);
  RollupEngine engine(BenchEngineOptions());
  for (const BatchView& v : t.views) engine.Ingest(v, now);
  BatchView view;
  uint64_t samples = 0;
  size_t i = 0;
  for (auto _ : state) {
    if (DecodeBatch(t.messages[i], &view) != WireError::kOk) std::abort();
    samples += engine.Ingest(view, now);
    if (++i == t.messages.size()) i = 0;
  }
  state.counters["samples_per_s"] =
      benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DecodeAndIngest)->Arg(10000)->Arg(1000000)->Unit(benchmark::kMicrosecond);

// Heap in use: small chunks plus mmap'd big ones (the slab chunks, the
// table and the window pool are big enough to be mmap'd).
size_t HeapInUse() {
  const struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

// Resident set size, bytes (pages actually touched).
size_t Rss() {
  std::ifstream f("/proc/self/statm");
  size_t pages = 0, resident = 0;
  f >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

void BM_MemoryPerSeries(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  for (auto _ : state) {
    Traffic t = MakeTraffic(series, kT0 + 1000);
    malloc_trim(0);
    const size_t before = HeapInUse();
    const size_t rss_before = Rss();
    auto engine = std::make_unique<RollupEngine>(BenchEngineOptions());
    // Ten samples per series, in the current minute.
    for (int round = 0; round < 10; ++round) {
      for (const BatchView& v : t.views) engine->Ingest(v, kT0 + 30000);
    }
    const size_t after = HeapInUse() + engine->MappedBytes();
    const size_t rss_after = Rss();
    state.counters["heap_bytes_per_series"] =
        static_cast<double>(after - before) / static_cast<double>(engine->series_count());
    state.counters["accounted_bytes_per_series"] =
        static_cast<double>(engine->MemoryUsage()) / static_cast<double>(engine->series_count());
    // The steady state with lateness: each series also holds the previous
    // two minutes (samples in three minutes).
    for (int m = 1; m <= 2; ++m) {
      Traffic later = MakeTraffic(series, kT0 + m * 60000 + 1000);
      for (const BatchView& v : later.views) engine->Ingest(v, kT0 + m * 60000 + 30000);
    }
    const size_t steady = HeapInUse() + engine->MappedBytes();
    const double n = static_cast<double>(engine->series_count());
    state.counters["rss_bytes_per_series"] = static_cast<double>(rss_after - rss_before) / n;
    state.counters["rss_bytes_per_series_3_windows"] = static_cast<double>(Rss() - rss_before) / n;
    state.counters["heap_bytes_per_series_3_windows"] =
        static_cast<double>(steady - before) / static_cast<double>(engine->series_count());
  }
}
BENCHMARK(BM_MemoryPerSeries)
    ->Arg(100000)
    ->Arg(1000000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

std::string BenchDir() {
  const char* base = getenv("SONDE_BENCH_DIR");
  std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/sonde-summ-bench-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) std::abort();
  return tmpl;
}

// 100,000 series touched in the tick, one window each.
void BM_FlushBuild(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  Traffic t = MakeTraffic(series, kT0 + 1000);
  RollupEngine engine(BenchEngineOptions());
  TickBatch tick;
  for (auto _ : state) {
    state.PauseTiming();
    for (const BatchView& v : t.views) engine.Ingest(v, kT0 + 30000);
    state.ResumeTiming();
    engine.BuildFlush(kT0 + 30000, &tick);
  }
  state.counters["windows"] = static_cast<double>(tick.windows());
}
BENCHMARK(BM_FlushBuild)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_FlushWrite(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  const std::string dir = BenchDir();
  StoreOptions so;
  so.dir = dir;
  auto store = Store::Open(so);
  if (!store.has_value()) {
    state.SkipWithError(store.error().ToString().c_str());
    return;
  }
  Traffic t = MakeTraffic(series, kT0 + 1000);
  RollupEngine engine(BenchEngineOptions());
  TickBatch tick;
  bool first = true;
  for (auto _ : state) {
    state.PauseTiming();
    for (const BatchView& v : t.views) engine.Ingest(v, kT0 + 30000);
    engine.BuildFlush(kT0 + 30000, &tick);
    if (first) {  // Registers the series in the catalog; not the steady state.
      if (!(*store)->Write(tick.batch, &tick.result).ok()) std::abort();
      engine.ApplyIds(tick);
      for (const BatchView& v : t.views) engine.Ingest(v, kT0 + 30000);
      engine.BuildFlush(kT0 + 30000, &tick);
      first = false;
    }
    state.ResumeTiming();
    Status s = (*store)->Write(tick.batch, &tick.result);
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
    state.PauseTiming();
    engine.ApplyIds(tick);
    state.ResumeTiming();
  }
  state.counters["windows"] = static_cast<double>(tick.windows());
  store->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_FlushWrite)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(5);

// A store holding 60 minutes of 100 series of one host.
std::string MakeQueryStore() {
  const std::string dir = BenchDir();
  StoreOptions so;
  so.dir = dir;
  auto store = Store::Open(so);
  if (!store.has_value()) std::abort();
  RollupEngine engine(BenchEngineOptions());
  TickBatch tick;
  const int64_t now = Clock::Real()->WallMs();
  const int64_t start = (now / 60000 - 60) * 60000;
  for (int m = 0; m < 61; ++m) {
    Traffic t = MakeTraffic(100, start + m * 60000 + 1000, m);
    for (const BatchView& v : t.views) engine.Ingest(v, start + m * 60000 + 2000);
    engine.BuildFlush(start + m * 60000 + 2000, &tick);
    if (!(*store)->Write(tick.batch, &tick.result).ok()) std::abort();
    engine.ApplyIds(tick);
  }
  return dir;
}

void ReportLatencies(benchmark::State& state, std::vector<double>& us) {
  std::sort(us.begin(), us.end());
  if (us.empty()) return;
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[us.size() * 99 / 100];
  state.counters["max_us"] = us.back();
}

void BM_QueryInProcess(benchmark::State& state) {
  const std::string dir = MakeQueryStore();
  StoreOptions so;
  so.dir = dir;
  so.read_only = true;
  auto store = Store::Open(so);
  if (!store.has_value()) std::abort();
  std::vector<double> us;
  RollupQuery q;
  q.host = "host-0";
  q.label = "metric.42";
  q.from_ms = Clock::Real()->WallMs() - 3600000;
  std::vector<SeriesRollups> out;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    if (!(*store)->ReadRollups(q, &out).ok()) std::abort();
    us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  state.counters["windows"] = out.empty() ? 0 : static_cast<double>(out[0].windows.size());
  ReportLatencies(state, us);
  store->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_QueryInProcess)->Iterations(20000)->Unit(benchmark::kMicrosecond);

// A keep-alive HTTP/1.1 GET; returns the body size (0 on failure).
size_t KeepAliveGet(int fd, const std::string& target, std::string* buf) {
  const std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n";
  if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) return 0;
  buf->clear();
  size_t need = std::string::npos;
  char tmp[65536];
  while (need == std::string::npos || buf->size() < need) {
    const ssize_t n = recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) return 0;
    buf->append(tmp, static_cast<size_t>(n));
    const size_t head = buf->find("\r\n\r\n");
    if (need == std::string::npos && head != std::string::npos) {
      const size_t cl = buf->find("Content-Length: ");
      need = head + 4 + std::stoul(buf->substr(cl + 16));
    }
  }
  return need;
}

void BM_QueryHttp(benchmark::State& state) {
  const std::string dir = MakeQueryStore();
  SummarizerOptions o;
  o.data_dir = dir;
  o.from = {"tcp://127.0.0.1:1"};
  o.http = "127.0.0.1:0";
  auto s = Summarizer::Create(o);
  if (!s.has_value()) std::abort();
  std::thread loop([&] { (*s)->Run().IgnoreError(); });
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons((*s)->http_port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) std::abort();
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const std::string target = state.range(0) == 0 ? "/api/v1/rollups?host=host-0&label=metric.42"
                                                 : "/api/perf/host-0/by-minute:metric.42";
  std::vector<double> us;
  std::string buf;
  size_t bytes = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    bytes = KeepAliveGet(fd, target, &buf);
    if (bytes == 0) std::abort();
    us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  close(fd);
  state.counters["response_bytes"] = static_cast<double>(bytes);
  ReportLatencies(state, us);
  (*s)->Stop();
  loop.join();
  s->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_QueryHttp)->Arg(0)->Arg(1)->Iterations(5000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace sonde::summarizer

BENCHMARK_MAIN();
