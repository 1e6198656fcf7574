// The TLS stream's buffering (common/tls_stream.h) over a real handshake on a socket pair: records that one recv
// brought into the read buffer behind the one being read count as input waiting (a caller that polls only the
// socket would sleep on them), and frames of all sizes cross the write and read buffers intact in both directions.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <numeric>

#include "common/tls_issuer.h"
#include "common/tls_stream.h"
#include "common/wire_frame.h"

namespace cdr {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class TlsStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cdr-tls-stream-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    ASSERT_TRUE(CreateCertificateAuthority(dir_ / "ca", "test CA").ok());
    ASSERT_TRUE(IssueCertificate(dir_ / "ca", {"shadow", TlsRole::kServer, {}, {"127.0.0.1"}, {}}, dir_ / "shadow")
                    .ok());
    ASSERT_TRUE(IssueCertificate(dir_ / "ca", {"web-1", TlsRole::kClient, {}, {}, {}}, dir_ / "web-1").ok());
    auto server = TlsContext::Load(TlsFilesIn(dir_ / "shadow", TlsRole::kServer), TlsRole::kServer);
    auto client = TlsContext::Load(TlsFilesIn(dir_ / "web-1", TlsRole::kClient), TlsRole::kClient);
    ASSERT_TRUE(server.ok() && client.ok()) << server.status().ToString() << client.status().ToString();
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds_), 0);
    const Deadline deadline = std::chrono::steady_clock::now() + 20s;
    auto connecting = std::async(std::launch::async,
                                 [&] { return TlsHandshake(fds_[1], /*owns=*/true, **client, "127.0.0.1", deadline); });
    auto accepted = TlsHandshake(fds_[0], /*owns=*/true, **server, "", deadline);
    if (!accepted.ok()) ::shutdown(fds_[0], SHUT_RDWR);
    auto connected = connecting.get();
    ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
    ASSERT_TRUE(connected.ok()) << connected.status().ToString();
    server_ = std::move(*accepted);
    client_ = std::move(*connected);
  }
  void TearDown() override {
    server_.reset();
    client_.reset();
    fs::remove_all(dir_);
  }

  fs::path dir_;
  int fds_[2] = {-1, -1};
  std::unique_ptr<TlsStream> server_;
  std::unique_ptr<TlsStream> client_;
};

TEST_F(TlsStreamTest, RecordsBufferedBehindTheOneReadAreInputWaiting) {
  const std::vector<uint8_t> first(32, 1);
  const std::vector<uint8_t> second(32, 2);
  ASSERT_TRUE(client_->WriteAll(first).ok());
  ASSERT_TRUE(client_->WriteAll(second).ok());
  // Both records (two sends) are in the socket before the first read, so its recv takes them both.
  const auto until = std::chrono::steady_clock::now() + 20s;
  int queued = 0;
  while (std::chrono::steady_clock::now() < until && ::ioctl(fds_[0], FIONREAD, &queued) == 0 && queued < 2 * 32 + 2 * 22) {
    ASSERT_TRUE(WaitForSocket(fds_[0], POLLIN, until, {}).ok());
  }
  ASSERT_GE(queued, 2 * 32 + 2 * 22);

  uint8_t got[32];
  ASSERT_TRUE(server_->ReadAll(got, sizeof got, until).ok());
  EXPECT_EQ(std::vector<uint8_t>(got, got + 32), first);
  ::ioctl(fds_[0], FIONREAD, &queued);
  EXPECT_EQ(queued, 0) << "the socket is empty: the second record waits in the stream's read buffer";
  EXPECT_TRUE(server_->InputWaiting());
  ASSERT_TRUE(server_->ReadAll(got, sizeof got, until).ok());
  EXPECT_EQ(std::vector<uint8_t>(got, got + 32), second);
  EXPECT_FALSE(server_->InputWaiting());
}

TEST_F(TlsStreamTest, FramesOfAllSizesCrossIntactWhileTheOtherSideAnswers) {
  // 1 byte to 4 MiB: within one record, across records, larger than the 256 KiB buffers on both sides.
  const std::vector<size_t> sizes = {1, 31, 16384, 16385, 100000, 256 << 10, (256 << 10) + 1, 4 << 20};
  auto receiving = std::async(std::launch::async, [&] {
    wire::Frame frame;
    for (size_t i = 0; i < sizes.size(); ++i) {
      if (Status s = wire::ReadFrame(*server_, &frame); !s.ok()) return s.ToString();
      if (frame.payload.size() != sizes[i] || frame.seq != i) return "frame " + std::to_string(i) + " differs";
      for (size_t b = 0; b < frame.payload.size(); ++b) {
        if (frame.payload[b] != static_cast<uint8_t>(b * 7 + i)) return "byte " + std::to_string(b) + " differs";
      }
      const std::vector<uint8_t> ack = wire::EncodeFrame(wire::FrameType::kAck, i, {}, false);
      if (Status s = server_->WriteAll(ack); !s.ok()) return s.ToString();
    }
    return std::string("ok");
  });
  auto acks = std::async(std::launch::async, [&] {
    wire::Frame ack;
    for (size_t i = 0; i < sizes.size(); ++i) {
      if (Status s = wire::ReadFrame(*client_, &ack); !s.ok() || ack.seq != i) return false;
    }
    return true;
  });
  for (size_t i = 0; i < sizes.size(); ++i) {
    std::vector<uint8_t> payload(sizes[i]);
    for (size_t b = 0; b < payload.size(); ++b) payload[b] = static_cast<uint8_t>(b * 7 + i);
    const std::span<const uint8_t> pieces[] = {payload};
    wire::FrameEnvelope envelope = wire::EncodeFrameEnvelope(wire::FrameType::kData, i, pieces);
    iovec iov[] = {{envelope.header, sizeof envelope.header},
                   {payload.data(), payload.size()},
                   {envelope.trailer, sizeof envelope.trailer}};
    ASSERT_TRUE(client_->WriteVecAll(iov, 3).ok());
  }
  ASSERT_EQ(receiving.wait_for(60s), std::future_status::ready);
  EXPECT_EQ(receiving.get(), "ok");
  ASSERT_EQ(acks.wait_for(60s), std::future_status::ready);
  EXPECT_TRUE(acks.get());
}

}  // namespace
}  // namespace cdr
