#include "sonde/sched.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <zmq.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "testutil/testutil.h"

namespace sonde {
namespace {

// The thread ids of this process whose name starts with `prefix`.
std::vector<pid_t> ThreadsNamed(const std::string& prefix) {
  std::vector<pid_t> tids;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return tids;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    std::ifstream comm(std::string("/proc/self/task/") + entry->d_name + "/comm");
    std::string name;
    std::getline(comm, name);
    if (name.rfind(prefix, 0) == 0) tids.push_back(std::atoi(entry->d_name));
  }
  closedir(dir);
  return tids;
}

// Runs `body` on a fresh thread, so that policy changes die with it.
template <typename Fn>
void OnFreshThread(Fn body) {
  std::thread t(body);
  t.join();
}

TEST(Sched, BatchThenRestore) {
  OnFreshThread([] {
    ThreadPolicy previous{.policy = -1, .priority = -1};
    Status s = UseBatchScheduling(&previous);
    if (s.IsIOError()) GTEST_SKIP() << "kernel refuses SCHED_BATCH here: " << s.ToString();
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(sched_getscheduler(0), SCHED_BATCH);
    EXPECT_EQ(previous.policy, SCHED_OTHER);
    EXPECT_EQ(previous.priority, 0);
    ASSERT_TRUE(RestoreScheduling(previous).ok());
    EXPECT_EQ(sched_getscheduler(0), SCHED_OTHER);
  });
}

TEST(Sched, LeavesRealTimeThreadsAlone) {
  OnFreshThread([] {
    sched_param param{};
    param.sched_priority = 1;
    if (sched_setscheduler(0, SCHED_FIFO, &param) != 0) {
      GTEST_SKIP() << "SCHED_FIFO needs CAP_SYS_NICE";
    }
    Status s = UseBatchScheduling(nullptr);
    EXPECT_TRUE(s.IsUnavailable()) << s.ToString();
    EXPECT_EQ(sched_getscheduler(0), SCHED_FIFO);
    void* context = zmq_ctx_new();
    EXPECT_TRUE(UseBatchSchedulingForZmq(context).IsUnavailable());
    int policy = zmq_ctx_get(context, ZMQ_THREAD_SCHED_POLICY);
    EXPECT_NE(policy, SCHED_BATCH);  // Nothing set: libzmq would abort.
    zmq_ctx_term(context);
  });
}

TEST(Sched, ZmqIoThreadsRunBatchAndCallerIsPutBack) {
  OnFreshThread([] {
    ASSERT_EQ(sched_getscheduler(0), SCHED_OTHER);
    void* context = zmq_ctx_new();
    Status s = UseBatchSchedulingForZmq(context);
    if (s.IsIOError()) {
      zmq_ctx_term(context);
      GTEST_SKIP() << "kernel refuses SCHED_BATCH here: " << s.ToString();
    }
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(sched_getscheduler(0), SCHED_OTHER);  // The probe was undone.
    void* socket = zmq_socket(context, ZMQ_PUB);    // Starts the I/O thread.
    ASSERT_NE(socket, nullptr);
    // The thread names itself after applying the policy.
    std::vector<pid_t> io;
    ASSERT_TRUE(testing::WaitFor([&] { return !(io = ThreadsNamed("ZMQbg/IO")).empty(); }));
    for (pid_t tid : io) EXPECT_EQ(sched_getscheduler(tid), SCHED_BATCH) << "tid " << tid;
    zmq_close(socket);
    zmq_ctx_term(context);
  });
}

}  // namespace
}  // namespace sonde
