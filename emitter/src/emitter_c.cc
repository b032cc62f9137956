// The C API: converts C arguments to the C++ emitter's, and every Status or
// exception to a SONDE_E* code, so that nothing C++ crosses the boundary.
#include "sonde/emitter_c.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <string_view>

#include "sonde/emitter.h"
#include "sonde/wire.h"
#include "wire_limits.h"

struct sonde_emitter_s {
  std::unique_ptr<sonde::Emitter> emitter;
};

namespace {

// sonde_emitter_last_error()'s text: a pointer, so that record calls can set
// it to static or thread-local text without touching the string, which holds
// the messages with detail (open, flush) and allocates only when one is set.
thread_local const char* t_last_error = "";
thread_local std::string t_last_error_detail;

// Makes `code` this thread's last error, described by sonde_strerror().
int Fail(int code) noexcept {
  t_last_error = sonde_strerror(code);
  return code;
}

// Makes `code` this thread's last error, described by `message`.
int Fail(int code, std::string_view message) noexcept {
  try {
    t_last_error_detail = message;
    t_last_error = t_last_error_detail.c_str();
  } catch (const std::bad_alloc&) {
    t_last_error = sonde_strerror(code);  // The code alone is better than nothing.
  }
  return code;
}

// Makes SONDE_EBADSAMPLE this thread's last error, naming the limit the
// sample broke ("sample rejected: duplicate_tag"). The text is put together
// in a thread-local buffer from WireErrorName()'s static name, so that a
// record call never allocates.
int FailInvalid(sonde::WireError reason) noexcept {
  constexpr std::string_view kPrefix = "sample rejected: ";
  thread_local char text[64];
  const std::string_view name = sonde::WireErrorName(reason);
  const size_t n = std::min(name.size(), sizeof(text) - kPrefix.size() - 1);
  std::memcpy(text, kPrefix.data(), kPrefix.size());
  std::memcpy(text + kPrefix.size(), name.data(), n);
  text[kPrefix.size() + n] = '\0';
  t_last_error = text;
  return SONDE_EBADSAMPLE;
}

// Which limit a sample that Record() or RecordFor() dropped as invalid
// broke: they return only that they dropped it (the count by reason is in
// counters(), shared by all threads), so this rare path asks the codec
// again, in the emitter's order: RecordFor()'s source and batch tags, then
// the sample. A sample the codec accepts was too large for the batch size.
sonde::WireError InvalidReason(const sonde::SourceRef* source,
                               const sonde::SampleRef& sample) noexcept {
  namespace wi = sonde::wire_internal;
  if (source != nullptr) {
    const sonde::WireError e = wi::CheckEnvelope(source->source, source->tags.span());
    if (e != sonde::WireError::kOk) return e;
  }
  char buf[sonde::kMaxSampleBytes];
  size_t written = 0;
  const sonde::WireError e = sonde::EncodeSample(sample, buf, sizeof(buf), &written);
  return e != sonde::WireError::kOk ? e : sonde::WireError::kOversized;
}

int ToCode(const sonde::Status& s) {
  using Code = sonde::Status::Code;
  switch (s.code()) {
    case Code::kOk:
      return 0;
    case Code::kInvalidArgument:
      return SONDE_EINVAL;
    case Code::kNotFound:
      return SONDE_ENOTFOUND;
    case Code::kIOError:
      return SONDE_EIO;
    case Code::kUnavailable:
      return SONDE_EUNAVAIL;
    case Code::kResourceExhausted:
      return SONDE_ENOMEM;
    case Code::kCorruption:
      return SONDE_EINTERNAL;
  }
  return SONDE_EINTERNAL;
}

int ToCode(sonde::RecordResult r) {
  switch (r) {
    case sonde::RecordResult::kQueued:
      return 0;
    case sonde::RecordResult::kDroppedQueueFull:
      return SONDE_EQUEUEFULL;
    case sonde::RecordResult::kDroppedInvalid:
      return SONDE_EBADSAMPLE;
  }
  return SONDE_EINTERNAL;
}

bool ValidKind(sonde_kind_t kind) {
  return kind == SONDE_GAUGE || kind == SONDE_COUNTER || kind == SONDE_TIMING;
}

// Borrowed views of a C tag array, on the stack.
class TagViews {
 public:
  // False for a NULL array with ntags > 0 or a NULL key or value.
  bool Fill(const sonde_tag_t* tags, size_t ntags) {
    if (ntags > 0 && tags == nullptr) return false;
    // One more slot than the limit, so that too many tags reach the encoder
    // and are counted as too_many_tags like any other invalid sample.
    n_ = ntags < std::size(views_) ? ntags : std::size(views_);
    for (size_t i = 0; i < n_; ++i) {
      if (tags[i].key == nullptr || tags[i].value == nullptr) return false;
      views_[i] = {tags[i].key, tags[i].value};
    }
    return true;
  }
  std::span<const sonde::TagView> span() const { return {views_, n_}; }

 private:
  sonde::TagView views_[sonde::kMaxTagsPerLevel + 1];
  size_t n_ = 0;
};

// Throws std::bad_alloc only; the caller catches.
int ToOptions(const sonde_emitter_options_t& in, sonde::EmitterOptions* out) {
  if (in.endpoint != nullptr) out->endpoint = in.endpoint;
  if (in.source != nullptr) out->source = in.source;
  if (in.ntags > 0 && in.tags == nullptr) {
    return Fail(SONDE_EINVAL, "options: tags is NULL but ntags is " + std::to_string(in.ntags));
  }
  for (size_t i = 0; i < in.ntags; ++i) {
    if (in.tags[i].key == nullptr || in.tags[i].value == nullptr) {
      return Fail(SONDE_EINVAL, "options: tags[" + std::to_string(i) + "] has a NULL key or value");
    }
    out->tags.push_back({in.tags[i].key, in.tags[i].value});
  }
  out->flush_interval = std::chrono::milliseconds(in.flush_interval_ms);
  out->max_batch_bytes = in.max_batch_bytes;
  out->queue_bytes = in.queue_bytes;
  out->close_timeout = std::chrono::milliseconds(in.close_timeout_ms);
  out->zmq_send_hwm = in.zmq_send_hwm;
  return 0;
}

}  // namespace

extern "C" {

const char* sonde_emitter_last_error(void) { return t_last_error; }

const char* sonde_strerror(int code) {
  switch (code) {
    case 0:
      return "success";
    case SONDE_EINVAL:
      return "invalid argument";
    case SONDE_EBADSAMPLE:
      return "sample breaks a wire format limit";
    case SONDE_EQUEUEFULL:
      return "queue full, sample dropped";
    case SONDE_EUNAVAIL:
      return "could not send in time: peer down or slow";
    case SONDE_ENOTFOUND:
      return "host name does not resolve";
    case SONDE_EIO:
      return "operating system error";
    case SONDE_ENOMEM:
      return "out of memory or threads";
    case SONDE_EINTERNAL:
      return "internal error";
    default:
      return "unknown error";
  }
}

void sonde_emitter_options_init(sonde_emitter_options_t* options) {
  if (options == nullptr) return;
  // The C++ defaults (sonde/emitter.h), without building an EmitterOptions,
  // which allocates and so could throw. tests/emitter checks they agree.
  std::memset(options, 0, sizeof(*options));
  options->endpoint = "udp://127.0.0.1:7700";
  options->flush_interval_ms = 1000;
  options->max_batch_bytes = 0;
  options->queue_bytes = size_t{1} << 20;
  options->close_timeout_ms = 1000;
  options->zmq_send_hwm = 1000;
}

int sonde_emitter_open(const sonde_emitter_options_t* options, sonde_emitter_t** out) {
  if (out == nullptr) return Fail(SONDE_EINVAL, "sonde_emitter_open: out is NULL");
  *out = nullptr;
  if (options == nullptr) return Fail(SONDE_EINVAL, "sonde_emitter_open: options is NULL");
  try {
    sonde::EmitterOptions cpp_options;
    if (int rc = ToOptions(*options, &cpp_options); rc != 0) return rc;
    auto emitter = sonde::Emitter::Open(cpp_options);
    if (!emitter) return Fail(ToCode(emitter.error()), emitter.error().message());
    *out = new sonde_emitter_s{std::move(*emitter)};
    return 0;
  } catch (const std::bad_alloc&) {
    return Fail(SONDE_ENOMEM);
  } catch (...) {
    return Fail(SONDE_EINTERNAL);
  }
}

int sonde_emitter_record(sonde_emitter_t* e, const char* name, double value, sonde_kind_t kind,
                         int64_t timestamp_ms, const sonde_tag_t* tags, size_t ntags) {
  if (e == nullptr || name == nullptr || !ValidKind(kind)) return Fail(SONDE_EINVAL);
  TagViews views;
  if (!views.Fill(tags, ntags)) return Fail(SONDE_EINVAL);
  const auto cpp_kind = static_cast<sonde::MetricKind>(kind);
  const int rc = ToCode(e->emitter->Record(name, value, cpp_kind, views.span(), timestamp_ms));
  if (rc == SONDE_EBADSAMPLE) {
    return FailInvalid(InvalidReason(nullptr, {name, value, timestamp_ms, cpp_kind, views.span()}));
  }
  return rc < 0 ? Fail(rc) : rc;
}

int sonde_emitter_record_for(sonde_emitter_t* e, const char* source, const sonde_tag_t* batch_tags,
                             size_t nbatch_tags, const char* name, double value, sonde_kind_t kind,
                             int64_t timestamp_ms, const sonde_tag_t* tags, size_t ntags) {
  if (e == nullptr || source == nullptr || name == nullptr || !ValidKind(kind)) {
    return Fail(SONDE_EINVAL);
  }
  TagViews batch_views;
  TagViews views;
  if (!batch_views.Fill(batch_tags, nbatch_tags) || !views.Fill(tags, ntags)) {
    return Fail(SONDE_EINVAL);
  }
  const sonde::SourceRef source_ref{source, batch_views.span()};
  const auto cpp_kind = static_cast<sonde::MetricKind>(kind);
  const int rc = ToCode(
      e->emitter->RecordFor(source_ref, name, value, cpp_kind, views.span(), timestamp_ms));
  if (rc == SONDE_EBADSAMPLE) {
    return FailInvalid(
        InvalidReason(&source_ref, {name, value, timestamp_ms, cpp_kind, views.span()}));
  }
  return rc < 0 ? Fail(rc) : rc;
}

int sonde_emitter_gauge(sonde_emitter_t* e, const char* name, double value, const sonde_tag_t* tags,
                        size_t ntags) {
  return sonde_emitter_record(e, name, value, SONDE_GAUGE, 0, tags, ntags);
}

int sonde_emitter_count(sonde_emitter_t* e, const char* name, double increment,
                        const sonde_tag_t* tags, size_t ntags) {
  return sonde_emitter_record(e, name, increment, SONDE_COUNTER, 0, tags, ntags);
}

int sonde_emitter_timing(sonde_emitter_t* e, const char* name, double milliseconds,
                         const sonde_tag_t* tags, size_t ntags) {
  return sonde_emitter_record(e, name, milliseconds, SONDE_TIMING, 0, tags, ntags);
}

int sonde_emitter_flush(sonde_emitter_t* e, uint32_t timeout_ms) {
  if (e == nullptr) return Fail(SONDE_EINVAL, "sonde_emitter_flush: the emitter is NULL");
  try {
    const sonde::Status s = e->emitter->Flush(std::chrono::milliseconds(timeout_ms));
    return s.ok() ? 0 : Fail(ToCode(s), s.message());
  } catch (const std::bad_alloc&) {
    return Fail(SONDE_ENOMEM);
  } catch (...) {
    return Fail(SONDE_EINTERNAL);
  }
}

int sonde_emitter_counters(const sonde_emitter_t* e, sonde_emitter_counters_t* out) {
  if (e == nullptr || out == nullptr) {
    return Fail(SONDE_EINVAL, "sonde_emitter_counters: the emitter or out is NULL");
  }
  const sonde::EmitterCounters c = e->emitter->counters();
  out->recorded = c.recorded;
  out->dropped_queue_full = c.dropped_queue_full;
  out->dropped_invalid = c.dropped_invalid;
  out->sent_samples = c.sent_samples;
  out->sent_messages = c.sent_messages;
  out->dropped_send_failed = c.dropped_send_failed;
  out->send_errors = c.send_errors;
  out->last_send_errno = c.last_send_errno;
  return 0;
}

void sonde_emitter_close(sonde_emitter_t* e) {
  // The destructor joins the sender thread; nothing in it throws.
  delete e;
}

}  // extern "C"
