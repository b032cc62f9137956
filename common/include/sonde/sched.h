// Thread scheduling for services whose threads hand work to each other.
//
// Why: the broker's loop thread wakes ZeroMQ's I/O thread (an eventfd write)
// for every publication. Under SCHED_OTHER the woken thread preempts the
// waker at once when they share a core, so each publication costs two
// context switches and leaves alone on the wire. SCHED_BATCH turns off
// wake-up preemption: the loop finishes its burst, then the I/O thread
// sends everything queued at once (docs/broker.md, "Performance").
//
// Thread-safety: every function acts on the calling thread (or on a ZeroMQ
// context before its first socket) and may be called from any thread.
#ifndef SONDE_SCHED_H_
#define SONDE_SCHED_H_

#include "sonde/status.h"

namespace spdlog {
class logger;
}

namespace sonde {

// A thread's scheduling policy and static priority, to put back later.
struct ThreadPolicy {
  int policy = 0;  // SCHED_OTHER
  int priority = 0;
};

// Moves the calling thread to SCHED_BATCH (static priority 0). On OK,
// *previous (may be null) holds what the thread had. Returns Unavailable,
// changing nothing, when the thread is real-time (SCHED_FIFO/SCHED_RR: an
// operator chose that), IOError naming errno when the kernel refuses.
Status UseBatchScheduling(ThreadPolicy* previous);

// Puts the calling thread back on `policy`. Returns IOError when refused.
Status RestoreScheduling(const ThreadPolicy& policy);

// Makes ZeroMQ start the I/O (and reaper) threads of `context` (a
// zmq_ctx_new() handle) on SCHED_BATCH, through ZMQ_THREAD_SCHED_POLICY.
// libzmq 4.3 aborts the process when one of its threads cannot apply that
// policy (posix_assert in thread.cpp), and the threads inherit the
// priority of the thread that creates them; so this first proves on the
// calling thread that the kernel grants SCHED_BATCH (and puts that thread
// back), and sets nothing when it does not: returns UseBatchScheduling's
// error then. ZMQ_THREAD_PRIORITY is left alone: with a non-real-time
// policy libzmq would call nice(-20) and abort when that is refused.
// REQUIRES: called before the context's first socket, on the thread that
// creates that socket.
Status UseBatchSchedulingForZmq(void* context);

// Logs the start-up line `event=scheduling policy=... loop=... zmq_io=...`
// (info when both are OK, warn otherwise: the service runs either way).
void LogScheduling(spdlog::logger* log, bool enabled, const Status& loop, const Status& zmq_io);

}  // namespace sonde

#endif  // SONDE_SCHED_H_
