#include "latest_view.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>

#include "sonde/fleet_report.h"
#include "sonde/series_key.h"
#include "sonde/units.h"
#include "text_format.h"

namespace sonde::tools {

namespace {

struct Builtin {
  std::string_view name;
  LatestView::Field field;
};
constexpr Builtin kBuiltins[] = {
    {"host", LatestView::Field::kHost},   {"metric", LatestView::Field::kMetric},
    {"tags", LatestView::Field::kTags},   {"kind", LatestView::Field::kKind},
    {"value", LatestView::Field::kValue}, {"time", LatestView::Field::kTime},
    {"age", LatestView::Field::kAge},
};
constexpr std::string_view kTagPrefix = "tag:";

bool IsNumeric(LatestView::Field f) {
  return f == LatestView::Field::kValue || f == LatestView::Field::kTime ||
         f == LatestView::Field::kAge;
}

// One cell of a row: a number for value/time/age, text otherwise; a missing
// tag is absent.
struct Cell {
  bool present = true;
  double number = 0;
  std::string text;
};

Cell GetCell(const LatestState& row, const LatestView::Column& column, int64_t now_ms) {
  using Field = LatestView::Field;
  switch (column.field) {
    case Field::kHost:
      return {true, 0, row.key.host()};
    case Field::kMetric:
      return {true, 0, row.key.name()};
    case Field::kTags:
      return {true, 0, FormatTags(row.key.tags())};
    case Field::kKind:
      return {true, 0, MetricKindName(row.kind)};
    case Field::kValue:
      return {true, row.value, FormatExact(row.value)};
    case Field::kTime:
      return {true, static_cast<double>(row.timestamp_ms), FormatIsoTime(row.timestamp_ms)};
    case Field::kAge: {
      const int64_t age = AgeMs(now_ms, row.timestamp_ms);
      return {true, static_cast<double>(age), FormatAge(age)};
    }
    case Field::kTag: {
      auto v = row.key.FindTag(column.name);
      if (!v) return {false, 0, ""};
      return {true, 0, std::string(*v)};
    }
  }
  return {};
}

// -1, 0 or 1: numbers for numeric columns; text columns as numbers when
// both sides are numbers, else in natural order (digit runs compare as
// numbers: "1.0.9" < "1.0.10"), the order the poller's report uses. Only
// identical texts are equal.
int Compare(const Cell& a, const Cell& b, bool numeric) {
  double x = a.number;
  double y = b.number;
  if (!numeric) {
    auto nx = ParseNumber(a.text);
    auto ny = ParseNumber(b.text);
    if (!nx || !ny) {
      return fleet::NaturalLess(a.text, b.text) ? -1 : fleet::NaturalLess(b.text, a.text) ? 1 : 0;
    }
    x = *nx;
    y = *ny;
  }
  return x < y ? -1 : x > y ? 1 : 0;
}

std::vector<std::string> SplitList(const std::vector<std::string>& specs) {
  std::vector<std::string> out;
  for (const std::string& spec : specs) {
    size_t start = 0;
    while (true) {
      const size_t comma = spec.find(',', start);
      out.push_back(spec.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

// Parses the right-hand side of a condition on a numeric column.
std::optional<double> ParseOperand(LatestView::Field field, std::string_view text) {
  if (field == LatestView::Field::kAge) {
    auto d = ParseDuration(text);
    if (!d) return std::nullopt;
    return static_cast<double>(d->count());
  }
  if (field == LatestView::Field::kTime) {
    auto t = ParseTime(text);
    if (!t) return std::nullopt;
    return static_cast<double>(*t);
  }
  return ParseNumber(text);
}

const char* OperandKind(LatestView::Field field) {
  return field == LatestView::Field::kAge    ? "a duration such as 5m"
         : field == LatestView::Field::kTime ? "a time such as 2024-05-01T12:00:00Z"
                                             : "a number";
}

}  // namespace

LatestView::LatestView() {
  for (const char* name : {"host", "metric", "tags", "kind", "value", "age"}) {
    columns_.push_back(*ParseColumn(name));
  }
}

Result<LatestView::Column> LatestView::ParseColumn(std::string_view name) {
  if (name.starts_with(kTagPrefix)) {
    name.remove_prefix(kTagPrefix.size());
    if (name.empty()) return Status::InvalidArgument("empty tag name after 'tag:'");
    return Column{Field::kTag, std::string(name)};
  }
  if (name.empty()) return Status::InvalidArgument("empty column name");
  for (const Builtin& b : kBuiltins) {
    if (b.name == name) return Column{b.field, std::string(name)};
  }
  return Column{Field::kTag, std::string(name)};
}

Result<LatestView::Condition> LatestView::ParseCondition(std::string_view text) {
  const std::string quoted = "--where '" + std::string(text) + "': ";
  const size_t pos = text.find_first_of("=!<>~");
  if (pos == std::string_view::npos || pos == 0) {
    return Status::InvalidArgument(quoted + "expected COLUMN=VALUE (or !=, ~, <, <=, >, >=)");
  }
  Result<Column> column = ParseColumn(text.substr(0, pos));
  if (!column) return Status::InvalidArgument(quoted + column.error().message());
  std::string_view rest = text.substr(pos);
  Condition c;
  c.column = *column;
  static constexpr std::pair<std::string_view, Op> kOps[] = {
      {"!=", Op::kNe}, {"<=", Op::kLe}, {">=", Op::kGe}, {"==", Op::kEq},
      {"=", Op::kEq},  {"<", Op::kLt},  {">", Op::kGt},  {"~", Op::kContains}};
  bool found = false;
  for (const auto& [spelling, op] : kOps) {
    if (rest.starts_with(spelling)) {
      c.op = op;
      rest.remove_prefix(spelling.size());
      found = true;
      break;
    }
  }
  if (!found)
    return Status::InvalidArgument(quoted + "unknown operator (use =, !=, ~, <, <=, >, >=)");
  c.text = std::string(rest);
  if (IsNumeric(c.column.field) && c.op != Op::kContains) {
    auto n = ParseOperand(c.column.field, c.text);
    if (!n) {
      return Status::InvalidArgument(quoted + "'" + c.text + "' is not " +
                                     OperandKind(c.column.field));
    }
    c.number = *n;
  }
  return c;
}

Status LatestView::SetColumns(const std::vector<std::string>& specs) {
  if (specs.empty()) return Status::OK();
  std::vector<Column> columns;
  for (const std::string& name : SplitList(specs)) {
    Result<Column> c = ParseColumn(name);
    if (!c) return Status::InvalidArgument("--columns: " + c.error().message());
    columns.push_back(*c);
  }
  columns_ = std::move(columns);
  columns_given_ = true;
  return Status::OK();
}

Status LatestView::AddWhere(std::string_view condition) {
  Result<Condition> c = ParseCondition(condition);
  if (!c) return c.error();
  where_.push_back(std::move(*c));
  return Status::OK();
}

Status LatestView::SetSort(const std::vector<std::string>& specs) {
  for (std::string name : SplitList(specs)) {
    SortKey key;
    if (name.starts_with('-')) {
      key.descending = true;
      name.erase(0, 1);
    } else if (name.starts_with('+')) {
      name.erase(0, 1);
    }
    Result<Column> c = ParseColumn(name);
    if (!c) return Status::InvalidArgument("--sort: " + c.error().message());
    key.column = *c;
    sort_.push_back(std::move(key));
  }
  return Status::OK();
}

Tags LatestView::StoreWhere() const {
  Tags out;
  for (const Condition& c : where_) {
    if (c.column.field == Field::kTag && c.op == Op::kEq) out.push_back({c.column.name, c.text});
  }
  return out;
}

bool LatestView::Matches(const LatestState& row, const Condition& c, int64_t now_ms) const {
  const Cell cell = GetCell(row, c.column, now_ms);
  if (!cell.present) return c.op == Op::kNe;
  const bool numeric = IsNumeric(c.column.field);
  if (c.op == Op::kContains) return ContainsIgnoreCase(cell.text, c.text);
  const int cmp = Compare(cell, Cell{true, c.number, c.text}, numeric);
  switch (c.op) {
    case Op::kEq:
      return cmp == 0;
    case Op::kNe:
      return cmp != 0;
    case Op::kLt:
      return cmp < 0;
    case Op::kLe:
      return cmp <= 0;
    case Op::kGt:
      return cmp > 0;
    case Op::kGe:
      return cmp >= 0;
    case Op::kContains:
      break;
  }
  return false;
}

void LatestView::Apply(std::vector<LatestState>* rows, int64_t now_ms) const {
  std::erase_if(*rows, [&](const LatestState& row) {
    return !std::all_of(where_.begin(), where_.end(),
                        [&](const Condition& c) { return Matches(row, c, now_ms); });
  });
  if (!sort_.empty()) {
    std::stable_sort(rows->begin(), rows->end(), [&](const LatestState& a, const LatestState& b) {
      for (const SortKey& key : sort_) {
        const Cell x = GetCell(a, key.column, now_ms);
        const Cell y = GetCell(b, key.column, now_ms);
        if (x.present != y.present) return x.present;  // Missing tags last.
        if (!x.present) continue;
        const int cmp = Compare(x, y, IsNumeric(key.column.field));
        if (cmp != 0) return key.descending ? cmp > 0 : cmp < 0;
      }
      return false;
    });
  }
  if (limit_ > 0 && rows->size() > limit_) rows->resize(limit_);
}

Table LatestView::ToTable(const std::vector<LatestState>& rows, const OutputSettings& out) const {
  const bool csv = out.format == OutputFormat::kCsv;
  std::vector<TableColumn> columns;
  for (const Column& c : columns_) {
    std::string header = c.name;
    for (char& ch : header) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    TableColumn t(std::move(header));
    t.csv_name = c.field == Field::kAge && csv ? "age_ms" : c.name;
    t.right_align = c.field == Field::kValue || c.field == Field::kAge;
    // Narrow terminals: tags, then metric names, then hosts are cut with
    // "…"; time and kind are left out.
    if (c.field == Field::kTags) {
      t.shrink_step = 1;
      t.min_width = 12;
    }
    if (c.field == Field::kMetric) {
      t.shrink_step = 2;
      t.min_width = 16;
    }
    if (c.field == Field::kHost) {
      t.shrink_step = 3;
      t.min_width = 12;
    }
    if (c.field == Field::kTime && !csv) t.drop_step = 4;
    if (c.field == Field::kKind && !csv) t.drop_step = 5;
    columns.push_back(std::move(t));
  }
  Table table(std::move(columns));
  for (const LatestState& row : rows) {
    std::vector<std::string> cells;
    for (const Column& c : columns_) {
      const Cell cell = GetCell(row, c, out.now_ms);
      if (c.field == Field::kValue) {
        cells.push_back(csv ? FormatExact(row.value) : FormatNumber(row.value));
      } else if (c.field == Field::kAge && csv) {
        cells.push_back(std::to_string(AgeMs(out.now_ms, row.timestamp_ms)));
      } else {
        cells.push_back(cell.present ? cell.text : (csv ? "" : "-"));
      }
    }
    table.AddRow(std::move(cells));
  }
  return table;
}

Json LatestView::ToJson(const std::vector<LatestState>& rows, int64_t now_ms) const {
  Json list = Json::array();
  for (const LatestState& row : rows) {
    if (!columns_given_) {
      // The API's form of a series, with its age.
      Json item = row;
      item["age_ms"] = AgeMs(now_ms, row.timestamp_ms);
      list.push_back(std::move(item));
      continue;
    }
    Json item = Json::object();
    for (const Column& c : columns_) {
      switch (c.field) {
        case Field::kTags:
          item["tags"] = TagsJson(row.key.tags());
          break;
        case Field::kValue:
          item["value"] = std::isfinite(row.value) ? Json(row.value) : Json(nullptr);
          break;
        case Field::kTime:
          item["timestamp_ms"] = row.timestamp_ms;
          break;
        case Field::kAge:
          item["age_ms"] = AgeMs(now_ms, row.timestamp_ms);
          break;
        case Field::kTag: {
          auto v = row.key.FindTag(c.name);
          item[c.name] = v ? Json(std::string(*v)) : Json(nullptr);
          break;
        }
        default:
          item[c.name] = GetCell(row, c, now_ms).text;
          break;
      }
    }
    list.push_back(std::move(item));
  }
  return Json{{"latest", std::move(list)}};
}

}  // namespace sonde::tools
