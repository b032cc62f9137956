// The Sonde emitter for C (and for other languages through a C FFI): a thin
// layer over the C++ emitter in sonde/emitter.h, with the same behaviour.
//
//   sonde_emitter_options_t options;
//   sonde_emitter_options_init(&options);
//   options.endpoint = "udp://127.0.0.1:7700";
//   sonde_emitter_t* e = NULL;
//   int rc = sonde_emitter_open(&options, &e);
//   if (rc < 0) {
//     fprintf(stderr, "sonde: %s: %s\n", sonde_strerror(rc), sonde_emitter_last_error());
//     return;
//   }
//   sonde_tag_t tags[] = {{"service", "auth"}};
//   sonde_emitter_gauge(e, "cpu", 12.5, tags, 1);
//   sonde_emitter_close(e);
//
// Functions return 0 on success or a negative SONDE_E* code; no C++
// exception crosses this API. sonde_emitter_last_error() then says what
// exactly failed. Strings are NUL-terminated UTF-8 and are only borrowed for
// the duration of the call.
//
// Thread-safety: an emitter may be used from any number of threads at once,
// except sonde_emitter_close(), which must be the last call on it.
#ifndef SONDE_EMITTER_C_H_
#define SONDE_EMITTER_C_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Error codes: always negative.
#define SONDE_EINVAL (-1)      // An argument or option is invalid (NULL, malformed endpoint, ...).
#define SONDE_EBADSAMPLE (-2)  // The sample breaks a wire limit; dropped and counted.
#define SONDE_EQUEUEFULL (-3)  // The queue is full; the sample was dropped and counted.
#define SONDE_EUNAVAIL (-4)    // Samples could not be sent in time (peer down or slow).
#define SONDE_ENOTFOUND (-5)   // The endpoint's host name does not resolve.
#define SONDE_EIO (-6)         // The operating system refused (socket creation).
#define SONDE_ENOMEM (-7)      // Out of memory or threads.
#define SONDE_EINTERNAL (-8)   // An unexpected internal error.

// A short description of a code ("invalid argument", ...); never NULL.
const char* sonde_strerror(int code);

// What the latest sonde_* call that failed on the calling thread said, with
// the detail that a code cannot carry, e.g. "endpoint 'udp://127.0.0.1':
// missing ':port' after the host; ..." or "close_timeout: 120000 ms is out of
// range (0 to 60 s)". Record calls, which must stay cheap, set it to
// sonde_strerror()'s text, or for SONDE_EBADSAMPLE to "sample rejected: "
// and the wire limit broken (docs/wire-format.md), e.g. "sample rejected:
// duplicate_tag". Like errno: every call that returns a negative code sets
// it, successful calls leave it alone, and calls on other threads never touch
// it, so read it right after the call that failed. Never NULL; "" before any
// failure on this thread. The string belongs to the library and stays valid
// until the next failing sonde_* call on this thread.
const char* sonde_emitter_last_error(void);

typedef enum sonde_kind_e {
  SONDE_GAUGE = 0,    // A level: cpu %, queue depth.
  SONDE_COUNTER = 1,  // An increment since the last sample.
  SONDE_TIMING = 2,   // One observation of a distribution (e.g. latency in ms).
} sonde_kind_t;

typedef struct sonde_tag_s {
  const char* key;
  const char* value;
} sonde_tag_t;

// A value out of its range below makes sonde_emitter_open() return
// SONDE_EINVAL, and sonde_emitter_last_error() name the field and the range.
typedef struct sonde_emitter_options_s {
  // udp://host:port, tcp://host:port or ipc://path. Default: "udp://127.0.0.1:7700".
  const char* endpoint;
  // The batch source (host name). Default: NULL, meaning gethostname().
  const char* source;
  // Tags sent with every batch, each key once; copied by sonde_emitter_open().
  // At most 32. A sample's own tag with the same key overrides one of these.
  // Default: none.
  const sonde_tag_t* tags;
  size_t ntags;
  // The longest a sample waits before it is sent, in ms: 1 to 3,600,000
  // (1 h). Default: 1000.
  uint32_t flush_interval_ms;
  // The largest message, in bytes: 0, or 256 to 65,507 (UDP) or 65,536
  // (ZeroMQ). Default: 0, meaning 1,400 (UDP) or 65,536 (ZeroMQ).
  size_t max_batch_bytes;
  // Bytes of encoded samples held while waiting to be sent, 64 KiB to 1 GiB. Default: 1 MiB.
  size_t queue_bytes;
  // The longest sonde_emitter_close() waits to send what is queued, in ms:
  // 0 to 60,000 (60 s). Default: 1000.
  uint32_t close_timeout_ms;
  // ZeroMQ only: ZMQ_SNDHWM, in messages: 1 to 1,000,000. Default: 1000.
  int zmq_send_hwm;
} sonde_emitter_options_t;

// Fills *options with the defaults above.
void sonde_emitter_options_init(sonde_emitter_options_t* options);

typedef struct sonde_emitter_s sonde_emitter_t;

// Opens an emitter and starts its sender thread. On success returns 0 and
// sets *out, which the caller releases with sonde_emitter_close(). On error
// returns SONDE_EINVAL (a bad option: see sonde_emitter_last_error()),
// SONDE_ENOTFOUND (a udp:// host name does not resolve, or a tcp:// one has
// no address; other tcp:// lookup failures are retried by ZeroMQ), SONDE_EIO
// or SONDE_ENOMEM and leaves *out NULL.
int sonde_emitter_open(const sonde_emitter_options_t* options, sonde_emitter_t** out);

// Records one sample; never blocks. timestamp_ms is milliseconds since the
// Unix epoch, 0 for now. Returns 0 when queued, SONDE_EBADSAMPLE or
// SONDE_EQUEUEFULL when dropped (and counted), SONDE_EINVAL for NULL
// arguments or an unknown kind.
int sonde_emitter_record(sonde_emitter_t* e, const char* name, double value, sonde_kind_t kind,
                         int64_t timestamp_ms, const sonde_tag_t* tags, size_t ntags);
// Records one sample for another source (a polled target, a proxied
// client) with that source's batch tags: the C form of Emitter::RecordFor().
// Returns what sonde_emitter_record() returns; a bad source or batch tag is
// SONDE_EBADSAMPLE.
int sonde_emitter_record_for(sonde_emitter_t* e, const char* source, const sonde_tag_t* batch_tags,
                             size_t nbatch_tags, const char* name, double value, sonde_kind_t kind,
                             int64_t timestamp_ms, const sonde_tag_t* tags, size_t ntags);
int sonde_emitter_gauge(sonde_emitter_t* e, const char* name, double value, const sonde_tag_t* tags,
                        size_t ntags);
int sonde_emitter_count(sonde_emitter_t* e, const char* name, double increment,
                        const sonde_tag_t* tags, size_t ntags);
int sonde_emitter_timing(sonde_emitter_t* e, const char* name, double milliseconds,
                         const sonde_tag_t* tags, size_t ntags);

// Sends everything recorded so far, waiting at most timeout_ms. Returns 0
// when all of it was sent, SONDE_EUNAVAIL when some could not be (see
// sonde_emitter_counters()).
int sonde_emitter_flush(sonde_emitter_t* e, uint32_t timeout_ms);

typedef struct sonde_emitter_counters_s {
  uint64_t recorded;             // Accepted into the queue.
  uint64_t dropped_queue_full;   // Dropped: the queue was full.
  uint64_t dropped_invalid;      // Dropped: the sample broke a wire limit.
  uint64_t sent_samples;         // Handed to the kernel or to ZeroMQ.
  uint64_t sent_messages;        // Batches sent.
  uint64_t dropped_send_failed;  // Samples in messages that could not be sent.
  uint64_t send_errors;          // Failed sends and refusals reported by the kernel.
  int last_send_errno;           // errno of the latest send error, or 0.
} sonde_emitter_counters_t;

// Copies the emitter's counters into *out. Returns 0, or SONDE_EINVAL.
int sonde_emitter_counters(const sonde_emitter_t* e, sonde_emitter_counters_t* out);

// Sends what is queued (for at most close_timeout_ms), stops the sender
// thread and frees the emitter. NULL is ignored.
void sonde_emitter_close(sonde_emitter_t* e);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // SONDE_EMITTER_C_H_
