#include "sonde/sched.h"

#include <pthread.h>
#include <sched.h>
#include <spdlog/logger.h>
#include <zmq.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace sonde {

namespace {

Status SetPolicy(int policy, int priority, const char* what) {
  sched_param param{};
  param.sched_priority = priority;
  const int rc = pthread_setschedparam(pthread_self(), policy, &param);
  if (rc == 0) return Status::OK();
  return Status::IOError(std::string(what) + ": " + std::strerror(rc));
}

std::string Outcome(const Status& s) { return s.ok() ? "ok" : "\"" + s.ToString() + "\""; }

}  // namespace

Status UseBatchScheduling(ThreadPolicy* previous) {
  ThreadPolicy now;
  sched_param param{};
  const int rc = pthread_getschedparam(pthread_self(), &now.policy, &param);
  if (rc != 0) return Status::IOError(std::string("pthread_getschedparam: ") + std::strerror(rc));
  now.priority = param.sched_priority;
  if (now.policy == SCHED_FIFO || now.policy == SCHED_RR) {
    return Status::Unavailable("thread is real-time (SCHED_FIFO/SCHED_RR); left as it is");
  }
  SONDE_RETURN_IF_ERROR(SetPolicy(SCHED_BATCH, 0, "SCHED_BATCH"));
  if (previous != nullptr) *previous = now;
  return Status::OK();
}

Status RestoreScheduling(const ThreadPolicy& policy) {
  return SetPolicy(policy.policy, policy.priority, "restoring scheduling policy");
}

Status UseBatchSchedulingForZmq(void* context) {
  ThreadPolicy previous;
  SONDE_RETURN_IF_ERROR(UseBatchScheduling(&previous));
  SONDE_RETURN_IF_ERROR(RestoreScheduling(previous));
  if (zmq_ctx_set(context, ZMQ_THREAD_SCHED_POLICY, SCHED_BATCH) != 0) {
    return Status::IOError(std::string("ZMQ_THREAD_SCHED_POLICY: ") + zmq_strerror(errno));
  }
  return Status::OK();
}

void LogScheduling(spdlog::logger* log, bool enabled, const Status& loop, const Status& zmq_io) {
  if (!enabled) {
    log->info("event=scheduling policy=default");
  } else if (loop.ok() && zmq_io.ok()) {
    log->info("event=scheduling policy=batch loop=ok zmq_io=ok");
  } else {
    log->warn("event=scheduling policy=batch loop={} zmq_io={}", Outcome(loop), Outcome(zmq_io));
  }
}

}  // namespace sonde
