// Table: rows of text cells rendered as aligned columns that fit a width,
// and the same rows as CSV.
//
// Fitting. Each column may be shrinkable (down to min_width, truncated with
// "…"; a sparkline column keeps its rightmost, most recent, characters) and
// may be droppable. Shrinks and drops are steps ordered by their `step`
// number; Render() takes steps in order until the table fits, then gives
// back width that later drops freed to the columns shrunk earlier. A table
// that cannot fit after every step is printed wider than asked.
//
// Cells are untrusted text (metric names, tags): control characters are
// shown as '?', so that output cannot drive the terminal. Widths count
// UTF-8 code points (every character is taken as one column wide).
//
// Thread-safety: a value type.
#ifndef SONDE_TOOLS_SONDE_TABLE_H_
#define SONDE_TOOLS_SONDE_TABLE_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sonde::tools {

// A column, described with chained setters:
//   TableColumn("TAGS").Shrink(2, 10), TableColumn("AVG").Right().Drop(3)
struct TableColumn {
  explicit TableColumn(std::string h) : header(std::move(h)) {}

  TableColumn& Csv(std::string name) {
    csv_name = std::move(name);
    return *this;
  }
  TableColumn& Right() {
    right_align = true;
    return *this;
  }
  TableColumn& Shrink(int step, int min) {
    shrink_step = step;
    min_width = min;
    return *this;
  }
  TableColumn& KeepRight() {
    keep_right = true;
    return *this;
  }
  TableColumn& Drop(int step) {
    drop_step = step;
    return *this;
  }
  TableColumn& Color(const char* sgr) {
    color = sgr;
    return *this;
  }
  TableColumn& ColorBy(const char* (*of)(std::string_view cell)) {
    color_of = of;
    return *this;
  }

  std::string header;        // As printed ("HOST").
  std::string csv_name;      // The CSV header; "" -> the header in lower case.
  bool right_align = false;  // Numbers.
  // Shrinking: step 0 means never. Else the column may narrow to min_width
  // (never below its header).
  int shrink_step = 0;
  int min_width = 0;
  bool keep_right = false;  // Truncate from the left, without "…" (sparklines).
  // Dropping: step 0 means never.
  int drop_step = 0;
  const char* color = nullptr;  // ANSI SGR parameters for the cells ("36"), or null.
  // Per-cell colour: the SGR parameters for a cell's full text, or null for
  // none. Wins over `color`.
  const char* (*color_of)(std::string_view cell) = nullptr;
};

// The colour of a status word, for ColorBy: "Healthy" green, "Degraded"
// yellow, "Unhealthy", "Stale" and "Down" red; null for anything else.
const char* StatusColor(std::string_view status);

class Table {
 public:
  explicit Table(std::vector<TableColumn> columns);

  // REQUIRES: cells.size() == number of columns.
  void AddRow(std::vector<std::string> cells);

  size_t rows() const { return rows_.size(); }
  const std::vector<TableColumn>& columns() const { return columns_; }

  // The table as text: a header line then one line per row, columns two
  // spaces apart, no trailing spaces, fitted to `width` (see above). With
  // `color`, the header is bold and cells take their column's colour (per
  // cell with ColorBy). Without it, no escape is written at all.
  std::string Render(int width, bool color) const;

  // RFC 4180 CSV: a header line of csv names, then the rows, "\n" endings.
  std::string ToCsv() const;

 private:
  std::vector<TableColumn> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// Columns a string occupies (UTF-8 code points).
int DisplayWidth(std::string_view s);

// Appends one CSV field to *out, quoted when it holds ',', '"', CR or LF.
void AppendCsvField(std::string* out, std::string_view field);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_TABLE_H_
