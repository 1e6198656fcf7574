// Handshake and transmission corner cases no packaged client exercises, spoken byte by byte over a socket.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "agent/internal/socket_io.h"
#include "agent/nbd_protocol.h"
#include "tests/support/process_test_util.h"

namespace cdr::agent {
namespace {
namespace fs = std::filesystem;
using namespace cdr::testing;
using namespace cdr::agent::internal;

class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    stream_ = std::make_unique<PlainStream>(fd_, false);
  }
  ~RawClient() { ::close(fd_); }
  bool connected() const { return connected_; }
  ByteStream& stream() { return *stream_; }

  std::vector<uint8_t> Read(size_t n) {
    std::vector<uint8_t> v(n);
    if (!ReadFull(*stream_, v.data(), n)) v.clear();
    return v;
  }
  void Option(uint32_t option, const std::vector<uint8_t>& data) {
    std::vector<uint8_t> m(16 + data.size());
    PutU64(m.data(), nbd::kIHaveOpt);
    PutU32(m.data() + 8, option);
    PutU32(m.data() + 12, static_cast<uint32_t>(data.size()));
    std::copy(data.begin(), data.end(), m.begin() + 16);
    WriteFull(*stream_, m.data(), m.size());
  }
  // Reads one option reply; returns its type and fills data.
  uint32_t OptionReply(std::vector<uint8_t>* data = nullptr) {
    std::vector<uint8_t> h = Read(20);
    if (h.size() != 20 || GetU64(h.data()) != nbd::kOptReplyMagic) return 0;
    std::vector<uint8_t> d = Read(GetU32(h.data() + 16));
    if (data) *data = d;
    return GetU32(h.data() + 12);
  }
  void Request(nbd::Cmd cmd, uint64_t cookie, uint64_t offset, uint32_t length,
               const std::vector<uint8_t>& payload = {}, uint16_t flags = 0) {
    std::vector<uint8_t> m(28 + payload.size());
    PutU32(m.data(), nbd::kRequestMagic);
    PutU16(m.data() + 4, flags);
    PutU16(m.data() + 6, static_cast<uint16_t>(cmd));
    PutU64(m.data() + 8, cookie);
    PutU64(m.data() + 16, offset);
    PutU32(m.data() + 24, length);
    std::copy(payload.begin(), payload.end(), m.begin() + 28);
    WriteFull(*stream_, m.data(), m.size());
  }
  // Returns the error of a simple reply (or -1 on a broken reply) after checking the cookie.
  int64_t Reply(uint64_t cookie) {
    std::vector<uint8_t> r = Read(16);
    if (r.size() != 16 || GetU32(r.data()) != nbd::kSimpleReplyMagic || GetU64(r.data() + 8) != cookie) return -1;
    return GetU32(r.data() + 4);
  }

 private:
  int fd_;
  std::unique_ptr<PlainStream> stream_;
  bool connected_ = false;
};

class NbdProtocolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(tmp_ / "disk0.img").close();
    fs::resize_file(tmp_ / "disk0.img", 1 << 20);
    agent_ = std::make_unique<AgentProcess>(tmp_.path(), tmp_ / "state",
                                            std::vector<std::string>{"disk0=" + (tmp_ / "disk0.img").string()});
    ASSERT_TRUE(agent_->started()) << agent_->log();
  }
  // Greeting + client flags (fixed newstyle, no zeroes).
  void Greet(RawClient& c) {
    std::vector<uint8_t> g = c.Read(18);
    ASSERT_EQ(g.size(), 18u);
    EXPECT_EQ(GetU64(g.data()), nbd::kNbdMagic);
    EXPECT_EQ(GetU64(g.data() + 8), nbd::kIHaveOpt);
    EXPECT_EQ(GetU16(g.data() + 16), nbd::kFlagFixedNewstyle | nbd::kFlagNoZeroes);
    uint8_t flags[4];
    PutU32(flags, nbd::kClientFlagFixedNewstyle | nbd::kClientFlagNoZeroes);
    ASSERT_TRUE(WriteFull(c.stream(), flags, 4));
  }

  TempDir tmp_;
  std::unique_ptr<AgentProcess> agent_;
};

std::vector<uint8_t> GoPayload(const std::string& name) {
  std::vector<uint8_t> d(4 + name.size() + 2);
  PutU32(d.data(), static_cast<uint32_t>(name.size()));
  std::copy(name.begin(), name.end(), d.begin() + 4);
  PutU16(d.data() + 4 + name.size(), 0);
  return d;
}

TEST_F(NbdProtocolTest, UnsupportedOptionsThenExportNameThenRequests) {
  RawClient c(agent_->port());
  ASSERT_TRUE(c.connected());
  Greet(c);
  c.Option(4, {});  // NBD_OPT_PEEK_EXPORT, withdrawn from the protocol
  EXPECT_EQ(c.OptionReply(), nbd::kRepErrUnsup);
  // Metadata contexts need structured replies first.
  c.Option(static_cast<uint32_t>(nbd::Opt::kSetMetaContext), {0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(c.OptionReply(), nbd::kRepErrInvalid);
  c.Option(99, {1, 2, 3});
  EXPECT_EQ(c.OptionReply(), nbd::kRepErrUnsup);
  c.Option(static_cast<uint32_t>(nbd::Opt::kGo), GoPayload("nope"));
  EXPECT_EQ(c.OptionReply(), nbd::kRepErrUnknown);
  c.Option(static_cast<uint32_t>(nbd::Opt::kGo), {0, 0, 0, 9});  // name length past the payload
  EXPECT_EQ(c.OptionReply(), nbd::kRepErrInvalid);
  c.Option(static_cast<uint32_t>(nbd::Opt::kInfo), GoPayload("disk0"));
  std::vector<uint8_t> info;
  ASSERT_EQ(c.OptionReply(&info), nbd::kRepInfo);
  ASSERT_EQ(info.size(), 12u);
  EXPECT_EQ(GetU64(info.data() + 2), 1u << 20);
  while (c.OptionReply() == nbd::kRepInfo) {
  }
  // Old-style selection: size and flags, no 124 zero bytes since the client sent NO_ZEROES.
  const std::string name = "disk0";
  c.Option(static_cast<uint32_t>(nbd::Opt::kExportName), std::vector<uint8_t>(name.begin(), name.end()));
  std::vector<uint8_t> export_reply = c.Read(10);
  ASSERT_EQ(export_reply.size(), 10u);
  EXPECT_EQ(GetU64(export_reply.data()), 1u << 20);
  EXPECT_TRUE(GetU16(export_reply.data() + 8) & nbd::kTxCanMultiConn);

  c.Request(nbd::Cmd::kRead, 1, (1 << 20) - 10, 20);  // crosses the end
  EXPECT_EQ(c.Reply(1), nbd::kEInval);
  c.Request(nbd::Cmd::kWrite, 2, 1 << 20, 4, {1, 2, 3, 4});  // starts at the end: payload consumed, EINVAL
  EXPECT_EQ(c.Reply(2), nbd::kEInval);
  c.Request(nbd::Cmd::kWrite, 3, 100, 4, {9, 8, 7, 6});
  EXPECT_EQ(c.Reply(3), 0);
  c.Request(nbd::Cmd::kRead, 4, 100, 4);
  EXPECT_EQ(c.Reply(4), 0);
  EXPECT_EQ(c.Read(4), (std::vector<uint8_t>{9, 8, 7, 6}));
  c.Request(static_cast<nbd::Cmd>(42), 5, 0, 0);
  EXPECT_EQ(c.Reply(5), nbd::kEInval);
  c.Request(nbd::Cmd::kFlush, 6, 0, 0);
  EXPECT_EQ(c.Reply(6), 0);
  c.Request(nbd::Cmd::kDisc, 7, 0, 0);
  EXPECT_TRUE(c.Read(1).empty());  // the server closes
}

TEST_F(NbdProtocolTest, AbortIsAcknowledged) {
  RawClient c(agent_->port());
  ASSERT_TRUE(c.connected());
  Greet(c);
  c.Option(static_cast<uint32_t>(nbd::Opt::kAbort), {});
  EXPECT_EQ(c.OptionReply(), nbd::kRepAck);
  EXPECT_TRUE(c.Read(1).empty());
}

TEST_F(NbdProtocolTest, UnknownCommandFlagsAreRefusedAndTheConnectionGoesOn) {
  RawClient c(agent_->port());
  ASSERT_TRUE(c.connected());
  Greet(c);
  const std::string name = "disk0";
  c.Option(static_cast<uint32_t>(nbd::Opt::kExportName), std::vector<uint8_t>(name.begin(), name.end()));
  ASSERT_EQ(c.Read(10).size(), 10u);
  c.Request(nbd::Cmd::kWrite, 1, 0, 4, {1, 2, 3, 4}, 1 << 2);  // DF was never negotiated
  EXPECT_EQ(c.Reply(1), nbd::kEInval);
  c.Request(nbd::Cmd::kRead, 2, 0, 4, {}, nbd::kCmdFlagNoHole);  // NO_HOLE is for WRITE_ZEROES only
  EXPECT_EQ(c.Reply(2), nbd::kEInval);
  c.Request(nbd::Cmd::kRead, 3, 0, 4, {}, 0x8000);
  EXPECT_EQ(c.Reply(3), nbd::kEInval);
  c.Request(nbd::Cmd::kRead, 4, 0, 4, {}, nbd::kCmdFlagFua);
  EXPECT_EQ(c.Reply(4), 0);
  EXPECT_EQ(c.Read(4), (std::vector<uint8_t>{0, 0, 0, 0})) << "the refused write was applied";
}

TEST_F(NbdProtocolTest, AnOverLongExportNameClosesTheConnectionWithoutAnOptionReply) {
  RawClient c(agent_->port());
  ASSERT_TRUE(c.connected());
  Greet(c);
  c.Option(static_cast<uint32_t>(nbd::Opt::kExportName),
           std::vector<uint8_t>(nbd::kMaxStringLength + 1, 'a'));
  EXPECT_TRUE(c.Read(1).empty()) << "NBD_OPT_EXPORT_NAME has no option reply";
}

// Issue #13 finding 5: 64 connections that never spoke held every slot, and a real client got nothing.
TEST_F(NbdProtocolTest, SixtyFourSilentConnectionsDoNotLockOutARealClient) {
  std::vector<std::unique_ptr<RawClient>> silent;
  for (int i = 0; i < 64; ++i) {
    silent.push_back(std::make_unique<RawClient>(agent_->port()));
    ASSERT_TRUE(silent.back()->connected());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // all of them accepted and waiting
  RunResult info =
      RunProgram({"nbdinfo", "--size", "nbd://127.0.0.1:" + std::to_string(agent_->port()) + "/disk0"},
                 std::chrono::seconds(30));
  EXPECT_EQ(info.exit_code, 0) << info.out << info.err << agent_->log();
  EXPECT_EQ(info.out, std::to_string(1 << 20) + "\n");
}

}  // namespace
}  // namespace cdr::agent
