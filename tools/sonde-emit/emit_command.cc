#include "emit_command.h"

#include <memory>
#include <string>
#include <string_view>

#include "sample_spec.h"
#include "sonde/emitter.h"
#include "sonde/units.h"
#include "sonde/wire.h"

namespace sonde::emit {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitSendFailed = 1;
constexpr int kExitUsage = 2;

// Lines from stdin are sent as they come; the queue holds this many bytes.
constexpr size_t kQueueBytes = 4 << 20;

void PrintError(std::FILE* err, std::string_view message) {
  std::fprintf(err, "sonde-emit: error: %.*s\n", static_cast<int>(message.size()), message.data());
}

// What applies to every sample: the default kind and the time.
struct Defaults {
  MetricKind kind = MetricKind::kGauge;
  int64_t time_ms = 0;
};

Status ParseDefaults(const EmitCommand& command, Defaults* defaults, Tags* tags) {
  // The timeout is also the emitter's close_timeout: checked here so that
  // the message names the flag, not the option.
  if (command.timeout < std::chrono::milliseconds(0) || command.timeout > kMaxCloseTimeout) {
    return Status::InvalidArgument("--timeout: " + FormatDuration(command.timeout) +
                                   " is out of range (" + std::string(kTimeoutRange) + ")");
  }
  if (!ParseMetricKind(command.kind, &defaults->kind)) {
    return Status::InvalidArgument("--kind '" + command.kind +
                                   "': expected gauge, counter or timing");
  }
  if (!command.time.empty()) {
    Result<int64_t> t = ParseTimestamp(command.time);
    if (!t) return t.error();
    defaults->time_ms = *t;
  }
  Result<Tags> parsed = ParseTagFlags(command.tags);
  if (!parsed) return parsed.error();
  *tags = std::move(*parsed);
  return Status::OK();
}

// Parses one "name=value[:kind]" and checks it against the wire limits, so
// that a bad sample is reported before anything is sent.
Result<Sample> ReadSample(std::string_view text, const Defaults& defaults) {
  Result<Sample> sample = ParseSampleSpec(text, defaults.kind);
  if (!sample) return sample;
  sample->timestamp_ms = defaults.time_ms;
  const SampleRef ref{sample->name, sample->value, sample->timestamp_ms, sample->kind, {}};
  std::string scratch(kMaxSampleBytes, '\0');
  size_t written = 0;
  WireError e = EncodeSample(ref, scratch.data(), scratch.size(), &written);
  if (e == WireError::kBadName) {
    return Status::InvalidArgument("sample '" + std::string(text) +
                                   "': the name must be 1-255 bytes without control characters");
  }
  if (e != WireError::kOk) {
    return Status::InvalidArgument("sample '" + std::string(text) + "': " + WireErrorName(e));
  }
  return sample;
}

// Records one sample. A full queue (a long stdin stream) is flushed and the
// sample retried once: this tool may wait, unlike an application.
Status Record(Emitter* emitter, const Sample& s, std::chrono::milliseconds timeout) {
  RecordResult r = emitter->Record(s.name, s.value, s.kind, {}, s.timestamp_ms);
  if (r == RecordResult::kDroppedQueueFull) {
    SONDE_RETURN_IF_ERROR(emitter->Flush(timeout));
    r = emitter->Record(s.name, s.value, s.kind, {}, s.timestamp_ms);
  }
  if (r == RecordResult::kDroppedInvalid) {
    return Status::InvalidArgument("sample '" + s.name + "' is too large for one message to " +
                                   emitter->endpoint());
  }
  if (r == RecordResult::kDroppedQueueFull) return Status::Unavailable("queue full");
  return Status::OK();
}

// Reads one line of any length, without its newline; false at the end.
bool ReadLine(std::FILE* in, std::string* line) {
  line->clear();
  for (int c; (c = std::fgetc(in)) != EOF;) {
    if (c == '\n') return true;
    line->push_back(static_cast<char>(c));
  }
  return !line->empty();
}

// Sends each "name=value[:kind]" token of each line; '#' starts a comment.
// Returns the number of bad tokens (each reported) or a send error.
Result<int> RecordStdin(Emitter* emitter, const Defaults& defaults,
                        std::chrono::milliseconds timeout, std::FILE* in, std::FILE* err) {
  int bad = 0;
  std::string line;
  for (int number = 1; ReadLine(in, &line); ++number) {
    std::string_view rest(line);
    rest = rest.substr(0, rest.find('#'));
    while (!rest.empty()) {
      size_t start = rest.find_first_not_of(" \t\r\n");
      if (start == std::string_view::npos) break;
      rest.remove_prefix(start);
      std::string_view token = rest.substr(0, rest.find_first_of(" \t\r\n"));
      rest.remove_prefix(token.size());
      Result<Sample> s = ReadSample(token, defaults);
      if (!s) {
        PrintError(err, "stdin line " + std::to_string(number) + ": " + s.error().message());
        ++bad;
        continue;
      }
      Status st = Record(emitter, *s, timeout);
      if (st.IsInvalidArgument()) {
        PrintError(err, "stdin line " + std::to_string(number) + ": " + st.message());
        ++bad;
      } else if (!st.ok()) {
        return st;
      }
    }
  }
  return bad;
}

int Finish(Emitter* emitter, std::chrono::milliseconds timeout, bool verbose, std::FILE* out,
           std::FILE* err) {
  Status flushed = emitter->Flush(timeout);
  const EmitterCounters c = emitter->counters();
  if (!flushed.ok()) {
    PrintError(err, flushed.message());
    return kExitSendFailed;
  }
  if (c.dropped() > 0) {
    PrintError(err, std::to_string(c.dropped()) + " of " +
                        std::to_string(c.recorded + c.dropped_invalid + c.dropped_queue_full) +
                        " samples were not sent to " + emitter->endpoint());
    return kExitSendFailed;
  }
  if (verbose) {
    std::fprintf(out, "sent %llu samples in %llu messages to %s as %s\n",
                 static_cast<unsigned long long>(c.sent_samples),
                 static_cast<unsigned long long>(c.sent_messages), emitter->endpoint().c_str(),
                 emitter->source().c_str());
  }
  return kExitOk;
}

}  // namespace

int RunEmit(const EmitCommand& command, std::FILE* in, std::FILE* out, std::FILE* err) {
  Defaults defaults;
  EmitterOptions options;
  if (Status s = ParseDefaults(command, &defaults, &options.tags); !s.ok()) {
    PrintError(err, s.message());
    return kExitUsage;
  }
  // Check every sample on the command line before sending any.
  std::vector<Sample> samples;
  for (const std::string& text : command.samples) {
    if (text == "-") continue;
    Result<Sample> s = ReadSample(text, defaults);
    if (!s) {
      PrintError(err, s.error().message());
      return kExitUsage;
    }
    samples.push_back(std::move(*s));
  }
  options.endpoint = command.to;
  options.source = command.host;
  options.queue_bytes = kQueueBytes;
  options.close_timeout = command.timeout;
  auto emitter = Emitter::Open(options);
  if (!emitter) {
    PrintError(err, emitter.error().message());
    return emitter.error().IsInvalidArgument() ? kExitUsage : kExitSendFailed;
  }
  Emitter* e = emitter->get();
  int bad = 0;
  size_t next = 0;
  for (const std::string& text : command.samples) {
    Status st;
    if (text == "-") {
      Result<int> r = RecordStdin(e, defaults, command.timeout, in, err);
      if (r) bad += *r;
      st = r.status();
    } else {
      st = Record(e, samples[next++], command.timeout);
      if (st.IsInvalidArgument()) ++bad;
    }
    if (!st.ok() && !st.IsInvalidArgument()) {
      PrintError(err, st.message());
      return kExitSendFailed;
    }
    if (st.IsInvalidArgument()) PrintError(err, st.message());
  }
  const int code = Finish(e, command.timeout, command.verbose, out, err);
  return code != kExitOk ? code : (bad > 0 ? kExitUsage : kExitOk);
}

}  // namespace sonde::emit
