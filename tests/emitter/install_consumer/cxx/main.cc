// Embeds the installed emitter: records three samples and flushes.
#include <sonde/emitter.h>

#include <cstdio>

int main(int argc, char** argv) {
  sonde::EmitterOptions options;
  if (argc > 1) options.endpoint = argv[1];
  auto emitter = sonde::Emitter::Open(options);
  if (!emitter) {
    std::fprintf(stderr, "consumer_cxx: %s\n", emitter.error().ToString().c_str());
    return 1;
  }
  (*emitter)->Gauge("cpu", 12.5, {{"service", "consumer"}});
  (*emitter)->Count("requests", 1);
  (*emitter)->Timing("latency_ms", 3.5);
  (*emitter)->Flush(std::chrono::milliseconds(500)).IgnoreError();  // Nobody may listen.
  return (*emitter)->counters().recorded == 3 ? 0 : 1;
}
