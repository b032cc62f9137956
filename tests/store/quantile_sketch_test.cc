#include "sonde/quantile_sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace sonde {
namespace {

constexpr double kAlpha = QuantileSketch::kRelativeAccuracy;
// Rounding in the comparison itself, far below the guarantee.
constexpr double kSlack = 1e-12;

const double kQuantiles[] = {0,    0.001, 0.01, 0.05, 0.1,   0.25,   0.5,
                             0.75, 0.9,   0.95, 0.99, 0.999, 0.9999, 1};

// Nearest rank, as the guarantee defines it: the element of 1-based rank
// ceil(q * n), at least the first.
double ExactQuantile(const std::vector<double>& sorted, double q) {
  const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

void ExpectWithinGuarantee(std::vector<double> values, const std::string& what) {
  QuantileSketch sketch;
  for (double v : values) sketch.Add(v);
  ASSERT_EQ(sketch.count(), values.size());
  ASSERT_FALSE(sketch.collapsed()) << what << ": the guarantee needs the full range kept";
  std::sort(values.begin(), values.end());
  for (double q : kQuantiles) {
    const double exact = ExactQuantile(values, q);
    const double est = sketch.Quantile(q);
    EXPECT_LE(std::abs(est - exact), kAlpha * std::abs(exact) * (1 + kSlack) + 1e-300)
        << what << " q=" << q << " exact=" << exact << " estimate=" << est;
  }
}

std::vector<double> Lognormal(size_t n, double mu, double sigma, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> d(mu, sigma);
  std::vector<double> v(n);
  for (double& x : v) x = d(rng);
  return v;
}

// Pareto(x_m, a) by inversion: x_m / U^(1/a).
std::vector<double> Pareto(size_t n, double xm, double a, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(std::nextafter(0.0, 1.0), 1.0);
  std::vector<double> v(n);
  for (double& x : v) x = xm / std::pow(u(rng), 1 / a);
  return v;
}

// Two latency modes: a fast path near 2 ms and a slow one near 800 ms.
std::vector<double> Bimodal(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> fast(std::log(2.0), 0.3);
  std::lognormal_distribution<double> slow(std::log(800.0), 0.5);
  std::bernoulli_distribution pick_slow(0.15);
  std::vector<double> v(n);
  for (double& x : v) x = pick_slow(rng) ? slow(rng) : fast(rng);
  return v;
}

TEST(QuantileSketch, LognormalWithinStatedError) {
  ExpectWithinGuarantee(Lognormal(200000, 0, 1, 1), "lognormal(0,1)");
  ExpectWithinGuarantee(Lognormal(50000, std::log(0.004), 2.0, 2), "lognormal(ln 4ms,2)");
}

TEST(QuantileSketch, ParetoWithinStatedError) {
  ExpectWithinGuarantee(Pareto(200000, 1.0, 1.16, 3), "pareto(1,1.16)");
  ExpectWithinGuarantee(Pareto(50000, 0.001, 0.8, 4), "pareto(0.001,0.8)");
}

TEST(QuantileSketch, BimodalWithinStatedError) {
  ExpectWithinGuarantee(Bimodal(200000, 5), "bimodal");
}

TEST(QuantileSketch, NegativeAndZeroValuesWithinStatedError) {
  std::mt19937_64 rng(6);
  std::normal_distribution<double> d(0, 50);
  std::vector<double> v(100000);
  for (size_t i = 0; i < v.size(); ++i) v[i] = (i % 10 == 0) ? 0.0 : d(rng);
  ExpectWithinGuarantee(v, "normal(0,50) with zeros");
}

TEST(QuantileSketch, EveryBucketValueIsWithinErrorOfItsMembers) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> exponent(-300, 300);
  for (int i = 0; i < 200000; ++i) {
    const double v = std::pow(10.0, exponent(rng));
    const double b = QuantileSketch::BucketValue(QuantileSketch::BucketIndex(v));
    ASSERT_LE(std::abs(b - v), kAlpha * v * (1 + kSlack)) << "v=" << v;
  }
  // The ends of the range and exact powers of two.
  for (double v : {QuantileSketch::kMinIndexable, DBL_MAX, 1.0, 2.0, 0.5, 1024.0}) {
    const double b = QuantileSketch::BucketValue(QuantileSketch::BucketIndex(v));
    EXPECT_LE(std::abs(b - v), kAlpha * v * (1 + kSlack)) << "v=" << v;
  }
}

TEST(QuantileSketch, BucketIndexIsMonotone) {
  double v = 1e-6;
  int32_t prev = QuantileSketch::BucketIndex(v);
  for (int i = 0; i < 100000; ++i) {
    v *= 1.0003;
    const int32_t idx = QuantileSketch::BucketIndex(v);
    ASSERT_GE(idx, prev);
    ASSERT_LE(idx, prev + 1);
    prev = idx;
  }
  EXPECT_LT(QuantileSketch::MinIndex(), 0);
  EXPECT_GT(QuantileSketch::MaxIndex(), 0);
}

TEST(QuantileSketch, EmptyAndEdgeQueries) {
  QuantileSketch s;
  EXPECT_TRUE(s.empty());
  EXPECT_TRUE(std::isnan(s.Quantile(0.5)));
  s.Add(42);
  EXPECT_NEAR(s.Quantile(0.5), 42, 42 * kAlpha);
  EXPECT_TRUE(std::isnan(s.Quantile(std::nan(""))));
  EXPECT_EQ(s.Quantile(-1), s.Quantile(0));  // q is clamped.
  EXPECT_EQ(s.Quantile(7), s.Quantile(1));
}

TEST(QuantileSketch, QuantilesAreNearestRank) {
  // Nine fast requests and one slow one: p90 is the 9th value, p99 the
  // 10th. Rank floor(q * (n - 1)) said 1 for both and hid the slow one.
  QuantileSketch tail;
  tail.Add(1, 9);
  tail.Add(100);
  EXPECT_NEAR(tail.Quantile(0.5), 1, kAlpha);
  EXPECT_NEAR(tail.Quantile(0.9), 1, kAlpha);
  EXPECT_NEAR(tail.Quantile(0.91), 100, 100 * kAlpha);
  EXPECT_NEAR(tail.Quantile(0.99), 100, 100 * kAlpha);

  // A table of small inputs: {values, q, 1-based rank of the answer}.
  struct Case {
    std::vector<double> values;
    double q;
    size_t rank;
  };
  const Case cases[] = {
      {{4, 6}, 0.0, 1},
      {{4, 6}, 0.5, 1},
      {{4, 6}, 0.51, 2},
      {{4, 6}, 0.99, 2},
      {{1, 2, 3, 4}, 0.25, 1},
      {{1, 2, 3, 4}, 0.5, 2},
      {{1, 2, 3, 4}, 0.75, 3},
      {{1, 2, 3, 4}, 0.76, 4},
      {{10, 20, 30, 40, 50}, 0.2, 1},
      {{10, 20, 30, 40, 50}, 0.21, 2},
      {{10, 20, 30, 40, 50}, 1.0, 5},
  };
  for (const Case& c : cases) {
    QuantileSketch s;
    for (double v : c.values) s.Add(v);
    const double want = c.values[c.rank - 1];
    EXPECT_NEAR(s.Quantile(c.q), want, want * kAlpha) << "q=" << c.q << " n=" << c.values.size();
    EXPECT_EQ(want, ExactQuantile(c.values, c.q)) << "q=" << c.q;
  }

  // Negative values and zeros rank from the most negative up.
  QuantileSketch mixed;
  for (double v : {-8.0, -2.0, 0.0, 0.0, 5.0}) mixed.Add(v);
  EXPECT_NEAR(mixed.Quantile(0.2), -8, 8 * kAlpha);
  EXPECT_NEAR(mixed.Quantile(0.4), -2, 2 * kAlpha);
  EXPECT_EQ(mixed.Quantile(0.6), 0);
  EXPECT_NEAR(mixed.Quantile(0.81), 5, 5 * kAlpha);
}

TEST(QuantileSketch, MergeEqualsAddingEverything) {
  const std::vector<double> values = Bimodal(40000, 8);
  QuantileSketch all;
  QuantileSketch parts[4];
  for (size_t i = 0; i < values.size(); ++i) {
    const double v = (i % 7 == 0) ? -values[i] : values[i];
    all.Add(v);
    parts[i % 4].Add(v);
  }
  QuantileSketch merged;
  for (const QuantileSketch& p : parts) merged.Merge(p);
  EXPECT_EQ(merged, all);
  EXPECT_EQ(merged.count(), values.size());
  for (double q : kQuantiles) EXPECT_EQ(merged.Quantile(q), all.Quantile(q)) << q;
}

TEST(QuantileSketch, CollapsesLowestBucketsBeyondTheBound) {
  // 1e-12 .. 1e12 spans far more than kMaxBuckets buckets.
  std::vector<double> values;
  for (int e = -12; e <= 12; ++e) {
    for (int k = 1; k <= 100; ++k) values.push_back(std::pow(10.0, e) * (1 + k / 100.0));
  }
  QuantileSketch s;
  for (double v : values) s.Add(v);
  EXPECT_TRUE(s.collapsed());
  EXPECT_LE(s.MemoryUsage(), sizeof(QuantileSketch) + 8 * QuantileSketch::kMaxBuckets);
  std::sort(values.begin(), values.end());
  // The top of the range keeps the guarantee.
  for (double q : {0.9, 0.99, 1.0}) {
    const double exact = ExactQuantile(values, q);
    EXPECT_LE(std::abs(s.Quantile(q) - exact), kAlpha * exact * (1 + kSlack)) << q;
  }
  // Low quantiles are over-estimated, never under.
  EXPECT_GE(s.Quantile(0.01), ExactQuantile(values, 0.01));

  // Merging in any split still equals adding everything, collapse included.
  QuantileSketch low, high;
  for (double v : values) (v < 1 ? low : high).Add(v);
  QuantileSketch merged = high;
  merged.Merge(low);
  EXPECT_EQ(merged, s);
  QuantileSketch merged2 = low;
  merged2.Merge(high);
  EXPECT_EQ(merged2, s);
}

TEST(QuantileSketch, WidensCountersOnOverflow) {
  QuantileSketch s;
  for (int i = 0; i < 70000; ++i) s.Add(5.0);  // Past 8 and 16 bits.
  s.Add(5.0, uint64_t{1} << 40);               // Past 32 bits.
  s.Add(100.0);
  EXPECT_EQ(s.count(), 70001 + (uint64_t{1} << 40));
  EXPECT_NEAR(s.Quantile(0.5), 5.0, 5.0 * kAlpha);
  EXPECT_NEAR(s.Quantile(1.0), 100.0, 100.0 * kAlpha);
  QuantileSketch back;
  std::string bytes;
  s.EncodeTo(&bytes);
  ASSERT_TRUE(QuantileSketch::Decode(bytes, &back).ok());
  EXPECT_EQ(back, s);
}

TEST(QuantileSketch, ClearKeepsBuffersForReuse) {
  const std::vector<double> values = Lognormal(5000, 0, 1, 9);
  QuantileSketch s;
  for (double v : values) s.Add(v);
  const size_t used = s.MemoryUsage();
  s.Clear();
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.MemoryUsage(), used);
  for (double v : values) s.Add(v);
  EXPECT_EQ(s.MemoryUsage(), used);  // Same range again: no new buffer.
  QuantileSketch fresh;
  for (double v : values) fresh.Add(v);
  EXPECT_EQ(s, fresh);
}

TEST(QuantileSketch, CopyAndMove) {
  QuantileSketch s;
  for (double v : Lognormal(1000, 0, 1, 10)) s.Add(v);
  QuantileSketch copy = s;
  EXPECT_EQ(copy, s);
  QuantileSketch assigned;
  assigned.Add(-3);
  assigned = s;
  EXPECT_EQ(assigned, s);
  QuantileSketch moved = std::move(copy);
  EXPECT_EQ(moved, s);
  EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty.
}

TEST(QuantileSketch, SmallSketchesAreSmall) {
  QuantileSketch s;
  EXPECT_EQ(s.MemoryUsage(), 64u);
  for (int i = 0; i < 60; ++i) s.Add(40.0 + (i % 5));  // A steady gauge.
  EXPECT_LE(s.MemoryUsage(), 64u + 16u);
}

TEST(QuantileSketch, SerializationRoundTrip) {
  std::vector<QuantileSketch> cases(4);
  for (double v : Bimodal(10000, 11)) cases[1].Add(v);
  cases[2].Add(0);
  cases[2].Add(-1e-9);
  cases[2].Add(1e300);
  for (double v : Pareto(10000, 1e-3, 1.0, 12)) cases[3].Add(-v);
  for (const QuantileSketch& s : cases) {
    std::string bytes;
    s.EncodeTo(&bytes);
    QuantileSketch back;
    ASSERT_TRUE(QuantileSketch::Decode(bytes, &back).ok());
    EXPECT_EQ(back, s);
    for (double q : kQuantiles) {
      if (!s.empty()) {
        EXPECT_EQ(back.Quantile(q), s.Quantile(q));
      }
    }
  }
}

std::string Encoded(const QuantileSketch& s) {
  std::string bytes;
  s.EncodeTo(&bytes);
  return bytes;
}

TEST(QuantileSketch, RejectsCorruptInput) {
  QuantileSketch sample;
  for (double v : {1.0, 2.0, 3.0, -4.0, 0.0}) sample.Add(v);
  const std::string good = Encoded(sample);
  // Bytes: mapping, flags, zero count, positive span, index, counts..., negative ...
  struct Case {
    const char* what;
    std::string bytes;
  };
  const std::vector<Case> cases = {
      {"empty", ""},
      {"unknown mapping", std::string("\x02\x00\x00\x00\x00", 5)},
      {"unknown flags", std::string("\x01\x08\x00\x00\x00", 5)},
      {"span over the bound", std::string("\x01\x00\x00\x81\x04\x00\x01", 7)},
      {"index below range", std::string("\x01\x00\x00\x01\xff\xff\xff\x0f\x01\x00", 10)},
      {"index above range", std::string("\x01\x00\x00\x01\xfe\xff\x03\x01\x00", 9)},
      {"zero edge bucket", std::string("\x01\x00\x00\x02\x00\x00\x01\x00", 8)},
      {"varint too long",
       std::string("\x01\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x00\x00", 15)},
      {"count overflow",
       std::string("\x01\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x01\x00\x01\x00", 16)},
      {"collapsed flag on empty sign", std::string("\x01\x01\x00\x00\x00", 5)},
      {"trailing bytes", good + "x"},
  };
  for (const Case& c : cases) {
    QuantileSketch out;
    out.Add(1);
    const Status s = QuantileSketch::Decode(c.bytes, &out);
    EXPECT_TRUE(s.IsCorruption()) << c.what << ": " << s.ToString();
    EXPECT_TRUE(out.empty()) << c.what;
  }
  // Every strict prefix of a valid encoding is truncated.
  for (size_t n = 0; n < good.size(); ++n) {
    QuantileSketch out;
    EXPECT_TRUE(QuantileSketch::Decode(good.substr(0, n), &out).IsCorruption()) << n;
  }
}

TEST(QuantileSketch, FewSpreadValuesEncodeSparselyAndRoundTrip) {
  QuantileSketch s;
  for (double v : {0.001, 1.0, 1.0, 250.0, 9e6, -3.0, -4e4, 0.0}) s.Add(v);
  const std::string bytes = Encoded(s);
  ASSERT_GE(bytes.size(), 2u);
  EXPECT_EQ(bytes[1] & 0x04, 0x04);  // Sparse.
  // Far smaller than one byte per bucket of the spans.
  EXPECT_LT(bytes.size(), 40u);
  QuantileSketch back;
  ASSERT_TRUE(QuantileSketch::Decode(bytes, &back).ok());
  EXPECT_EQ(back, s);
  for (double q : kQuantiles) EXPECT_EQ(back.Quantile(q), s.Quantile(q)) << q;
  // A dense sketch stays dense.
  QuantileSketch dense;
  for (double v : Bimodal(10000, 3)) dense.Add(v);
  EXPECT_EQ(Encoded(dense)[1] & 0x04, 0);
}

TEST(QuantileSketch, ReadsTheDenseFormOfEarlierBuilds) {
  // {1.0, 2.0} as builds before the sparse form wrote it: every count of
  // the span listed.
  QuantileSketch s;
  s.Add(1.0);
  s.Add(2.0);
  const int32_t lo = QuantileSketch::BucketIndex(1.0);
  const int32_t hi = QuantileSketch::BucketIndex(2.0);
  std::string dense("\x01\x00\x00", 3);
  dense.push_back(static_cast<char>(hi - lo + 1));
  dense.push_back(static_cast<char>(2 * lo));  // zigzag of a small index >= 0.
  for (int32_t i = lo; i <= hi; ++i) dense.push_back(static_cast<char>(i == lo || i == hi));
  dense.push_back('\x00');
  ASSERT_GE(lo, 0);
  ASSERT_LT(2 * lo, 128);
  QuantileSketch back;
  ASSERT_TRUE(QuantileSketch::Decode(dense, &back).ok());
  EXPECT_EQ(back, s);
  EXPECT_LT(Encoded(s).size(), dense.size());  // Written sparse now.
}

TEST(QuantileSketch, RejectsCorruptSparseInput) {
  // Bytes: mapping, flags (sparse), zero count, listed buckets, first index,
  // count, then (gap, count) pairs; then the negative side.
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"zero gap", std::string("\x01\x04\x00\x02\x00\x01\x00\x01\x00", 9)},
      {"zero listed count", std::string("\x01\x04\x00\x02\x00\x01\x01\x00\x00", 9)},
      {"span over the bound via gaps",
       std::string("\x01\x04\x00\x02\x00\x01\x80\x04\x01\x00", 10)},
      {"truncated gap", std::string("\x01\x04\x00\x02\x00\x01", 6)},
  };
  for (const auto& [what, bytes] : cases) {
    QuantileSketch out;
    out.Add(1);
    const Status s = QuantileSketch::Decode(bytes, &out);
    EXPECT_TRUE(s.IsCorruption()) << what << ": " << s.ToString();
    EXPECT_TRUE(out.empty()) << what;
  }
  // A gap past the highest index.
  std::string above("\x01\x04\x00\x02", 4);
  for (uint64_t zz = 2 * static_cast<uint64_t>(QuantileSketch::MaxIndex() - 1); zz >= 0x80;
       zz >>= 7) {
    above.push_back(static_cast<char>(0x80 | (zz & 0x7f)));
    if ((zz >> 7) < 0x80) above.push_back(static_cast<char>(zz >> 7));
  }
  above += std::string("\x01\x05\x01\x00", 4);
  QuantileSketch out;
  EXPECT_TRUE(QuantileSketch::Decode(above, &out).IsCorruption());
  // The same shape with a valid gap decodes.
  QuantileSketch ok;
  ASSERT_TRUE(
      QuantileSketch::Decode(std::string("\x01\x04\x00\x02\x00\x01\x05\x02\x00", 9), &ok)
          .ok());
  EXPECT_EQ(ok.count(), 3u);
}

TEST(QuantileSketch, RandomDamageNeverCrashes) {
  QuantileSketch sample;
  for (double v : Bimodal(3000, 13)) sample.Add(v);
  sample.Add(-7);
  const std::string good = Encoded(sample);
  std::mt19937_64 rng(14);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bad = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) bad[rng() % bad.size()] = static_cast<char>(rng());
    if (rng() % 4 == 0) bad.resize(rng() % bad.size());
    QuantileSketch out;
    const Status s = QuantileSketch::Decode(bad, &out);
    ASSERT_TRUE(s.ok() || s.IsCorruption()) << s.ToString();
    if (s.ok()) {
      ++accepted;
      (void)out.Quantile(0.99);  // A decoded sketch is always usable.
      QuantileSketch again;
      ASSERT_TRUE(QuantileSketch::Decode(Encoded(out), &again).ok());
      EXPECT_EQ(again, out);
    }
  }
  EXPECT_LT(accepted, 20000);
}

}  // namespace
}  // namespace sonde
