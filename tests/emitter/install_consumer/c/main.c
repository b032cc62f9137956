// Uses the installed emitter from C: records three samples and flushes.
#include <sonde/emitter_c.h>
#include <stdio.h>

int main(int argc, char** argv) {
  sonde_emitter_options_t options;
  sonde_emitter_options_init(&options);
  if (argc > 1) options.endpoint = argv[1];
  sonde_emitter_t* e = NULL;
  int rc = sonde_emitter_open(&options, &e);
  if (rc < 0) {
    fprintf(stderr, "consumer_c: %s\n", sonde_strerror(rc));
    return 1;
  }
  const sonde_tag_t tags[] = {{"service", "consumer"}};
  sonde_emitter_gauge(e, "cpu", 12.5, tags, 1);
  sonde_emitter_count(e, "requests", 1, NULL, 0);
  sonde_emitter_timing(e, "latency_ms", 3.5, NULL, 0);
  sonde_emitter_flush(e, 500);  // Nobody may listen; the result does not matter here.
  sonde_emitter_counters_t c;
  sonde_emitter_counters(e, &c);
  sonde_emitter_close(e);
  return c.recorded == 3 ? 0 : 1;
}
