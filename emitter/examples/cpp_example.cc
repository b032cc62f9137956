// Embeds the Sonde emitter in a C++ program: a pretend request loop that
// records a counter, a timing and a gauge, then prints the emitter's counters.
//
//   cpp_example [endpoint] [seconds]      (default: udp://127.0.0.1:7700 5)
//   sonde-broker & cpp_example tcp://127.0.0.1:7701 10
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "sonde/emitter.h"

namespace {

void PrintCounters(const sonde::EmitterCounters& c) {
  std::printf(
      "recorded=%llu sent_samples=%llu sent_messages=%llu dropped_queue_full=%llu "
      "dropped_invalid=%llu dropped_send_failed=%llu send_errors=%llu\n",
      static_cast<unsigned long long>(c.recorded), static_cast<unsigned long long>(c.sent_samples),
      static_cast<unsigned long long>(c.sent_messages),
      static_cast<unsigned long long>(c.dropped_queue_full),
      static_cast<unsigned long long>(c.dropped_invalid),
      static_cast<unsigned long long>(c.dropped_send_failed),
      static_cast<unsigned long long>(c.send_errors));
}

}  // namespace

int main(int argc, char** argv) {
  sonde::EmitterOptions options;
  if (argc > 1) options.endpoint = argv[1];
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 5;
  options.tags = {{"service", "example"}, {"lang", "cpp"}};  // Sent once per batch.

  auto opened = sonde::Emitter::Open(options);
  if (!opened) {
    std::fprintf(stderr, "cpp_example: %s\n", opened.error().ToString().c_str());
    return 2;
  }
  std::unique_ptr<sonde::Emitter> emitter = std::move(*opened);
  std::printf("sending to %s as %s for %d s\n", emitter->endpoint().c_str(),
              emitter->source().c_str(), seconds);

  std::mt19937 rng(42);
  std::lognormal_distribution<double> latency_ms(2.0, 0.5);
  std::uniform_int_distribution<int> depth(0, 50);
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < end) {
    // Ten "requests" every 100 ms. Recording never blocks: if the broker is
    // down, samples are dropped and counted, and the loop keeps its pace.
    for (int i = 0; i < 10; ++i) {
      const char* route = i % 3 == 0 ? "/login" : "/search";
      emitter->Count("requests", 1, {{"route", route}});
      emitter->Timing("latency_ms", latency_ms(rng), {{"route", route}});
    }
    emitter->Gauge("queue_depth", depth(rng));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  sonde::Status flushed = emitter->Flush(std::chrono::seconds(2));
  PrintCounters(emitter->counters());
  if (!flushed.ok()) {
    std::fprintf(stderr, "cpp_example: %s\n", flushed.ToString().c_str());
    return 1;
  }
  return 0;
}
