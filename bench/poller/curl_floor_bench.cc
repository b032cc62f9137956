// The floor under any libcurl poller: libcurl's multi socket interface on one
// libuv loop, the poller's transfer options, and nothing else (no status
// page parse, no records, no samples, no report). bench/poller/run.sh runs it
// next to wrk and sonde-poller, so the share of wrk that libcurl itself
// leaves on this machine is measured, not guessed.
//
//   curl_floor_bench --url-prefix http://127.0.0.1:PORT/status/
//                    --requests 10000 --concurrency 500
//
// Prints one line: requests, wall seconds, requests/s and CPU µs per request.
// Loopback only: the prefix must name 127.0.0.0/8 or [::1].
#include <curl/curl.h>
#include <sys/resource.h>
#include <uv.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

namespace {

struct Floor;

struct Socket {
  uv_poll_t poll;
  curl_socket_t fd;
  Floor* floor;
};

struct Floor {
  uv_loop_t* loop = nullptr;
  CURLM* multi = nullptr;
  uv_timer_t timer;
  std::string prefix;
  int total = 0;
  int started = 0;
  int done = 0;
  int failed = 0;
  std::string url;
};

size_t Discard(char*, size_t size, size_t nmemb, void*) { return size * nmemb; }

void StartNext(Floor* f, CURL* easy) {
  f->url = f->prefix + "t" + std::to_string(f->started++);
  curl_easy_setopt(easy, CURLOPT_URL, f->url.c_str());
  curl_multi_add_handle(f->multi, easy);
}

void ReadCompletions(Floor* f) {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(f->multi, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    if (msg->data.result != CURLE_OK) ++f->failed;
    curl_multi_remove_handle(f->multi, easy);
    ++f->done;
    if (f->started < f->total) StartNext(f, easy);
  }
  if (f->done == f->total) uv_stop(f->loop);
}

void OnPoll(uv_poll_t* poll, int status, int events) {
  auto* s = static_cast<Socket*>(poll->data);
  int flags = 0;
  if (status < 0) {
    flags = CURL_CSELECT_ERR;
  } else {
    if (events & UV_READABLE) flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
  }
  Floor* f = s->floor;
  int running = 0;
  curl_multi_socket_action(f->multi, s->fd, flags, &running);
  ReadCompletions(f);
}

void OnTimer(uv_timer_t* timer) {
  auto* f = static_cast<Floor*>(timer->data);
  int running = 0;
  curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  ReadCompletions(f);
}

int OnCurlTimer(CURLM*, long timeout_ms, void* userp) {
  auto* f = static_cast<Floor*>(userp);
  if (timeout_ms < 0) {
    uv_timer_stop(&f->timer);
  } else {
    uv_timer_start(&f->timer, &OnTimer, static_cast<uint64_t>(timeout_ms), 0);
  }
  return 0;
}

int OnCurlSocket(CURL*, curl_socket_t fd, int what, void* userp, void* socketp) {
  auto* f = static_cast<Floor*>(userp);
  auto* s = static_cast<Socket*>(socketp);
  if (what == CURL_POLL_REMOVE) {
    if (s != nullptr) {
      curl_multi_assign(f->multi, fd, nullptr);
      uv_close(reinterpret_cast<uv_handle_t*>(&s->poll),
               [](uv_handle_t* h) { delete static_cast<Socket*>(h->data); });
    }
    return 0;
  }
  if (s == nullptr) {
    s = new Socket{{}, fd, f};
    uv_poll_init_socket(f->loop, &s->poll, fd);
    s->poll.data = s;
    curl_multi_assign(f->multi, fd, s);
  }
  int events = 0;
  if (what & CURL_POLL_IN) events |= UV_READABLE;
  if (what & CURL_POLL_OUT) events |= UV_WRITABLE;
  uv_poll_start(&s->poll, events, &OnPoll);
  return 0;
}

// The options HttpClient sets on every slot (emitter/poller/src/http_client.cc).
void SetPollerOptions(CURL* e, curl_slist* headers) {
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, 3L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 2L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Discard);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "sonde-poller");
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(1 << 20));
}

bool IsLoopback(const std::string& prefix) {
  return prefix.rfind("http://127.", 0) == 0 || prefix.rfind("http://[::1]", 0) == 0;
}

double Seconds(const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; }

}  // namespace

int main(int argc, char** argv) {
  Floor f;
  int concurrency = 500;
  CLI::App app{"libcurl multi socket + libuv with no work per response: the floor under sonde-poller"};
  app.add_option("--url-prefix", f.prefix, "Requests go to PREFIX + t<N> (loopback only)")
      ->required();
  app.add_option("--requests", f.total, "Requests in all")->check(CLI::Range(1, 10'000'000));
  app.add_option("--concurrency", concurrency, "Transfers in flight")->check(CLI::Range(1, 20000));
  CLI11_PARSE(app, argc, argv);
  if (!IsLoopback(f.prefix)) {
    std::fprintf(stderr, "curl_floor_bench: --url-prefix must be http://127.x.x.x or http://[::1]\n");
    return 2;
  }
  if (f.total == 0) f.total = 10000;

  curl_global_init(CURL_GLOBAL_DEFAULT);
  f.loop = uv_default_loop();
  uv_timer_init(f.loop, &f.timer);
  f.timer.data = &f;
  f.multi = curl_multi_init();
  curl_multi_setopt(f.multi, CURLMOPT_SOCKETFUNCTION, &OnCurlSocket);
  curl_multi_setopt(f.multi, CURLMOPT_SOCKETDATA, &f);
  curl_multi_setopt(f.multi, CURLMOPT_TIMERFUNCTION, &OnCurlTimer);
  curl_multi_setopt(f.multi, CURLMOPT_TIMERDATA, &f);
  curl_multi_setopt(f.multi, CURLMOPT_MAXCONNECTS, static_cast<long>(concurrency));
  curl_slist* headers = curl_slist_append(nullptr, "Accept: application/json");

  std::vector<CURL*> handles;
  const uint64_t start = uv_hrtime();
  for (int i = 0; i < concurrency && f.started < f.total; ++i) {
    CURL* e = curl_easy_init();
    SetPollerOptions(e, headers);
    handles.push_back(e);
    StartNext(&f, e);
  }
  uv_run(f.loop, UV_RUN_DEFAULT);
  const double wall = static_cast<double>(uv_hrtime() - start) / 1e9;

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const double cpu = Seconds(ru.ru_utime) + Seconds(ru.ru_stime);
  std::printf("requests=%d failed=%d wall_s=%.3f req_s=%.0f cpu_us_per_req=%.1f user_us=%.1f sys_us=%.1f\n",
              f.done, f.failed, wall, f.done / wall, cpu * 1e6 / f.done,
              Seconds(ru.ru_utime) * 1e6 / f.done, Seconds(ru.ru_stime) * 1e6 / f.done);
  for (CURL* e : handles) {
    curl_multi_remove_handle(f.multi, e);
    curl_easy_cleanup(e);
  }
  curl_multi_cleanup(f.multi);  // Closes cached connections: REMOVE for each.
  curl_slist_free_all(headers);
  uv_close(reinterpret_cast<uv_handle_t*>(&f.timer), nullptr);
  uv_run(f.loop, UV_RUN_DEFAULT);  // Lets the close callbacks free the sockets.
  curl_global_cleanup();
  return f.failed == 0 ? 0 : 1;
}
