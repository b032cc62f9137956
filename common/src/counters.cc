#include "sonde/counters.h"

#include <cassert>
#include <cinttypes>
#include <cstdio>

namespace sonde {

struct CounterRegistry::Series {
  std::string label_key;
  std::string label_value;
  Counter counter;
  Gauge gauge;
  std::function<uint64_t()> counter_fn;
  std::function<int64_t()> gauge_fn;

  double Read(MetricType type) const {
    if (type == MetricType::kCounter) {
      return static_cast<double>(counter_fn ? counter_fn() : counter.value());
    }
    return static_cast<double>(gauge_fn ? gauge_fn() : gauge.value());
  }
};

struct CounterRegistry::Family {
  std::string short_name;
  std::string full_name;
  std::string help;
  MetricType type;
  // unique_ptr: Counter/Gauge addresses handed out must stay put.
  std::vector<std::unique_ptr<Series>> series;
};

namespace {

[[maybe_unused]] bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Metric and label names are fixed by code; an invalid one is a bug. In
// release builds it is repaired rather than producing unparsable output.
std::string SanitizeName(std::string_view name) {
  assert(ValidName(name));
  std::string out(name);
  for (char& c : out) {
    if (!((c >= 'a' && c <= 'z') || c == '_' || (c >= '0' && c <= '9'))) c = '_';
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(out.begin(), '_');
  return out;
}

// HELP text escapes backslash and newline only.
std::string EscapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void AppendValue(std::string* out, double v) {
  char buf[64];
  // Counters and gauges are integers underneath; print them exactly.
  if (v == static_cast<double>(static_cast<int64_t>(v))) {
    std::snprintf(buf, sizeof(buf), "%" PRId64, static_cast<int64_t>(v));
  } else {
    std::snprintf(buf, sizeof(buf), "%.17g", v);
  }
  out->append(buf);
}

}  // namespace

std::string EscapePrometheusLabel(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

CounterRegistry::CounterRegistry(std::string prefix) : prefix_(std::move(prefix)) {
  assert(prefix_.empty() || ValidName(prefix_));
}

CounterRegistry::~CounterRegistry() = default;

CounterRegistry::Series* CounterRegistry::FindOrAdd(std::string_view name, std::string_view help,
                                                    MetricType type, MetricLabel label) {
  std::lock_guard<std::mutex> lock(mu_);
  Family* family;
  auto it = by_name_.find(name);
  if (it != by_name_.end()) {
    family = it->second;
    // Same name, other type: a programming error.
    assert(family->type == type);
  } else {
    auto f = std::make_unique<Family>();
    f->short_name = std::string(name);
    const std::string base = SanitizeName(name);
    f->full_name = prefix_.empty() ? base : prefix_ + "_" + base;
    if (type == MetricType::kCounter) f->full_name += "_total";
    f->help = std::string(help);
    f->type = type;
    family = f.get();
    families_.push_back(std::move(f));
    by_name_.emplace(std::string(name), family);
  }
  for (auto& s : family->series) {
    if (s->label_key == label.key && s->label_value == label.value) return s.get();
  }
  auto s = std::make_unique<Series>();
  s->label_key = label.key.empty() ? std::string() : SanitizeName(label.key);
  s->label_value = label.key.empty() ? std::string() : std::string(label.value);
  family->series.push_back(std::move(s));
  return family->series.back().get();
}

Counter* CounterRegistry::AddCounter(std::string_view name, std::string_view help,
                                     MetricLabel label) {
  return &FindOrAdd(name, help, MetricType::kCounter, label)->counter;
}

Gauge* CounterRegistry::AddGauge(std::string_view name, std::string_view help, MetricLabel label) {
  return &FindOrAdd(name, help, MetricType::kGauge, label)->gauge;
}

void CounterRegistry::AddCounterFunc(std::string_view name, std::string_view help,
                                     MetricLabel label, std::function<uint64_t()> fn) {
  Series* s = FindOrAdd(name, help, MetricType::kCounter, label);
  std::lock_guard<std::mutex> lock(mu_);
  s->counter_fn = std::move(fn);
}

void CounterRegistry::AddGaugeFunc(std::string_view name, std::string_view help, MetricLabel label,
                                   std::function<int64_t()> fn) {
  Series* s = FindOrAdd(name, help, MetricType::kGauge, label);
  std::lock_guard<std::mutex> lock(mu_);
  s->gauge_fn = std::move(fn);
}

std::string CounterRegistry::RenderPrometheus() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  out.reserve(families_.size() * 128);
  for (const auto& f : families_) {
    if (!f->help.empty()) {
      out += "# HELP " + f->full_name + " " + EscapeHelp(f->help) + "\n";
    }
    out += "# TYPE " + f->full_name + (f->type == MetricType::kCounter ? " counter\n" : " gauge\n");
    for (const auto& s : f->series) {
      out += f->full_name;
      if (!s->label_key.empty()) {
        out += "{" + s->label_key + "=\"" + EscapePrometheusLabel(s->label_value) + "\"}";
      }
      out += ' ';
      AppendValue(&out, s->Read(f->type));
      out += '\n';
    }
  }
  return out;
}

std::vector<CounterRegistry::Value> CounterRegistry::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Value> out;
  for (const auto& f : families_) {
    for (const auto& s : f->series) {
      out.push_back(Value{f->full_name, f->short_name, s->label_key, s->label_value, f->type,
                          s->Read(f->type)});
    }
  }
  return out;
}

}  // namespace sonde
