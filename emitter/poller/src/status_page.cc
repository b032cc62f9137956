// Status page parsing (docs/poller.md, "Status pages"). A SAX handler
// flattens the page while nlohmann_json parses it, so no DOM is built and the
// nesting followed is capped; nlohmann's parser itself is iterative. The
// handler never throws, and sax_parse reports errors through parse_error().
#include "sonde/status_page.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sonde/ascii.h"
#include "sonde/wire.h"

namespace sonde::poller {
namespace {

using Json = nlohmann::json;

// NormalizeKey into *out, reusing its capacity (the parser's per-key path).
void NormalizeKeyInto(std::string_view key, std::string* out) {
  while (!key.empty() && std::isspace(static_cast<unsigned char>(key.front()))) {
    key.remove_prefix(1);
  }
  while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) {
    key.remove_suffix(1);
  }
  out->assign(key);
  for (char& c : *out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || std::isspace(u)) {
      c = '_';
    } else {
      c = AsciiLower(c);
    }
  }
}

class FlattenHandler : public nlohmann::json_sax<Json> {
 public:
  FlattenHandler(const StatusPageOptions& options, StatusPage* page)
      : options_(options), page_(page) {}

  bool null() override { return Scalar(); }
  bool boolean(bool v) override { return Number(v ? 1 : 0); }
  bool number_integer(number_integer_t v) override { return Number(static_cast<double>(v)); }
  bool number_unsigned(number_unsigned_t v) override { return Number(static_cast<double>(v)); }
  bool number_float(number_float_t v, const string_t&) override { return Number(v); }
  bool string(string_t& v) override;
  bool binary(binary_t&) override { return Scalar(); }
  bool start_object(std::size_t) override { return Open(false); }
  bool key(string_t& k) override {
    NormalizeKeyInto(k, &key_);
    if (key_.empty()) key_ = "_";
    return true;
  }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override { return Open(true); }
  bool end_array() override { return Close(); }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    error_ = fmt::format("invalid JSON at byte {}: {}", position, ex.what());
    return false;
  }

  const std::string& error() const { return error_; }

 private:
  struct Frame {
    bool is_array;
    size_t next_index;
    size_t saved_len;  // Length of path_ before this container's segment.
  };

  // The full name of the value arriving now, in name_ (reused, so that a
  // field costs no allocation beyond its map node); advances an array's index.
  const std::string& Name();
  bool Open(bool is_array);
  bool Close();
  bool Scalar();
  bool Number(double v);
  // Returns false (and counts) when the value arriving now is not kept.
  bool Admit(const std::string& name);
  // Stores a field, replacing one of the same name of either type.
  template <typename Value, typename Other>
  void Store(std::map<std::string, Value>* into, Other* other, Value value);

  const StatusPageOptions& options_;
  StatusPage* page_;
  std::vector<Frame> stack_;
  std::string path_;
  std::string key_;
  std::string segment_;  // Last segment of the latest Name().
  std::string name_;     // The latest Name().
  std::string error_;
  int skip_depth_ = 0;  // > 0 while inside a container deeper than max_depth.
};

const std::string& FlattenHandler::Name() {
  Frame& top = stack_.back();
  if (top.is_array) {
    segment_ = std::to_string(top.next_index++);
  } else {
    segment_.assign(key_);
  }
  name_.assign(path_);
  if (!path_.empty()) name_.push_back('.');
  name_.append(segment_);
  return name_;
}

bool FlattenHandler::Open(bool is_array) {
  if (stack_.empty()) {
    if (is_array) {
      error_ = "status page is a JSON array, not an object";
      return false;
    }
    stack_.push_back({false, 0, 0});
    return true;
  }
  if (skip_depth_ > 0 || static_cast<int>(stack_.size()) > options_.max_depth) {
    if (skip_depth_ == 0) {
      Name();
      ++page_->dropped;
    }
    ++skip_depth_;
    return true;
  }
  const std::string& name = Name();
  stack_.push_back({is_array, 0, path_.size()});
  path_.assign(name);
  return true;
}

bool FlattenHandler::Close() {
  if (skip_depth_ > 0) {
    --skip_depth_;
    return true;
  }
  path_.resize(stack_.back().saved_len);
  stack_.pop_back();
  return true;
}

bool FlattenHandler::Scalar() {
  if (stack_.empty()) {
    error_ = "status page is a JSON scalar, not an object";
    return false;
  }
  if (skip_depth_ == 0) Name();
  return true;
}

bool FlattenHandler::Admit(const std::string& name) {
  if (skip_depth_ > 0) return false;  // Counted once, at the container.
  if (name.size() > kMaxNameBytes) {
    ++page_->dropped;
    return false;
  }
  // Only a full page needs to know whether the name is a repeat.
  if (page_->numbers.size() + page_->strings.size() < options_.max_fields) return true;
  const bool known = page_->numbers.count(name) > 0 || page_->strings.count(name) > 0;
  if (!known) {
    ++page_->dropped;
    return false;
  }
  return true;
}

bool FlattenHandler::Number(double v) {
  if (stack_.empty()) return Scalar();
  if (skip_depth_ > 0) return true;
  const std::string& name = Name();
  if (!std::isfinite(v) || !Admit(name)) return true;
  Store(&page_->numbers, &page_->strings, v);
  return true;
}

template <typename Value, typename Other>
void FlattenHandler::Store(std::map<std::string, Value>* into, Other* other, Value value) {
  auto [it, inserted] = into->try_emplace(name_, std::move(value));
  if (!inserted) {
    it->second = std::move(value);
  } else if (!other->empty()) {
    other->erase(name_);
  }
}

bool FlattenHandler::string(string_t& v) {
  if (stack_.empty()) return Scalar();
  if (skip_depth_ > 0) return true;
  const std::string& name = Name();
  if (!Admit(name)) return true;
  const auto& keep = options_.string_keys;
  double number = 0;
  if (std::find(keep.begin(), keep.end(), segment_) == keep.end() &&
      ParseNumericString(v, &number)) {
    Store(&page_->numbers, &page_->strings, number);
  } else {
    Store(&page_->strings, &page_->numbers, std::move(v));
  }
  return true;
}

}  // namespace

Status StatusPageOptions::Validate() const {
  if (max_fields < 1 || max_fields > 10000) {
    return Status::InvalidArgument(fmt::format("max_fields {} is outside 1-10000", max_fields));
  }
  if (max_depth < 1 || max_depth > 32) {
    return Status::InvalidArgument(fmt::format("max_depth {} is outside 1-32", max_depth));
  }
  return Status::OK();
}

Result<StatusPage> ParseStatusPage(std::string_view body, const StatusPageOptions& options) {
  StatusPage page;
  FlattenHandler handler(options, &page);
  bool ok = false;
  try {
    ok = Json::sax_parse(body.begin(), body.end(), &handler);
  } catch (const std::exception& e) {
    // Only allocation can throw here; report it as a bad page, not a crash.
    return Status::Corruption(fmt::format("status page: {}", e.what()));
  }
  if (!ok) {
    return Status::Corruption(handler.error().empty() ? "invalid JSON" : handler.error());
  }
  return page;
}

bool ParseNumericString(std::string_view text, double* value) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  if (!text.empty() && text.back() == '%') {
    text.remove_suffix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
      text.remove_suffix(1);
    }
  }
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  // from_chars would take "inf", "nan" and hex digits; a status page means none of them.
  if (text.empty() || text.find_first_not_of("0123456789.eE+-") != text.npos) return false;
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) return false;
  *value = v;
  return true;
}

std::string NormalizeKey(std::string_view key) {
  std::string out;
  NormalizeKeyInto(key, &out);
  return out;
}

}  // namespace sonde::poller
