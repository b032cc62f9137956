// A GaugeSink that keeps what it is given, for the agent's tests.
#ifndef SONDE_TESTS_AGENT_FAKE_SINK_H_
#define SONDE_TESTS_AGENT_FAKE_SINK_H_

#include <optional>
#include <string>
#include <vector>

#include "sonde/host_probe.h"

namespace sonde::agent::testing {

struct Reading {
  std::string name;
  double value = 0;
  Tags tags;
};

class FakeSink final : public GaugeSink {
 public:
  void Gauge(std::string_view name, double value, TagList tags) override {
    Reading r{std::string(name), value, {}};
    for (const TagView& t : tags.span()) r.tags.push_back({std::string(t.key), std::string(t.value)});
    readings.push_back(std::move(r));
  }

  // The value of the reading called `name` with tag key=value (or without
  // tags when key is empty), if any.
  std::optional<double> Find(const std::string& name, const std::string& key = "",
                             const std::string& value = "") const {
    for (const Reading& r : readings) {
      if (r.name != name) continue;
      if (key.empty() && r.tags.empty()) return r.value;
      if (!key.empty() && r.tags.size() == 1 && r.tags[0].key == key && r.tags[0].value == value) {
        return r.value;
      }
    }
    return std::nullopt;
  }

  size_t Count(const std::string& name) const {
    size_t n = 0;
    for (const Reading& r : readings) n += r.name == name;
    return n;
  }

  std::vector<Reading> readings;
};

}  // namespace sonde::agent::testing

#endif  // SONDE_TESTS_AGENT_FAKE_SINK_H_
