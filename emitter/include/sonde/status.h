// Status and Result<T>: how every Sonde library reports failure.
//
// No exception leaves a Sonde library. Functions that can fail return a
// Status (or a Result<T> carrying either a value or a non-OK Status). An OK
// Status carries no message and costs no allocation. The one exception to
// the rule is a caller's bug, not a failure: see "Misuse" at Result below.
//
// Result<T> uses std::expected's member names (has_value, value, error,
// value_or) so that it can become an alias once we build with C++23.
//
// Thread-safety: a Status or Result is a value; distinct objects may be used
// from distinct threads without synchronization.
#ifndef SONDE_STATUS_H_
#define SONDE_STATUS_H_

#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sonde {

class [[nodiscard]] Status {
 public:
  enum class Code : uint8_t {
    kOk = 0,
    kInvalidArgument,    // The caller passed something malformed.
    kCorruption,         // Stored or received data is damaged.
    kNotFound,           // The thing asked for does not exist.
    kIOError,            // The operating system refused (disk, socket).
    kUnavailable,        // A peer or resource is down; retrying may help.
    kResourceExhausted,  // A configured limit or the disk is full.
  };

  Status() = default;  // OK.

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string_view msg) { return {Code::kInvalidArgument, msg}; }
  static Status Corruption(std::string_view msg) { return {Code::kCorruption, msg}; }
  static Status NotFound(std::string_view msg) { return {Code::kNotFound, msg}; }
  static Status IOError(std::string_view msg) { return {Code::kIOError, msg}; }
  static Status Unavailable(std::string_view msg) { return {Code::kUnavailable, msg}; }
  static Status ResourceExhausted(std::string_view msg) { return {Code::kResourceExhausted, msg}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsIOError() const { return code_ == Code::kIOError; }
  bool IsUnavailable() const { return code_ == Code::kUnavailable; }
  bool IsResourceExhausted() const { return code_ == Code::kResourceExhausted; }

  // Returns "OK" or "<code name>: <message>".
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context`, e.g.
  // s.WithContext("opening /var/lib/sonde").
  Status WithContext(std::string_view context) const;

  // Marks a deliberately ignored error, so that grep finds every such place.
  void IgnoreError() const {}

 private:
  Status(Code code, std::string_view msg) : code_(code), message_(msg) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// Name of a code: "OK", "InvalidArgument", ...
const char* StatusCodeName(Status::Code code);

// Result<T>: a T or the Status saying why there is none.
// REQUIRES: a Result is never constructed from an OK Status.
//
// Misuse: value(), operator* and operator-> on a Result that holds an error,
// or error() on one that holds a value, are bugs in the caller; check
// has_value() (or use value_or() or status()) first. Debug builds (NDEBUG
// not defined) then abort with an assertion that names the call, so the bug
// shows where it is. Release builds throw std::bad_variant_access, as
// std::expected::value() throws bad_expected_access: defined, but never to
// be relied on.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design.
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design.
    assert(!std::get<Status>(v_).ok());
  }

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  // REQUIRES: has_value().
  T& value() & {
    assert(has_value() && "Result::value() REQUIRES has_value(): it holds an error");
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(has_value() && "Result::value() REQUIRES has_value(): it holds an error");
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(has_value() && "Result::value() REQUIRES has_value(): it holds an error");
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

  // REQUIRES: !has_value().
  const Status& error() const {
    assert(!has_value() && "Result::error() REQUIRES !has_value(): it holds a value");
    return std::get<1>(v_);
  }

  // OK when there is a value, else the error.
  Status status() const { return has_value() ? Status::OK() : error(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace sonde

// Returns the Status of `expr` from the enclosing function when it is not OK.
#define SONDE_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::sonde::Status sonde_status_ = (expr);        \
    if (!sonde_status_.ok()) return sonde_status_; \
  } while (0)

#endif  // SONDE_STATUS_H_
