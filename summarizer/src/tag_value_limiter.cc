#include "tag_value_limiter.h"

namespace sonde::summarizer {

bool TagValueLimiter::AdmitsTag(std::string_view key, std::string_view value) const {
  auto k = keys_.find(key);
  if (k == keys_.end()) return true;  // A new key has room for its first value.
  if (k->second.size() < max_) return true;
  return k->second.find(value) != k->second.end();
}

bool TagValueLimiter::Admits(const Tags& tags) const {
  for (const Tag& t : tags) {
    if (!AdmitsTag(t.key, t.value)) return false;
  }
  return true;
}

void TagValueLimiter::Add(const Tags& tags) {
  for (const Tag& t : tags) ++keys_[t.key][t.value];
}

void TagValueLimiter::Remove(const Tags& tags) {
  for (const Tag& t : tags) {
    auto k = keys_.find(std::string_view(t.key));
    if (k == keys_.end()) continue;
    auto v = k->second.find(std::string_view(t.value));
    if (v == k->second.end()) continue;
    if (--v->second == 0) k->second.erase(v);
    if (k->second.empty()) keys_.erase(k);
  }
}

size_t TagValueLimiter::ValuesOf(std::string_view key) const {
  auto k = keys_.find(key);
  return k == keys_.end() ? 0 : k->second.size();
}

}  // namespace sonde::summarizer
