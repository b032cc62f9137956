// Wire codec speed, per sample (items_per_second = samples/s). The workload
// looks like a fleet's: 10,000 distinct series "svc.api.latency_p<i>", timing
// values, a batch tag and, in the "tagged" variants, two tags per sample.
// Target (issue #2): DecodeBatch >= 30 M samples/s on one core. Issue #3:
// a bus payload is parsed once (BM_DecodeBusPayload vs BM_SplitThenDecodeBus).
// BM_(Decode|Validate)SameShapeKeys is a hostile batch: every sample carries
// kMaxTagsPerLevel distinct keys of one length and first byte, which defeats
// a cheap pairwise prefilter of the duplicate-key check.
//
//   taskset -c 1 build/bin/wire_bench
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "sonde/wire.h"

namespace sonde {
namespace {

constexpr int kSeries = 10000;
constexpr int64_t kBatchMs = 1700000000000;

const std::vector<std::string>& Names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (int i = 0; i < kSeries; ++i) v.push_back("svc.api.latency_p" + std::to_string(i));
    return v;
  }();
  return names;
}

const TagView kSampleTags[] = {{"route", "/v1/items"}, {"code", "200"}};
const TagView kBatchTags[] = {{"service", "api"}};

SampleRef Ref(int i, bool tagged) {
  SampleRef s;
  s.name = Names()[i % kSeries];
  s.value = (i % 1000) * 0.125;  // Timings in ms: mostly float64, every 8th an integer.
  s.kind = MetricKind::kTiming;
  if (tagged) s.tags = kSampleTags;
  return s;
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "wire_bench: %s failed\n", what);
    std::abort();
  }
}

// Messages of at most max_bytes covering every series once.
std::vector<std::string> Batches(size_t max_bytes, bool tagged) {
  std::vector<std::string> out;
  BatchBuilder builder(max_bytes);
  char buf[kMaxSampleBytes];
  int i = 0;
  while (i < kSeries) {
    Check(builder.Begin("web-01.eu-west-1", kBatchMs, kBatchTags) == WireError::kOk, "Begin");
    for (; i < kSeries; ++i) {
      size_t n = 0;
      Check(EncodeSample(Ref(i, tagged), buf, sizeof buf, &n) == WireError::kOk, "EncodeSample");
      if (!builder.Append({buf, n})) break;
    }
    out.emplace_back(builder.Finish());
  }
  return out;
}

// Samples as small as they can be around kMaxTagsPerLevel tag keys that
// differ only in their last two bytes, with empty values: the most key
// pairs per byte a datagram can carry.
std::vector<std::string> SameShapeKeyBatches(size_t max_bytes) {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> v;
    for (size_t i = 0; i < kMaxTagsPerLevel; ++i) {
      v.push_back("tag_k_" + std::string(1, static_cast<char>('0' + i / 10)) +
                  std::string(1, static_cast<char>('0' + i % 10)));
    }
    return v;
  }();
  std::vector<TagView> tags;
  for (const std::string& k : keys) tags.push_back({k, ""});
  std::vector<std::string> out;
  BatchBuilder builder(max_bytes);
  char buf[kMaxSampleBytes];
  for (int i = 0; i < kSeries;) {
    Check(builder.Begin("web-01.eu-west-1", kBatchMs, kBatchTags) == WireError::kOk, "Begin");
    for (; i < kSeries; ++i) {
      SampleRef s;
      s.name = "m";
      s.value = i % 100;
      s.tags = tags;
      size_t n = 0;
      Check(EncodeSample(s, buf, sizeof buf, &n) == WireError::kOk, "EncodeSample");
      if (!builder.Append({buf, n})) break;
    }
    out.emplace_back(builder.Finish());
  }
  return out;
}

// args: {max batch bytes, tagged}
void BM_EncodeSample(benchmark::State& state) {
  const bool tagged = state.range(1) != 0;
  char buf[kMaxSampleBytes];
  int i = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    size_t n = 0;
    const WireError e = EncodeSample(Ref(i, tagged), buf, sizeof buf, &n);
    benchmark::DoNotOptimize(e);
    benchmark::DoNotOptimize(buf);
    bytes += n;
    if (++i == kSeries) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

// Appending pre-encoded samples: what the emitter's sender thread does.
void BM_BatchBuilder(benchmark::State& state) {
  const size_t max_bytes = static_cast<size_t>(state.range(0));
  const bool tagged = state.range(1) != 0;
  std::vector<std::string> encoded;
  for (int i = 0; i < kSeries; ++i) {
    char buf[kMaxSampleBytes];
    size_t n = 0;
    Check(EncodeSample(Ref(i, tagged), buf, sizeof buf, &n) == WireError::kOk, "EncodeSample");
    encoded.emplace_back(buf, n);
  }
  BatchBuilder builder(max_bytes);
  size_t next = 0;
  int64_t samples = 0;
  for (auto _ : state) {
    Check(builder.Begin("web-01.eu-west-1", kBatchMs, kBatchTags) == WireError::kOk, "Begin");
    while (builder.Append(encoded[next])) {
      if (++next == encoded.size()) next = 0;
    }
    samples += builder.sample_count();
    benchmark::DoNotOptimize(builder.Finish().data());
  }
  state.SetItemsProcessed(samples);
}

template <bool kDecode>
void ReadBatches(benchmark::State& state, const std::vector<std::string>& batches) {
  BatchView view;
  size_t next = 0;
  int64_t samples = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const std::string& m = batches[next];
    if (++next == batches.size()) next = 0;
    uint32_t count = 0;
    if constexpr (kDecode) {
      Check(DecodeBatch(m, &view) == WireError::kOk, "DecodeBatch");
      count = static_cast<uint32_t>(view.samples.size());
      benchmark::DoNotOptimize(view.samples.data());
    } else {
      Check(ValidateBatch(m, nullptr, &count) == WireError::kOk, "ValidateBatch");
    }
    samples += count;
    bytes += static_cast<int64_t>(m.size());
  }
  state.SetItemsProcessed(samples);
  state.SetBytesProcessed(bytes);
}

// args: {max batch bytes, tagged}
template <bool kDecode>
void BM_Read(benchmark::State& state) {
  ReadBatches<kDecode>(state, Batches(static_cast<size_t>(state.range(0)), state.range(1) != 0));
}
void BM_DecodeBatch(benchmark::State& state) { BM_Read<true>(state); }
void BM_ValidateBatch(benchmark::State& state) { BM_Read<false>(state); }

// args: {max batch bytes}
void BM_DecodeSameShapeKeys(benchmark::State& state) {
  ReadBatches<true>(state, SameShapeKeyBatches(static_cast<size_t>(state.range(0))));
}
void BM_ValidateSameShapeKeys(benchmark::State& state) {
  ReadBatches<false>(state, SameShapeKeyBatches(static_cast<size_t>(state.range(0))));
}

// Bus payloads as the broker bundles them: 1,400-byte messages of one
// source back to back, up to kMaxBusPayloadBytes. kDecodeOnce reads each with
// DecodeBusPayload (the summarizer's path); otherwise SplitBusPayload then
// DecodeBatch per message, parsing each twice (the path before issue #3).
template <bool kDecodeOnce>
void BM_BusPayload(benchmark::State& state) {
  struct Bundle {
    std::string payload;
    uint32_t count = 0;
  };
  std::vector<Bundle> bundles(1);
  for (const std::string& m : Batches(kDefaultUdpBatchBytes, state.range(0) != 0)) {
    if (bundles.back().payload.size() + m.size() > kMaxBusPayloadBytes) bundles.emplace_back();
    bundles.back().payload += m;
    ++bundles.back().count;
  }
  BusBatches decoded;
  std::vector<BusMessage> split;
  BatchView view;
  size_t next = 0;
  int64_t samples = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const Bundle& b = bundles[next];
    if (++next == bundles.size()) next = 0;
    if constexpr (kDecodeOnce) {
      Check(DecodeBusPayload(b.payload, b.count, &decoded) == WireError::kOk, "DecodeBusPayload");
      for (const BatchView& batch : decoded.batches()) samples += batch.samples.size();
    } else {
      Check(SplitBusPayload(b.payload, b.count, &split) == WireError::kOk, "SplitBusPayload");
      for (const BusMessage& m : split) {
        Check(DecodeBatch(m.message, &view) == WireError::kOk, "DecodeBatch");
        benchmark::DoNotOptimize(view.samples.data());
        samples += view.samples.size();
      }
    }
    bytes += static_cast<int64_t>(b.payload.size());
  }
  state.SetItemsProcessed(samples);
  state.SetBytesProcessed(bytes);
}
void BM_DecodeBusPayload(benchmark::State& state) { BM_BusPayload<true>(state); }
void BM_SplitThenDecodeBus(benchmark::State& state) { BM_BusPayload<false>(state); }

void Shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"bytes", "tagged"});
  for (int64_t bytes : {int64_t{kDefaultUdpBatchBytes}, int64_t{kMaxMessageBytes}}) {
    for (int64_t tagged : {0, 1}) b->Args({bytes, tagged});
  }
}

BENCHMARK(BM_EncodeSample)->ArgNames({"bytes", "tagged"})->Args({0, 0})->Args({0, 1});
BENCHMARK(BM_BatchBuilder)->Apply(Shapes);
BENCHMARK(BM_DecodeBatch)->Apply(Shapes);
BENCHMARK(BM_ValidateBatch)->Apply(Shapes);
BENCHMARK(BM_DecodeSameShapeKeys)
    ->ArgNames({"bytes"})
    ->Arg(int64_t{kDefaultUdpBatchBytes})
    ->Arg(int64_t{kMaxMessageBytes});
BENCHMARK(BM_ValidateSameShapeKeys)
    ->ArgNames({"bytes"})
    ->Arg(int64_t{kDefaultUdpBatchBytes})
    ->Arg(int64_t{kMaxMessageBytes});
BENCHMARK(BM_DecodeBusPayload)->ArgNames({"tagged"})->Arg(0)->Arg(1);
BENCHMARK(BM_SplitThenDecodeBus)->ArgNames({"tagged"})->Arg(0)->Arg(1);

}  // namespace
}  // namespace sonde

BENCHMARK_MAIN();
