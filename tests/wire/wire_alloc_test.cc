// The codec's hot paths never allocate: EncodeSample on every Record(),
// BatchBuilder after construction, DecodeBatch in steady state (a reused
// BatchView), ValidateBatch and DecodeBusPayload (a reused BusBatches). Counted by replacing
// operator new in this test binary.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "sonde/wire.h"
#include "wire_test_messages.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// noinline: inlined into callers, GCC would pair this malloc with other frees
// and warn (-Wmismatched-new-delete).
__attribute__((noinline)) void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
__attribute__((noinline)) void operator delete(void* p) noexcept { std::free(p); }
__attribute__((noinline)) void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace sonde {
namespace {

using namespace wire_test;  // NOLINT: test vocabulary.

long Allocations() { return g_allocations.load(std::memory_order_relaxed); }

TEST(WireAllocations, EncodeSampleAndBatchBuilderNeverAllocate) {
  const std::vector<std::string> names = {"svc.api.latency_p1", "svc.api.latency_p2"};
  const TagView tags[] = {{"region", "eu-west-1"}, {"shard", "7"}};
  BatchBuilder builder(kDefaultUdpBatchBytes);
  char buf[kMaxSampleBytes];
  const long before = Allocations();
  for (int batch = 0; batch < 100; ++batch) {
    if (builder.Begin("web-01", kT + batch, tags) != WireError::kOk) std::abort();
    for (int i = 0;; ++i) {
      size_t written = 0;
      const SampleRef s{names[i % 2], i * 0.25, kT + i, MetricKind::kTiming, tags};
      if (EncodeSample(s, buf, sizeof buf, &written) != WireError::kOk) std::abort();
      if (!builder.Append({buf, written})) break;
    }
    if (builder.Finish().empty()) std::abort();
  }
  EXPECT_EQ(Allocations(), before);
}

TEST(WireAllocations, DecodeInSteadyStateAndValidateNeverAllocate) {
  std::vector<Sample> samples;
  for (int i = 0; i < 500; ++i) {
    samples.push_back({"svc.api.latency_p" + std::to_string(i),
                       i * 1.5,
                       0,
                       MetricKind::kGauge,
                       {{"region", "eu"}}});
  }
  std::string message;
  ASSERT_EQ(EncodeBatch("web-01", kT, {{"dc", "x"}}, samples, &message), WireError::kOk);
  BatchView view;
  ASSERT_EQ(DecodeBatch(message, &view), WireError::kOk);  // Warms the capacity.
  const long before = Allocations();
  for (int i = 0; i < 100; ++i) {
    if (DecodeBatch(message, &view) != WireError::kOk) std::abort();
    if (ValidateBatch(message, nullptr, nullptr) != WireError::kOk) std::abort();
    for (const SampleView& s : view.samples) {
      if (s.tags.Find("region") != "eu") std::abort();
    }
  }
  EXPECT_EQ(Allocations(), before);
}

TEST(WireAllocations, DecodeBusPayloadInSteadyStateNeverAllocates) {
  std::string payload;
  for (int m = 0; m < 8; ++m) {
    std::vector<Sample> samples;
    for (int i = 0; i < 20 + m; ++i) {
      samples.push_back({"cpu" + std::to_string(i), i * 0.5, 0, MetricKind::kGauge, {}});
    }
    std::string message;
    ASSERT_EQ(EncodeBatch("web-01", kT + m, {{"dc", "x"}}, samples, &message), WireError::kOk);
    payload += message;
  }
  BusBatches out;
  ASSERT_EQ(DecodeBusPayload(payload, 8, &out), WireError::kOk);  // Warms the capacity.
  const long before = Allocations();
  for (int i = 0; i < 100; ++i) {
    if (DecodeBusPayload(payload, 8, &out) != WireError::kOk) std::abort();
    if (out.batches().size() != 8 || out.batches()[7].samples.size() != 27) std::abort();
  }
  EXPECT_EQ(Allocations(), before);
}

}  // namespace
}  // namespace sonde
