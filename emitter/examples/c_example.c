// Uses the Sonde emitter from C (sonde/emitter_c.h): a pretend request loop
// that records a counter, a timing and a gauge, then prints the counters.
//
//   c_example [endpoint] [seconds]      (default: udp://127.0.0.1:7700 5)
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sonde/emitter_c.h"

static double NowSeconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  sonde_emitter_options_t options;
  sonde_emitter_options_init(&options);
  if (argc > 1) options.endpoint = argv[1];
  const int seconds = argc > 2 ? atoi(argv[2]) : 5;
  const sonde_tag_t batch_tags[] = {{"service", "example"}, {"lang", "c"}};
  options.tags = batch_tags;  // Copied by sonde_emitter_open().
  options.ntags = 2;

  sonde_emitter_t* emitter = NULL;
  int rc = sonde_emitter_open(&options, &emitter);
  if (rc < 0) {
    // sonde_strerror() names the kind of failure; sonde_emitter_last_error()
    // says exactly what, e.g. "missing ':port' after the host".
    fprintf(stderr, "c_example: opening %s: %s: %s\n", options.endpoint, sonde_strerror(rc),
            sonde_emitter_last_error());
    return 2;
  }
  printf("sending to %s for %d s\n", options.endpoint, seconds);

  const double end = NowSeconds() + seconds;
  unsigned seed = 42;
  while (NowSeconds() < end) {
    for (int i = 0; i < 10; ++i) {
      const sonde_tag_t route[] = {{"route", i % 3 == 0 ? "/login" : "/search"}};
      // Never blocks; a dropped sample shows up in the counters.
      sonde_emitter_count(emitter, "requests", 1, route, 1);
      sonde_emitter_timing(emitter, "latency_ms", 5.0 + (double)(rand_r(&seed) % 1000) / 100.0,
                           route, 1);
    }
    sonde_emitter_gauge(emitter, "queue_depth", (double)(rand_r(&seed) % 50), NULL, 0);
    const struct timespec pause = {0, 100 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }

  rc = sonde_emitter_flush(emitter, 2000);
  sonde_emitter_counters_t c;
  sonde_emitter_counters(emitter, &c);
  printf(
      "recorded=%llu sent_samples=%llu sent_messages=%llu dropped_queue_full=%llu "
      "dropped_invalid=%llu dropped_send_failed=%llu send_errors=%llu\n",
      (unsigned long long)c.recorded, (unsigned long long)c.sent_samples,
      (unsigned long long)c.sent_messages, (unsigned long long)c.dropped_queue_full,
      (unsigned long long)c.dropped_invalid, (unsigned long long)c.dropped_send_failed,
      (unsigned long long)c.send_errors);
  sonde_emitter_close(emitter);
  if (rc < 0) {
    // Still the flush's: the calls since then succeeded.
    fprintf(stderr, "c_example: flush: %s\n", sonde_emitter_last_error());
    return 1;
  }
  return 0;
}
