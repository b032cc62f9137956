// ThreadSanitizer suppressions for the emitter tests (linked only when
// SONDE_SANITIZE=thread). libzmq is not built with TSan, so the hand-off of
// message bytes through its lock-free pipes between its I/O thread and ours
// looks like a race; only reports with a libzmq frame are suppressed.
extern "C" const char* __tsan_default_suppressions() { return "race:libzmq.so\n"; }
