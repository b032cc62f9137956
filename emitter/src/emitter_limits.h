// Ranges and sizes of the embeddable emitter (private to sonde_emitter).
#ifndef SONDE_EMITTER_SRC_EMITTER_LIMITS_H_
#define SONDE_EMITTER_SRC_EMITTER_LIMITS_H_

#include <chrono>
#include <cstddef>

#include "sonde/emitter.h"
#include "sonde/endpoint.h"
#include "sonde/wire.h"

namespace sonde {

// EmitterOptions ranges (see the field comments in sonde/emitter.h).
inline constexpr std::chrono::milliseconds kMinFlushInterval{1};
inline constexpr std::chrono::milliseconds kMaxFlushInterval = std::chrono::hours(1);
inline constexpr size_t kMinBatchBytes = 256;
// The largest UDP payload in one IPv4 datagram: 65,535 - 20 (IP) - 8 (UDP).
inline constexpr size_t kMaxUdpMessageBytes = 65507;
inline constexpr size_t kMinQueueBytes = 64 * 1024;
inline constexpr size_t kMaxQueueBytes = size_t{1} << 30;
// kMaxCloseTimeout is public, in sonde/emitter.h.
inline constexpr int kMaxZmqSendHwm = 1000000;

// The messages' size limit for these options on this transport: the
// option, or 1,400 bytes for UDP and 64 KiB for ZeroMQ.
size_t EffectiveMaxBatchBytes(const EmitterOptions& options, Transport transport);

}  // namespace sonde

#endif  // SONDE_EMITTER_SRC_EMITTER_LIMITS_H_
