// Finding 3 of issue #13: a HELLO whose disk name is another disk's file ("vda.base" → vda.base.img)
// truncated the frozen base image. Names now follow the spec's rule (no '.'), checked before any file is
// touched.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/digest.h"
#include "common/wire_frame.h"
#include "shadow/shadow_server.h"
#include "tests/shadow/shadow_test_util.h"

namespace cdr::shadow {
namespace {

namespace fs = std::filesystem;

class HelloNamesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(replicas_ / "web-1");
    std::ofstream base(replicas_ / "web-1" / "vda.base.img", std::ios::binary);
    for (int i = 0; i < 16384; ++i) base << "base" << i;
    base.close();
    base_sha256_ = BaseSha256();
    ShadowOptions options{"127.0.0.1", 0, replicas_};
    options.max_disk_size = 1ull << 30;
    server_ = std::make_unique<ShadowServer>(options);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override { server_->Stop(); }

  std::string BaseSha256() const {
    return Sha256Hex(testing::ReadFile(replicas_ / "web-1" / "vda.base.img"));
  }

  wire::HelloAck Hello(const std::string& server_id, const std::string& disk, uint64_t size = 1 << 20) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(std::stoi(server_->address().substr(10))));
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    timeval timeout{20, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    EXPECT_TRUE(
        wire::WriteAll(fd, wire::EncodeFrame(wire::FrameType::kHello, 0,
                                             wire::EncodeHello({server_id, disk, size, 4096, 9, 0}), false))
            .ok());
    wire::Frame f;
    Status s = wire::ReadFrame(fd, &f);
    ::close(fd);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(f.type, wire::FrameType::kHelloAck);
    Result<wire::HelloAck> ack = wire::DecodeHelloAck(f.payload);
    return ack.ok() ? *ack : wire::HelloAck{};
  }

  std::vector<fs::path> Files() const {
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(tmp_.path())) files.push_back(e.path());
    return files;
  }

  testing::TempDir tmp_;
  fs::path replicas_ = tmp_ / "replicas";
  std::string base_sha256_;
  std::unique_ptr<ShadowServer> server_;
};

TEST_F(HelloNamesTest, ADiskNamedLikeAnotherDisksFileIsRefusedAndTouchesNothing) {
  const std::vector<fs::path> before = Files();
  for (const std::string disk : {"vda.base", "...", "vda.img", "../x", "vda.img.img", "a\nError: x"}) {
    wire::HelloAck ack = Hello("web-1", disk);
    EXPECT_FALSE(ack.accepted) << disk;
    EXPECT_NE(ack.reason.find("invalid disk name"), std::string::npos) << ack.reason;
    EXPECT_EQ(ack.reason.find('\n'), std::string::npos) << "a name is never echoed raw";
  }
  for (const std::string& server :
       {std::string(".."), std::string("web-1/.."), std::string("/"), std::string("w\0b", 3)}) {
    EXPECT_FALSE(Hello(server, "vda").accepted) << server;
  }
  EXPECT_EQ(BaseSha256(), base_sha256_);
  EXPECT_EQ(Files(), before) << "a refused HELLO created or removed a file";
}

TEST_F(HelloNamesTest, ADiskLargerThanTheConfiguredMaximumIsRefusedBeforeItsFileExists) {
  wire::HelloAck ack = Hello("web-1", "vdb", 1ull << 40);
  EXPECT_FALSE(ack.accepted);
  EXPECT_NE(ack.reason.find("--max-disk-gib"), std::string::npos) << ack.reason;
  EXPECT_FALSE(fs::exists(replicas_ / "web-1" / "vdb.img"));
  EXPECT_TRUE(Hello("web-1", "vdb", 1 << 20).accepted) << "a disk within the maximum is still accepted";
  EXPECT_EQ(BaseSha256(), base_sha256_);
}

}  // namespace
}  // namespace cdr::shadow
