// ThreadSanitizer suppressions for the tests (linked into each one only when
// SONDE_SANITIZE=thread). libzmq is not built with TSan, so the hand-off of
// message bytes through its lock-free pipes between its I/O thread and ours
// looks like a race. called_from_lib makes TSan ignore the memory accesses of
// the calls libzmq makes (send, recv, memcpy), which also keeps the run fast;
// race: drops any report that still has a libzmq frame. Our own code keeps
// full checking.
extern "C" const char* __tsan_default_suppressions() {
  return "called_from_lib:libzmq.so\n"
         "race:libzmq.so\n";
}
