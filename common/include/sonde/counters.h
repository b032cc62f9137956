// CounterRegistry: a service's named counters and gauges, cheap to bump on
// the hot path, rendered as Prometheus text for GET /metrics and listed as
// (name, value) pairs so that a service can emit its own counters as samples.
//
//   CounterRegistry reg("sonde_broker");
//   Counter* received = reg.AddCounter("received", "Batches received.");
//   Counter* bad_trunc = reg.AddCounter("malformed", "Batches rejected.", {"reason", "truncated"});
//   received->Inc();
//   reg.RenderPrometheus() ->
//     # HELP sonde_broker_received_total Batches received.
//     # TYPE sonde_broker_received_total counter
//     sonde_broker_received_total 1
//     # HELP sonde_broker_malformed_total Batches rejected.
//     # TYPE sonde_broker_malformed_total counter
//     sonde_broker_malformed_total{reason="truncated"} 0
//
// Naming: the registry prefix plus the short name; counters get "_total".
// Names are [a-z_][a-z0-9_]* (checked by assert; fixed by the code, not by
// input). One optional label per series (key and value); the label value is
// escaped for Prometheus, so it may come from anywhere, but the set of
// values must be bounded (each is a series held forever).
//
// Ownership: the registry owns every Counter and Gauge; pointers returned by
// Add* stay valid for the registry's lifetime.
// Thread-safety: Counter/Gauge updates and reads are relaxed atomics, safe
// from any thread and costing one uncontended atomic add. Add*, Render and
// List take an internal mutex and are safe from any thread; a Func metric's
// callback runs on the thread that calls RenderPrometheus()/List().
#ifndef SONDE_COUNTERS_H_
#define SONDE_COUNTERS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sonde {

// A monotonically increasing count (Prometheus counter).
class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down (Prometheus gauge).
class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void Add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  void Sub(int64_t n) { value_.fetch_sub(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

enum class MetricType { kCounter, kGauge };

// One optional label on a series; an empty key means none.
struct MetricLabel {
  std::string_view key;
  std::string_view value;
};

class CounterRegistry {
 public:
  // `prefix` starts every metric name, e.g. "sonde_broker". May be empty.
  explicit CounterRegistry(std::string prefix);
  CounterRegistry(const CounterRegistry&) = delete;
  CounterRegistry& operator=(const CounterRegistry&) = delete;
  ~CounterRegistry();

  const std::string& prefix() const { return prefix_; }

  // Returns the counter `<prefix>_<name>_total{label}`, creating it on first
  // use; the same (name, label) always returns the same object. `help` is
  // kept from the first registration of `name`.
  // REQUIRES: `name` is not already registered as a gauge.
  Counter* AddCounter(std::string_view name, std::string_view help, MetricLabel label = {});

  // As AddCounter, for the gauge `<prefix>_<name>{label}`.
  Gauge* AddGauge(std::string_view name, std::string_view help, MetricLabel label = {});

  // Metrics whose value is read at render time, e.g. kernel drop counts
  // from getsockopt. `fn` must be cheap and must not call back into this
  // registry. Registering the same (name, label) again replaces `fn`.
  void AddCounterFunc(std::string_view name, std::string_view help, MetricLabel label,
                      std::function<uint64_t()> fn);
  void AddGaugeFunc(std::string_view name, std::string_view help, MetricLabel label,
                    std::function<int64_t()> fn);

  // The Prometheus text exposition format (version 0.0.4), families in
  // registration order, series in registration order within a family.
  // Serve it as "text/plain; version=0.0.4; charset=utf-8".
  std::string RenderPrometheus() const;

  // One row per series, for emitting the service's own counters as samples.
  struct Value {
    std::string name;        // Full metric name, e.g. "sonde_broker_received_total".
    std::string short_name;  // As registered, e.g. "received".
    std::string label_key;   // "" when the series has no label.
    std::string label_value;
    MetricType type;
    double value;
  };
  std::vector<Value> List() const;

 private:
  struct Series;
  struct Family;
  Series* FindOrAdd(std::string_view name, std::string_view help, MetricType type,
                    MetricLabel label);

  const std::string prefix_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Family>> families_;        // Guarded by mu_.
  std::map<std::string, Family*, std::less<>> by_name_;  // Guarded by mu_.
};

// Escapes a Prometheus label value (backslash, double quote, newline).
std::string EscapePrometheusLabel(std::string_view value);

}  // namespace sonde

#endif  // SONDE_COUNTERS_H_
