// sonde::store speed and size: sketch Add and Merge, bytes per active series
// (rollup windows with their sketches) for realistic distributions, the flush
// of 100,000 series' windows in one transaction, and the latency of a
// 60-minute query (p50/p99).
//
//   taskset -c 1 build/bin/store_bench
//   SONDE_BENCH_DIR=/path/on/real/disk build/bin/store_bench --benchmark_filter=Flush
//
// The LMDB benchmarks use a fresh directory under $SONDE_BENCH_DIR (default
// $TMPDIR or /tmp) with the default, durable settings (fsync per commit).
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <stdlib.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "sonde/quantile_sketch.h"
#include "sonde/rollup_window.h"
#include "sonde/series_key.h"
#include "sonde/store.h"

namespace sonde {
namespace {

constexpr int64_t kT0 = 1704067200000;  // 2024-01-01T00:00:00Z.
constexpr int64_t kMinuteMs = 60000;

// ---- Distributions ---------------------------------------------------------------

struct Workload {
  const char* name;
  MetricKind kind;
  int per_second;  // Samples per second per series.
  std::function<double(std::mt19937_64&)> draw;
};

const std::vector<Workload>& Workloads() {
  static const auto* w = new std::vector<Workload>{
      {"gauge_steady_1ps", MetricKind::kGauge, 1,
       [](std::mt19937_64& r) { return 8e9 + std::normal_distribution<double>(0, 2e6)(r); }},
      {"gauge_cpu_1ps", MetricKind::kGauge, 1,
       [](std::mt19937_64& r) {
         return std::max(0.0, std::normal_distribution<double>(35, 8)(r));
       }},
      {"counter_1ps", MetricKind::kCounter, 1,
       [](std::mt19937_64& r) { return double(std::poisson_distribution<int>(20)(r)); }},
      {"timing_lognormal_10ps", MetricKind::kTiming, 10,
       [](std::mt19937_64& r) {
         return std::lognormal_distribution<double>(std::log(20.0), 0.8)(r);
       }},
      {"timing_lognormal_100ps", MetricKind::kTiming, 100,
       [](std::mt19937_64& r) {
         return std::lognormal_distribution<double>(std::log(20.0), 0.8)(r);
       }},
      {"timing_pareto_10ps", MetricKind::kTiming, 10,
       [](std::mt19937_64& r) {
         return 1.0 / std::pow(std::uniform_real_distribution<double>(1e-12, 1)(r), 1 / 1.2);
       }},
      {"timing_bimodal_10ps", MetricKind::kTiming, 10,
       [](std::mt19937_64& r) {
         return std::bernoulli_distribution(0.15)(r)
                    ? std::lognormal_distribution<double>(std::log(800.0), 0.5)(r)
                    : std::lognormal_distribution<double>(std::log(2.0), 0.3)(r);
       }},
  };
  return *w;
}

std::vector<double> Draw(const Workload& w, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> v(n);
  for (double& x : v) x = w.draw(rng);
  return v;
}

// ---- Sketch ------------------------------------------------------------------------

void BM_SketchAdd(benchmark::State& state) {
  const Workload& w = Workloads()[state.range(0)];
  const std::vector<double> values = Draw(w, 1 << 16, 1);
  QuantileSketch sketch;
  size_t i = 0;
  for (auto _ : state) {
    sketch.Add(values[i++ & 0xffff]);
  }
  benchmark::DoNotOptimize(sketch.count());
  state.SetLabel(w.name);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SketchAdd)->DenseRange(0, 6);

void BM_WindowAdd(benchmark::State& state) {
  const Workload& w = Workloads()[state.range(0)];
  const std::vector<double> values = Draw(w, 1 << 16, 2);
  RollupWindow window(w.kind, Resolution::kMinute, kT0);
  size_t i = 0;
  for (auto _ : state) {
    window.Add(values[i & 0xffff], kT0 + static_cast<int64_t>(i & 0xffff));
    ++i;
  }
  benchmark::DoNotOptimize(window.count());
  state.SetLabel(w.name);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WindowAdd)->Arg(1)->Arg(3);

// An hour from its 60 minutes (10 samples/s of lognormal latency).
void BM_SketchMergeHourFromMinutes(benchmark::State& state) {
  const Workload& w = Workloads()[3];
  std::vector<QuantileSketch> minutes(60);
  std::mt19937_64 rng(3);
  for (auto& m : minutes) {
    for (int i = 0; i < 600; ++i) m.Add(w.draw(rng));
  }
  QuantileSketch hour;
  for (auto _ : state) {
    hour.Clear();
    for (const auto& m : minutes) hour.Merge(m);
    benchmark::DoNotOptimize(hour.count());
  }
  state.SetItemsProcessed(state.iterations() * 60);  // Items: minute sketches merged.
}
BENCHMARK(BM_SketchMergeHourFromMinutes);

void BM_SketchEncodeDecode(benchmark::State& state) {
  QuantileSketch s;
  for (double v : Draw(Workloads()[3], 600, 4)) s.Add(v);
  std::string bytes;
  QuantileSketch back;
  for (auto _ : state) {
    bytes.clear();
    s.EncodeTo(&bytes);
    if (!QuantileSketch::Decode(bytes, &back).ok()) state.SkipWithError("decode failed");
  }
  state.counters["encoded_bytes"] = static_cast<double>(bytes.size());
}
BENCHMARK(BM_SketchEncodeDecode);

// ---- Bytes per active series ---------------------------------------------------------

// Builds windows as the summarizer holds them (samples over the window's
// length) and returns {MemoryUsage(), heap as malloc sees it (headers and
// rounding included)} per window.
std::pair<double, double> MeasureWindows(const Workload& w, Resolution res, std::mt19937_64& rng) {
  const int64_t samples = w.per_second * ResolutionMs(res) / 1000;
  const int n = static_cast<int>(std::clamp<int64_t>(4000000 / samples, 20, 1000));
  std::vector<RollupWindow> windows;
  windows.reserve(n);
  malloc_trim(0);
  const size_t before = mallinfo2().uordblks;
  for (int i = 0; i < n; ++i) {
    windows.emplace_back(w.kind, res, kT0);
    for (int64_t k = 0; k < samples; ++k) windows.back().Add(w.draw(rng), kT0 + k);
  }
  const double heap = static_cast<double>(mallinfo2().uordblks - before) / n + sizeof(RollupWindow);
  double usage = 0;
  for (const auto& win : windows) usage += static_cast<double>(win.MemoryUsage());
  return {usage / n, heap};
}

// Memory of one active series' open windows. Folded mode (the store builds
// hours from closed minutes) keeps a minute window; direct mode keeps the
// hour window too. Series key and map overhead are the summarizer's.
void BM_BytesPerActiveSeries(benchmark::State& state) {
  const Workload& w = Workloads()[state.range(0)];
  std::mt19937_64 rng(5);
  std::pair<double, double> minute, hour;
  for (auto _ : state) {
    minute = MeasureWindows(w, Resolution::kMinute, rng);
    hour = MeasureWindows(w, Resolution::kHour, rng);
  }
  state.SetLabel(w.name);
  state.counters["minute_bytes"] = minute.second;
  state.counters["hour_bytes"] = hour.second;
  state.counters["folded_mode_bytes"] = minute.second;
  state.counters["direct_mode_bytes"] = minute.second + hour.second;
  state.counters["minute_usage"] = minute.first;  // MemoryUsage(), without malloc overhead.
}
BENCHMARK(BM_BytesPerActiveSeries)->DenseRange(0, 6)->Iterations(1)->Unit(benchmark::kMillisecond);

// ---- LMDB ------------------------------------------------------------------------------

class BenchDir {
 public:
  BenchDir() {
    const char* base = std::getenv("SONDE_BENCH_DIR");
    std::string tmpl =
        (std::filesystem::path(base != nullptr ? base
                                               : std::filesystem::temp_directory_path().c_str()) /
         "sonde-store-bench-XXXXXX")
            .string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~BenchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::unique_ptr<Store> OpenStore(const std::string& dir, benchmark::State& state) {
  StoreOptions o;
  o.dir = dir;
  o.initial_map_bytes = uint64_t{4} << 30;  // Growth is measured by the tests, not here.
  o.max_map_bytes = uint64_t{16} << 30;
  o.size_cap_bytes = 0;
  auto s = Store::Open(o);
  if (!s) {
    state.SkipWithError(s.error().ToString().c_str());
    return nullptr;
  }
  return std::move(s.value());
}

// A fleet: `hosts` hosts with `per_host` series each (a mix of the workloads).
std::vector<std::shared_ptr<const SeriesKey>> Fleet(int hosts, int per_host) {
  std::vector<std::shared_ptr<const SeriesKey>> keys;
  const char* metrics[] = {"cpu.user", "cpu.system",   "mem.used",      "disk.io",
                           "net.rx",   "http.latency", "http.requests", "queue.depth"};
  for (int h = 0; h < hosts; ++h) {
    for (int i = 0; i < per_host; ++i) {
      auto k = SeriesKey::Make("web-" + std::to_string(h),
                               std::string(metrics[i % 8]) + "." + std::to_string(i / 8),
                               {{"dc", h % 2 ? "fra" : "ams"}, {"role", "web"}});
      keys.push_back(std::make_shared<const SeriesKey>(std::move(k.value())));
    }
  }
  return keys;
}

enum class Tick { kInsideMinute, kMinuteBoundary, kDirectHours };

// One flush tick's batch for every series, with the latest state. Workloads
// at 1 and 10 samples/s, mixed as in a fleet:
//   kInsideMinute   the open minute window of each series (folded mode);
//   kMinuteBoundary the previous minute closed and folded into its hour, and
//                   the new minute open;
//   kDirectHours    the open minute and the open hour window (direct mode).
void FillBatch(const std::vector<std::shared_ptr<const SeriesKey>>& keys, int64_t minute_start,
               const std::vector<SeriesId>& ids, Tick tick, FlushBatch* batch) {
  batch->Clear();
  std::mt19937_64 rng(static_cast<uint64_t>(minute_start));
  const int64_t hour_start = WindowStart(minute_start, Resolution::kHour);
  for (size_t i = 0; i < keys.size(); ++i) {
    const Workload& w = Workloads()[i % 4];  // steady, cpu, counter, lognormal 10/s
    const int samples = std::min(w.per_second, 10) * 60;
    RollupWindow minute(w.kind, Resolution::kMinute, minute_start);
    for (int k = 0; k < samples; ++k) minute.Add(w.draw(rng), minute_start + k * 100);
    const auto index = static_cast<uint32_t>(i);
    batch->series.push_back(
        {keys[i], ids.empty() ? kNoSeriesId : ids[i], w.kind, minute.last(), minute.last_ms()});
    if (tick == Tick::kMinuteBoundary && minute_start > hour_start) {
      RollupWindow closed(w.kind, Resolution::kMinute, minute_start - kMinuteMs);
      for (int k = 0; k < samples; ++k) closed.Add(w.draw(rng), minute_start - kMinuteMs + k * 100);
      batch->windows.push_back({index, std::move(closed), true});
    }
    if (tick == Tick::kDirectHours) {
      RollupWindow hour(w.kind, Resolution::kHour, hour_start);
      (void)hour.Merge(minute);
      hour.set_open(true);
      batch->windows.push_back({index, std::move(hour), false});
    }
    minute.set_open(true);
    batch->windows.push_back({index, std::move(minute), false});
  }
}

// Flush of 100,000 series (1,000 hosts x 100) in one Write; see Tick.
void BM_Flush100kSeries(benchmark::State& state) {
  const Tick tick = static_cast<Tick>(state.range(0));
  BenchDir dir;
  auto store = OpenStore(dir.path(), state);
  if (store == nullptr) return;
  const auto keys = Fleet(1000, 100);
  FlushBatch batch;
  int64_t minute = kT0 + 10 * kMinuteMs;
  FillBatch(keys, minute, {}, Tick::kInsideMinute, &batch);
  WriteResult result;
  const auto t0 = std::chrono::steady_clock::now();
  if (!store->Write(batch, &result).ok()) return state.SkipWithError("first write failed");
  const double first_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const std::vector<SeriesId> ids = result.ids;
  for (auto _ : state) {
    state.PauseTiming();
    if (tick == Tick::kMinuteBoundary) minute += kMinuteMs;
    FillBatch(keys, minute, ids, tick, &batch);
    state.ResumeTiming();
    const Status s = store->Write(batch, &result);
    if (!s.ok()) return state.SkipWithError(s.ToString().c_str());
  }
  const char* labels[] = {"inside_minute", "minute_boundary_fold", "direct_hours"};
  state.SetLabel(labels[state.range(0)]);
  state.counters["first_write_ms"] = first_ms;  // Registers 100,000 series.
  state.counters["windows"] = static_cast<double>(batch.windows.size());
  state.counters["folded"] = static_cast<double>(result.minutes_folded);
  state.counters["data_MiB"] = static_cast<double>(store->GetStats().data_bytes) / (1 << 20);
}
BENCHMARK(BM_Flush100kSeries)->DenseRange(0, 2)->Iterations(5)->Unit(benchmark::kMillisecond);

double ThreadCpuUs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// 60 minute windows of one series out of 10,000 series x 60 minutes
// (range(0) = 0), or every "cpu" series of one host (range(0) = 1: the label
// path, 26 series x 60 windows).
void BM_Query60Minutes(benchmark::State& state) {
  BenchDir dir;
  auto store = OpenStore(dir.path(), state);
  if (store == nullptr) return;
  const auto keys = Fleet(100, 100);
  FlushBatch batch;
  std::vector<SeriesId> ids;
  for (int m = 0; m < 60; ++m) {
    FillBatch(keys, kT0 + m * kMinuteMs, ids, m == 0 ? Tick::kInsideMinute : Tick::kMinuteBoundary,
              &batch);
    WriteResult r;
    if (!store->Write(batch, &r).ok()) return state.SkipWithError("fill failed");
    ids = r.ids;
  }
  std::mt19937_64 rng(7);
  std::vector<double> us;
  std::vector<double> cpu_us;
  std::vector<SeriesRollups> out;
  size_t windows = 0;
  for (auto _ : state) {
    const size_t i = rng() % keys.size();
    RollupQuery q;
    q.host = keys[i]->host();
    if (state.range(0) == 0) {
      q.series = ids[i];
    } else {
      q.label = "CPU";
    }
    q.from_ms = kT0;
    q.to_ms = kT0 + 60 * kMinuteMs;
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = ThreadCpuUs();
    const Status s = store->ReadRollups(q, &out);
    cpu_us.push_back(ThreadCpuUs() - c0);
    us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    if (!s.ok()) return state.SkipWithError(s.ToString().c_str());
    windows = 0;
    for (const auto& r : out) windows += r.windows.size();
  }
  std::sort(us.begin(), us.end());
  std::sort(cpu_us.begin(), cpu_us.end());
  state.SetLabel(state.range(0) == 0 ? "one_series" : "label_cpu_26_series");
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[us.size() * 99 / 100];
  // Thread CPU time: the same percentiles without the time the thread
  // spent preempted (on a shared machine wall-clock p99 is mostly that).
  state.counters["p50_cpu_us"] = cpu_us[cpu_us.size() / 2];
  state.counters["p99_cpu_us"] = cpu_us[cpu_us.size() * 99 / 100];
  state.counters["windows"] = static_cast<double>(windows);
}
BENCHMARK(BM_Query60Minutes)->Arg(0)->Arg(1)->Iterations(5000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace sonde

BENCHMARK_MAIN();
