#include "sonde/summarizer.h"

#include <utility>

#include "summarizer_impl.h"

namespace sonde::summarizer {

Result<std::unique_ptr<Summarizer>> Summarizer::Create(SummarizerOptions options) {
  auto impl = std::make_unique<SummarizerImpl>(std::move(options));
  SONDE_RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<Summarizer>(new Summarizer(std::move(impl)));
}

Summarizer::Summarizer(std::unique_ptr<SummarizerImpl> impl) : impl_(std::move(impl)) {}
Summarizer::~Summarizer() = default;

Status Summarizer::Run() { return impl_->Run(); }
void Summarizer::Stop() { impl_->Stop(); }
uint16_t Summarizer::http_port() const { return impl_->http_port(); }
SummarizerCounters Summarizer::counters() const { return impl_->counters(); }

}  // namespace sonde::summarizer
