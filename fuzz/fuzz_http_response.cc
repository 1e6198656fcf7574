// What an agent (or anything listening at its address) sends back to cdr's HTTP client (common/http_exchange.h):
// whatever the bytes and however they are split across reads, HttpExchange answers with a response within its
// limits or an error, never a crash, an exception or more memory than the limits allow.
#include <algorithm>
#include <cstring>

#include "common/http_exchange.h"
#include "fuzz/fuzz_target.h"

namespace {

// A peer that has already sent `data`: reads hand it out in pieces of 1 to 256 bytes (the first input byte
// chooses the size), then the end of the stream; writes go nowhere.
class ReplayStream final : public cdr::ByteStream {
 public:
  ReplayStream(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  cdr::Status WriteAll(std::span<const uint8_t>) override { return cdr::Status::Ok(); }
  cdr::Status WriteVecAll(struct iovec*, int) override { return cdr::Status::Ok(); }
  cdr::Status ReadAll(uint8_t* buf, size_t n, cdr::Deadline) override {
    if (size_ - at_ < n) return cdr::Unavailable("end of input");
    std::memcpy(buf, data_ + at_, n);
    at_ += n;
    return cdr::Status::Ok();
  }
  cdr::Result<size_t> ReadSome(uint8_t* buf, size_t max, cdr::Deadline) override {
    const size_t piece = size_ == 0 ? 1 : size_t{data_[0]} + 1;
    const size_t n = std::min({max, piece, size_ - at_});
    std::memcpy(buf, data_ + at_, n);
    at_ += n;
    return n;
  }
  void Shutdown() override {}
  void ShutdownRead() override {}
  bool InputWaiting() override { return at_ < size_; }
  void SetReceiveTimeout(std::chrono::milliseconds) override {}

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

int FuzzHttpResponse(const uint8_t* data, size_t size) {
  ReplayStream stream(data, size);
  const cdr::HttpRequest request{"GET", "/v1/status", "127.0.0.1:1", {{"Authorization", "Bearer x"}}, "", ""};
  const cdr::HttpLimits limits{.max_header_bytes = 2048, .max_body_bytes = 4096};
  cdr::Result<cdr::HttpResponse> r = cdr::HttpExchange(stream, request, cdr::kNoDeadline, limits);
  if (r.ok() && r->body.size() > limits.max_body_bytes) __builtin_trap();
  return 0;
}

}  // namespace

CDR_FUZZ_TARGET("http_response", FuzzHttpResponse)
