#include "sonde/tag_flag.h"

#include <utility>

namespace sonde {

bool SplitKeyValue(std::string_view text, std::string_view* key, std::string_view* value) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  *key = text.substr(0, eq);
  *value = text.substr(eq + 1);
  return true;
}

Result<Tag> ParseTagFlag(std::string_view text) {
  std::string_view key;
  std::string_view value;
  if (!SplitKeyValue(text, &key, &value)) {
    return Status::InvalidArgument("tag '" + std::string(text) +
                                   "': expected key=value, e.g. service=auth");
  }
  return Tag{std::string(key), std::string(value)};
}

Result<Tags> ParseTagFlags(const std::vector<std::string>& texts) {
  Tags tags;
  tags.reserve(texts.size());
  for (const std::string& text : texts) {
    Result<Tag> tag = ParseTagFlag(text);
    if (!tag) return tag.error();
    tags.push_back(std::move(*tag));
  }
  return tags;
}

}  // namespace sonde
