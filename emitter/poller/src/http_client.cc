#include "http_client.h"

#include <fmt/format.h>

#include <cerrno>

namespace sonde::poller {

struct HttpClient::Slot {
  CURL* easy = nullptr;
  std::string body;
  size_t max_body = 0;
  bool too_large = false;
  bool busy = false;
  uint64_t tag = 0;
  char errbuf[CURL_ERROR_SIZE] = {};
};

namespace {

size_t OnWrite(char* data, size_t size, size_t nmemb, void* userdata) {
  auto* slot = static_cast<HttpClient::Slot*>(userdata);
  const size_t n = size * nmemb;
  if (slot->body.size() + n > slot->max_body) {
    slot->too_large = true;
    return 0;  // curl aborts the transfer with CURLE_WRITE_ERROR.
  }
  try {
    slot->body.append(data, n);
  } catch (const std::bad_alloc&) {
    return 0;  // No exception may cross curl's C frames.
  }
  return n;
}

fleet::FailureClass Classify(CURLcode code, long os_errno, bool too_large) {
  using fleet::FailureClass;
  switch (code) {
    case CURLE_OK:
      return FailureClass::kNone;
    case CURLE_COULDNT_CONNECT:
      if (os_errno == ECONNREFUSED) return FailureClass::kRefused;
      if (os_errno == ETIMEDOUT) return FailureClass::kTimeout;
      return FailureClass::kOther;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return FailureClass::kDns;
    case CURLE_OPERATION_TIMEDOUT:
      return FailureClass::kTimeout;
    case CURLE_FILESIZE_EXCEEDED:
      return FailureClass::kBodyTooLarge;
    case CURLE_WRITE_ERROR:
      return too_large ? FailureClass::kBodyTooLarge : FailureClass::kOther;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_USE_SSL_FAILED:
      return FailureClass::kTls;
    default:
      return FailureClass::kOther;
  }
}

}  // namespace

HttpClient::HttpClient(Handler* handler) : handler_(handler) {}

Result<std::unique_ptr<HttpClient>> HttpClient::Create(uv_loop_t* loop,
                                                       const HttpClientOptions& options,
                                                       Handler* handler) {
  std::unique_ptr<HttpClient> client(new HttpClient(handler));
  HttpClient* self = client.get();
  auto multi = CurlMultiUv::Create(loop, static_cast<long>(options.slots),
                                   [self](CURL* easy, CURLcode code) { self->OnDone(easy, code); });
  if (!multi) return multi.error();
  client->multi_ = std::move(*multi);
  client->headers_ = curl_slist_append(nullptr, "Accept: application/json");
  if (client->headers_ == nullptr) return Status::ResourceExhausted("curl_slist_append failed");
  client->slots_.reserve(options.slots);
  client->free_.reserve(options.slots);
  for (size_t i = 0; i < options.slots; ++i) {
    client->slots_.push_back(std::make_unique<Slot>());
    SONDE_RETURN_IF_ERROR(client->InitSlot(client->slots_.back().get(), options));
    client->free_.push_back(client->slots_.back().get());
  }
  return client;
}

Status HttpClient::InitSlot(Slot* slot, const HttpClientOptions& o) {
  CURL* e = curl_easy_init();
  if (e == nullptr) return Status::ResourceExhausted("curl_easy_init failed");
  slot->easy = e;
  const long low_speed_s = static_cast<long>((o.low_speed_time.count() + 999) / 1000);
  bool ok =
      curl_easy_setopt(e, CURLOPT_PRIVATE, slot) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, o.max_redirects > 0 ? 1L : 0L) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_MAXREDIRS, static_cast<long>(o.max_redirects)) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(o.connect_timeout.count())) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(o.total_timeout.count())) ==
          CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(o.low_speed_bytes)) ==
          CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, low_speed_s) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &OnWrite) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_WRITEDATA, slot) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_ERRORBUFFER, slot->errbuf) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_USERAGENT, o.user_agent.c_str()) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers_) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, o.verify_tls ? 1L : 0L) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, o.verify_tls ? 2L : 0L) == CURLE_OK;
  if (!ok) return Status::IOError("curl_easy_setopt refused a poller option (libcurl too old?)");
  return multi_->Prepare(e);
}

HttpClient::~HttpClient() {
  AbortAll();
  multi_.reset();  // Cleans up the multi handle before the easy handles go.
  for (auto& slot : slots_) {
    if (slot->easy != nullptr) curl_easy_cleanup(slot->easy);
  }
  curl_slist_free_all(headers_);
}

Status HttpClient::Start(const std::string& url, uint64_t tag, size_t max_body_bytes) {
  if (free_.empty()) return Status::ResourceExhausted("no free transfer slot");
  Slot* slot = free_.back();
  slot->body.clear();
  slot->too_large = false;
  slot->errbuf[0] = '\0';
  slot->max_body = max_body_bytes;
  slot->tag = tag;
  if (curl_easy_setopt(slot->easy, CURLOPT_URL, url.c_str()) != CURLE_OK ||
      curl_easy_setopt(slot->easy, CURLOPT_MAXFILESIZE_LARGE,
                       static_cast<curl_off_t>(max_body_bytes)) != CURLE_OK) {
    return Status::IOError(fmt::format("curl refused URL '{}'", url));
  }
  SONDE_RETURN_IF_ERROR(multi_->Add(slot->easy));
  free_.pop_back();
  slot->busy = true;
  return Status::OK();
}

void HttpClient::OnDone(CURL* easy, CURLcode code) {
  Slot* slot = nullptr;
  curl_easy_getinfo(easy, CURLINFO_PRIVATE, reinterpret_cast<char**>(&slot));
  long status = 0;
  long os_errno = 0;
  curl_off_t total_us = -1;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
  curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total_us);
  FetchResult r;
  r.failure = Classify(code, os_errno, slot->too_large);
  r.http_status = static_cast<int>(status);
  r.latency_ms = total_us >= 0 ? static_cast<double>(total_us) / 1000.0 : -1;
  r.body = slot->body;
  if (r.failure == fleet::FailureClass::kBodyTooLarge) {
    r.error = fmt::format("body larger than {} bytes", slot->max_body);
  } else if (r.failure != fleet::FailureClass::kNone) {
    r.error = slot->errbuf[0] != '\0' ? slot->errbuf : curl_easy_strerror(code);
  }
  // Not busy during the callback, so that an AbortAll() from inside it
  // leaves this slot alone; it rejoins the free list right after.
  slot->busy = false;
  handler_->OnFetched(slot->tag, r);
  Release(slot);
  handler_->OnSlotFree();
}

void HttpClient::Release(Slot* slot) {
  slot->busy = false;
  if (slot->body.capacity() > kKeepBodyBytes) std::string().swap(slot->body);
  free_.push_back(slot);
}

void HttpClient::AbortAll() {
  if (!multi_) return;
  for (auto& slot : slots_) {
    if (!slot->busy) continue;
    multi_->Remove(slot->easy);
    Release(slot.get());
  }
}

void HttpClient::Close(std::function<void()> on_closed) {
  AbortAll();
  multi_->Close(std::move(on_closed));
}

}  // namespace sonde::poller
