#include "table.h"

#include <algorithm>
#include <cassert>
#include <numeric>

#include "sonde/ascii.h"

namespace sonde::tools {

namespace {

constexpr int kGap = 2;
constexpr std::string_view kEllipsis = "…";

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Replaces control characters (C0 and DEL) with '?'.
std::string Sanitize(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = '?';
  }
  return out;
}

// The byte offset where code point number `n` starts (or s.size()).
size_t OffsetOfPoint(std::string_view s, int n) {
  size_t i = 0;
  for (int seen = 0; i < s.size(); ++i) {
    if (IsContinuation(static_cast<unsigned char>(s[i]))) continue;
    if (seen++ == n) return i;
  }
  return s.size();
}

// `s` cut to `width` columns.
std::string Fit(const std::string& s, int width, bool keep_right) {
  const int w = DisplayWidth(s);
  if (w <= width) return s;
  if (keep_right) return s.substr(OffsetOfPoint(s, w - width));
  if (width <= 0) return std::string();
  return s.substr(0, OffsetOfPoint(s, width - 1)) + std::string(kEllipsis);
}

struct Layout {
  std::vector<int> width;  // Per column; natural width before fitting.
  std::vector<bool> dropped;

  int Total() const {
    int total = 0;
    int shown = 0;
    for (size_t i = 0; i < width.size(); ++i) {
      if (dropped[i]) continue;
      total += width[i];
      ++shown;
    }
    return total + kGap * std::max(0, shown - 1);
  }
};

struct Step {
  int order;
  size_t column;
  bool drop;
};

}  // namespace

int DisplayWidth(std::string_view s) {
  int n = 0;
  for (char c : s) n += IsContinuation(static_cast<unsigned char>(c)) ? 0 : 1;
  return n;
}

void AppendCsvField(std::string* out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(field);
    return;
  }
  out->push_back('"');
  for (char c : field) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

const char* StatusColor(std::string_view status) {
  if (status == "Healthy") return "32";
  if (status == "Degraded") return "33";
  if (status == "Unhealthy" || status == "Stale" || status == "Down") return "31";
  return nullptr;
}

Table::Table(std::vector<TableColumn> columns) : columns_(std::move(columns)) {}

void Table::AddRow(std::vector<std::string> cells) {
  assert(cells.size() == columns_.size());
  for (std::string& cell : cells) cell = Sanitize(cell);
  rows_.push_back(std::move(cells));
}

std::string Table::Render(int width, bool color) const {
  const size_t n = columns_.size();
  Layout layout{std::vector<int>(n), std::vector<bool>(n, false)};
  for (size_t i = 0; i < n; ++i) {
    layout.width[i] = DisplayWidth(columns_[i].header);
    for (const auto& row : rows_) layout.width[i] = std::max(layout.width[i], DisplayWidth(row[i]));
  }
  const std::vector<int> natural = layout.width;

  std::vector<Step> steps;
  for (size_t i = 0; i < n; ++i) {
    if (columns_[i].shrink_step > 0) steps.push_back({columns_[i].shrink_step, i, false});
    if (columns_[i].drop_step > 0) steps.push_back({columns_[i].drop_step, i, true});
  }
  std::stable_sort(steps.begin(), steps.end(),
                   [](const Step& a, const Step& b) { return a.order < b.order; });
  std::vector<size_t> shrunk;  // In the order they were shrunk.
  for (const Step& step : steps) {
    const int excess = layout.Total() - width;
    if (excess <= 0) break;
    if (step.drop) {
      layout.dropped[step.column] = true;
      continue;
    }
    const int floor =
        std::max(columns_[step.column].min_width, DisplayWidth(columns_[step.column].header));
    int& w = layout.width[step.column];
    const int cut = std::min(excess, std::max(0, w - floor));
    if (cut > 0) {
      w -= cut;
      shrunk.push_back(step.column);
    }
  }
  // Later drops may have freed more than was needed: widen again, latest
  // shrink last.
  for (size_t column : shrunk) {
    if (layout.dropped[column]) continue;
    const int slack = width - layout.Total();
    if (slack <= 0) break;
    layout.width[column] = std::min(natural[column], layout.width[column] + slack);
  }

  std::string out;
  auto append_line = [&](const std::vector<std::string>& cells, bool header) {
    std::string line;
    bool first = true;
    for (size_t i = 0; i < n; ++i) {
      if (layout.dropped[i]) continue;
      if (!first) line.append(kGap, ' ');
      first = false;
      const std::string text = Fit(cells[i], layout.width[i], columns_[i].keep_right);
      const int pad = layout.width[i] - DisplayWidth(text);
      if (columns_[i].right_align) line.append(pad, ' ');
      const TableColumn& column = columns_[i];
      const char* sgr = header ? "1" : column.color_of ? column.color_of(cells[i]) : column.color;
      if (color && sgr != nullptr && !text.empty()) {
        line += "\x1b[";
        line += sgr;
        line += 'm';
        line += text;
        line += "\x1b[0m";
      } else {
        line += text;
      }
      if (!columns_[i].right_align) line.append(pad, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  };
  std::vector<std::string> headers;
  for (const TableColumn& c : columns_) headers.push_back(c.header);
  append_line(headers, true);
  for (const auto& row : rows_) append_line(row, false);
  return out;
}

std::string Table::ToCsv() const {
  std::string out;
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (i > 0) out += ',';
    std::string name = columns_[i].csv_name;
    if (name.empty()) {
      name = AsciiLower(columns_[i].header);
    }
    AppendCsvField(&out, name);
  }
  out += '\n';
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out += ',';
      AppendCsvField(&out, row[i]);
    }
    out += '\n';
  }
  return out;
}

}  // namespace sonde::tools
