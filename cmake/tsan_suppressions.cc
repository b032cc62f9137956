// ThreadSanitizer suppressions, linked into every test and binary of a
// SONDE_SANITIZE=thread build (cmake/sonde_helpers.cmake), so that the
// binaries a test starts (sonde-broker, sonde) carry them too. libzmq is not
// built with TSan, so the hand-off of message bytes (and of its own fds)
// between its I/O thread and ours looks like a race. called_from_lib makes
// TSan ignore the memory accesses of the calls libzmq makes (send, recv,
// memcpy, epoll_ctl); race: drops any report that still has a libzmq frame.
// Our own code keeps full checking.
extern "C" const char* __tsan_default_suppressions() {
  return "called_from_lib:libzmq.so\n"
         "race:libzmq.so\n";
}
