// Durations and byte sizes as people write them in flags and config files.
//
//   ParseDuration("500ms") == 500 ms     units: ms, s, m, h, d; "1h30m" sums;
//   ParseDuration("0")     == 0          a bare number other than 0 is an error
//                                        (is "10" seconds or milliseconds?).
//   ParseByteSize("64MiB") == 67108864   KiB MiB GiB TiB are powers of 1024,
//   ParseByteSize("1GB")   == 1000000000 kB/KB MB GB TB powers of 1000,
//   ParseByteSize("4096")  == 4096       a bare number is bytes; "B" too.
// Amounts are non-negative integers; unit names are case-sensitive except
// that "KB" and "kB" both mean 1000 bytes.
//
// Thread-safety: pure functions.
#ifndef SONDE_UNITS_H_
#define SONDE_UNITS_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "sonde/status.h"

namespace sonde {

// Returns the duration, or InvalidArgument with a message such as
// "'10x': unknown unit 'x' (expected ms, s, m, h or d)". Overflow of
// int64 milliseconds is InvalidArgument too.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// As ParseDuration, but a bare number ("2", "1.5") is seconds, as
// ClusterStats' -t took them; at most a year of them.
Result<std::chrono::milliseconds> ParseSecondsOrDuration(std::string_view text);

// The shortest exact spelling: 1500ms -> "1500ms", 90000ms -> "90s",
// 5400000ms -> "90m", 86400000ms -> "1d", 0 -> "0s".
std::string FormatDuration(std::chrono::milliseconds d);

// Returns the size in bytes, or InvalidArgument (unknown unit, negative,
// fraction, overflow of uint64).
Result<uint64_t> ParseByteSize(std::string_view text);

// The shortest exact spelling in binary units when one fits: 65536 ->
// "64KiB", 1000000 -> "1MB", 1000 -> "1kB", 1234 -> "1234B".
std::string FormatByteSize(uint64_t bytes);

}  // namespace sonde

#endif  // SONDE_UNITS_H_
