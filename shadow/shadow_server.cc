#include "shadow/shadow_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "common/read_ahead_stream.h"
#include "common/thread_name.h"
#include "common/tls_identity.h"
#include "common/tls_stream.h"
#include "common/wire_frame.h"
#include "shadow/frame_queue.h"
#include "shadow/hello_check.h"
#include "shadow/replica_disk.h"

namespace cdr::shadow {
namespace {

constexpr uint64_t kCommitEveryBytes = 32ull << 20;
// Frames read ahead of the applier: more than one commit's worth, so a commit never stops the stream.
constexpr uint64_t kQueueBytes = 64ull << 20;
// Two names of at most 63 bytes and a few numbers: anything larger is not a HELLO.
constexpr uint32_t kMaxHelloPayload = 4096;

Status Send(ByteStream& link, wire::FrameType type, uint64_t seq, const std::vector<uint8_t>& payload) {
  return link.WriteAll(wire::EncodeFrame(type, seq, payload, false));
}

void SendError(ByteStream& link, const Status& s) {
  (void)Send(link, wire::FrameType::kError, 0,
             wire::EncodeError({static_cast<uint16_t>(s.code()), s.ToString()}));
}

// Through a ReadAheadStream: one receive takes a batch of frames (the agent sends up to 128 records at once)
// instead of two receives (header, then payload and trailer) per frame.
void ReadFrames(ByteStream& link, FrameQueue* queue) {
  ReadAheadStream input(link);
  while (true) {
    wire::Frame frame = queue->TakeSpare();
    if (Status s = wire::ReadFrame(input, &frame); !s.ok()) {
      queue->Finish(s);
      return;
    }
    if (!queue->Push(std::move(frame))) {
      queue->Finish(Unavailable("connection closed by the shadow"));
      return;
    }
  }
}

// Without a name of the certificate that grants the disk the HELLO is refused: epochs grant nothing.
Status CheckPeerGrants(const std::vector<std::string>& peer_uris, const wire::Hello& hello) {
  if (IdentityGrants(peer_uris, hello.server_id, hello.disk)) return Status::Ok();
  std::string names;
  for (const std::string& uri : peer_uris) names += (names.empty() ? "" : ", ") + uri;
  return PermissionDenied("the client certificate does not grant " + hello.server_id + "/" + hello.disk +
                          " (it names " + (names.empty() ? std::string("no cdr:server URI") : names) +
                          "; wanted " + ServerIdentityUri(hello.server_id) + ")");
}

// Ranges that match are done; the others are answered with the replica's block hashes.
Status AnswerRepairRanges(ByteStream& link, ReplicaDisk* disk, const wire::RepairRanges& ranges) {
  std::vector<wire::Hash128> block_hashes;
  for (const wire::RangeHash& range : ranges.ranges) {
    Result<bool> equal = disk->CheckRepairRange(ranges.base_seq, range, &block_hashes);
    if (!equal.ok()) return equal.status();
    if (*equal) continue;
    CDR_RETURN_IF_ERROR(
        Send(link, wire::FrameType::kRepairBlockHashes, 0,
             wire::EncodeRepairBlockHashes({range.offset, disk->state().block_size, block_hashes})));
  }
  return Status::Ok();
}

// One frame of an accepted session; a heartbeat is answered with an ACK after a commit.
Status Apply(ByteStream& link, ReplicaDisk* disk, const wire::Frame& frame) {
  switch (frame.type) {
    case wire::FrameType::kData: {
      Result<wire::DataRecord> r = wire::DecodeDataRecord(frame.payload);
      return r.ok() ? disk->ApplyData(*r) : r.status();
    }
    case wire::FrameType::kFullSyncExtent: {
      Result<wire::FullSyncExtent> e = wire::DecodeFullSyncExtent(frame.payload);
      return e.ok() ? disk->ApplyExtent(*e) : e.status();
    }
    case wire::FrameType::kRepairRanges: {
      Result<wire::RepairRanges> r = wire::DecodeRepairRanges(frame.payload);
      return r.ok() ? AnswerRepairRanges(link, disk, *r) : r.status();
    }
    case wire::FrameType::kRepairBlocks: {
      Result<wire::RepairBlocks> b = wire::DecodeRepairBlocks(frame.payload);
      return b.ok() ? disk->ApplyRepairBlocks(*b) : b.status();
    }
    case wire::FrameType::kRepairSend: {
      Result<wire::RepairSend> m = wire::DecodeRepairSend(frame.payload);
      return m.ok() ? disk->ApplyRepairSend(*m) : m.status();
    }
    case wire::FrameType::kRepairEnd: {
      Result<wire::RepairEnd> e = wire::DecodeRepairEnd(frame.payload);
      return e.ok() ? disk->FinishRepair(e->base_seq) : e.status();
    }
    case wire::FrameType::kVerifyRange: {
      Result<wire::VerifyRange> probe = wire::DecodeVerifyRange(frame.payload);
      Result<wire::VerifyResult> result = probe.ok() ? disk->Verify(*probe) : probe.status();
      return result.ok() ? Send(link, wire::FrameType::kVerifyResult, 0, wire::EncodeVerifyResult(*result))
                         : result.status();
    }
    case wire::FrameType::kHeartbeat:
      CDR_RETURN_IF_ERROR(disk->Commit());
      return Send(link, wire::FrameType::kAck, disk->state().applied_seq, wire::EncodeAck(disk->ack()));
    default:
      return InvalidArgument(std::string("unexpected frame ") + wire::FrameTypeName(frame.type));
  }
}

}  // namespace

ShadowServer::~ShadowServer() { Stop(); }

Status ShadowServer::Start() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return Internal(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(options_.port);
  if (::inet_pton(AF_INET, options_.host.c_str(), &addr.sin_addr) != 1) {
    return InvalidArgument("not an IPv4 address: " + options_.host);
  }
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0) {
    return Unavailable("listen on " + options_.host + ":" + std::to_string(options_.port) + ": " +
                       std::strerror(errno));
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  accept_thread_ = std::thread([this] { AcceptLoop(); });
  return Status::Ok();
}

std::string ShadowServer::address() const { return options_.host + ":" + std::to_string(port_); }

void ShadowServer::Stop() {
  if (stopping_.exchange(true)) return;
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
  if (accept_thread_.joinable()) accept_thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  std::list<std::unique_ptr<Connection>> connections;
  {
    std::lock_guard lock(mutex_);
    for (auto& c : connections_) {
      if (!c->done) ::shutdown(c->fd, SHUT_RDWR);
    }
    connections.swap(connections_);
  }
  for (auto& c : connections) c->thread.join();
}

void ShadowServer::ReapFinished() {
  std::lock_guard lock(mutex_);
  for (auto it = connections_.begin(); it != connections_.end();) {
    if ((*it)->done) {
      (*it)->thread.join();
      it = connections_.erase(it);
    } else {
      ++it;
    }
  }
}

void ShadowServer::AcceptLoop() {
  while (!stopping_) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (!stopping_) spdlog::error("accept: {}", std::strerror(errno));
      return;
    }
    ReapFinished();
    timeval timeout{30, 0};  // a live agent sends a heartbeat every second
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::lock_guard lock(mutex_);
    if (static_cast<int>(connections_.size()) >= options_.max_connections) {
      spdlog::warn("refusing a connection: {} connections already open", connections_.size());
      ::close(fd);
      continue;
    }
    auto c = std::make_unique<Connection>();
    c->fd = fd;
    Connection* raw = c.get();
    c->thread = std::thread([this, raw] {
      NameThisThread("shadow-conn");
      Serve(raw);
    });
    connections_.push_back(std::move(c));
  }
}

void ShadowServer::Serve(Connection* connection) {
  const int fd = connection->fd;
  const Deadline handshake_deadline = std::chrono::steady_clock::now() + options_.handshake_timeout;
  std::unique_ptr<ByteStream> link;
  std::optional<std::vector<std::string>> peer_uris;  // none: insecure, every peer may write any disk
  if (options_.tls != nullptr) {
    Result<std::unique_ptr<TlsStream>> tls = TlsHandshake(fd, false, *options_.tls, "", handshake_deadline);
    if (tls.ok()) {
      peer_uris = (*tls)->peer_uris();
      link = std::move(*tls);
    } else {
      spdlog::warn("connection refused: {}", tls.status().ToString());
    }
  } else {
    link = std::make_unique<PlainStream>(fd, false);
  }
  std::string key;
  if (link != nullptr) key = Session(*link, peer_uris, handshake_deadline, connection);
  std::lock_guard lock(mutex_);
  if (!key.empty()) busy_disks_.erase(key);
  link.reset();
  ::close(fd);
  connection->done = true;
  released_.notify_all();
}

std::string ShadowServer::Session(ByteStream& link, const std::optional<std::vector<std::string>>& peer_uris,
                                  Deadline handshake_deadline, Connection* connection) {
  wire::Frame first;
  std::string key;
  const wire::ReadLimits handshake{kMaxHelloPayload, handshake_deadline};
  Status s = wire::ReadFrame(link, &first, handshake);
  Result<wire::Hello> hello = s.ok() && first.type == wire::FrameType::kHello
                                  ? wire::DecodeHello(first.payload)
                                  : Result<wire::Hello>(s.ok() ? InvalidArgument("expected HELLO") : s);
  std::unique_ptr<ReplicaDisk> disk;
  if (hello.ok()) {
    // Names, size and the peer's right to the disk are checked before the disk is claimed or any file
    // touched.
    Status checked = CheckHello(*hello, options_.max_disk_size);
    if (checked.ok() && peer_uris.has_value()) checked = CheckPeerGrants(*peer_uris, *hello);
    key = hello->server_id + "/" + hello->disk;
    const bool busy = checked.ok() && !ClaimDisk(key, hello->epoch, connection);
    wire::Refusal refusal = checked.ok() ? wire::Refusal::kBusy : wire::Refusal::kOther;
    Result<std::unique_ptr<ReplicaDisk>> opened =
        !checked.ok() ? Result<std::unique_ptr<ReplicaDisk>>(checked)
        : busy ? Result<std::unique_ptr<ReplicaDisk>>(Unavailable("another connection is replicating " + key))
               : ReplicaDisk::Open(options_.replica_dir, *hello, &refusal);
    if (busy || !checked.ok()) key.clear();
    if (opened.ok()) {
      disk = std::move(*opened);
      spdlog::info("{}: accepted epoch {}, applied seq {}, full sync {} at {}", key, hello->epoch,
                   disk->state().applied_seq, disk->state().full_sync_done ? "done" : "pending",
                   disk->state().full_sync_cursor);
      s = Send(link, wire::FrameType::kHelloAck, disk->state().applied_seq,
               wire::EncodeHelloAck(disk->hello_ack()));
    } else {
      // Names that broke the rule are not logged: they may hold newlines that forge log lines.
      spdlog::warn("{}: HELLO refused: {}", checked.ok() ? hello->server_id + "/" + hello->disk : "?",
                   opened.status().ToString());
      wire::HelloAck refused;
      refused.reason = opened.status().ToString();
      refused.refusal = refusal == wire::Refusal::kNone ? wire::Refusal::kOther : refusal;
      (void)Send(link, wire::FrameType::kHelloAck, 0, wire::EncodeHelloAck(refused));
    }
  } else {
    spdlog::warn("connection without a valid HELLO: {}", hello.status().ToString());
    SendError(link, hello.status());
  }

  std::optional<FrameQueue> queue;
  std::thread reader;
  if (disk != nullptr && s.ok()) {
    queue.emplace(kQueueBytes);
    reader = std::thread([&link, &queue] {
      NameThisThread("shadow-recv");
      ReadFrames(link, &*queue);
    });
  }
  uint64_t since_commit = 0;
  while (disk != nullptr && s.ok()) {
    wire::Frame frame;
    if (!queue->Pop(&frame, &s)) {
      if (s.code() == StatusCode::kDataLoss) SendError(link, s);  // the agent reconnects and resends
      break;
    }
    since_commit += frame.payload.size();
    s = Apply(link, disk.get(), frame);
    queue->Recycle(std::move(frame));
    if (!s.ok()) {
      SendError(link, s);
      break;
    }
    // Acks wait for a quiet connection so a burst costs one fdatasync, not one per record; the reader keeps
    // draining the socket meanwhile.
    if (disk->has_uncommitted() && (since_commit >= kCommitEveryBytes || queue->empty())) {
      s = disk->Commit();
      if (s.ok())
        s = Send(link, wire::FrameType::kAck, disk->state().applied_seq, wire::EncodeAck(disk->ack()));
      since_commit = 0;
    }
  }
  if (reader.joinable()) {
    queue->Close();
    link.Shutdown();
    reader.join();
  }
  if (disk != nullptr) {
    // A checkpoint, not just a commit: the next connection (or a reader of the state file) starts from it.
    Status c = disk->Commit();
    if (c.ok()) c = disk->Checkpoint();
    if (!c.ok()) spdlog::error("{}: commit failed: {}", key, c.ToString());
    spdlog::info("{}: connection closed at applied seq {}: {}", key, disk->state().applied_seq, s.ToString());
  }
  return key;
}

bool ShadowServer::ClaimDisk(const std::string& key, uint64_t epoch, Connection* connection) {
  std::unique_lock lock(mutex_);
  auto it = busy_disks_.find(key);
  if (it != busy_disks_.end()) {
    if (it->second.epoch != epoch) return false;
    spdlog::info("{}: a new connection of epoch {} takes the disk over; closing the old one", key, epoch);
    ::shutdown(it->second.connection->fd, SHUT_RDWR);
    // The old connection commits what it applied before it lets go.
    if (!released_.wait_for(lock, std::chrono::seconds(10), [&] { return busy_disks_.count(key) == 0; })) {
      return false;
    }
  }
  busy_disks_[key] = {connection, epoch};
  return true;
}

}  // namespace cdr::shadow
