// cdr-shadow's receiver: one thread per agent connection, each speaking the replication protocol
// (docs/wire-protocol.md) for one replica disk, with a second thread that reads the connection's frames ahead
// into a FrameQueue (shadow/frame_queue.h) so the stream goes on while a commit waits for the disk:
//
//   accept ──► TLS handshake (client certificate signed by the estate's CA) ──failed──► close
//                 │ (skipped with insecure: plain TCP, every peer may write every disk)
//                 ▼
//              HELLO ──► names, size, certificate grants server/disk (common/tls_identity.h), claim
//                 │          └──refused──► HELLO_ACK(refused, reason; never an epoch) ──► close
//                 ▼
//              ReplicaDisk::Open ──refused──► HELLO_ACK(refused, reason) ──► close
//                              │ accepted
//                              ▼
//              HELLO_ACK(applied seq, full sync cursor)
//                              │
//              ┌──► FULL_SYNC_EXTENT / DATA: apply ──► nothing more queued (or 32 MiB applied)?
//              │                                          │ yes: Commit (fdatasync, state file) ──► ACK(seq)
//              └──────────────────────────────────────────┘
//   HEARTBEAT ──► ACK; EOF, error or a bad frame ──► commit what was applied, close
//   REPAIR_RANGES ──► REPAIR_BLOCK_HASHES for differing ranges; REPAIR_BLOCKS, REPAIR_END: apply, ack
//   a HELLO for a disk held by a connection of the same epoch takes the disk over (the old one is closed)
//
// Limits (docs/security.md): at most max_connections at once, the TLS handshake and a complete HELLO of at
// most 4 KiB within the handshake timeout, frame payloads allocated only as their bytes arrive.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/byte_stream.h"
#include "common/status.h"
#include "common/tls_context.h"

namespace cdr::shadow {

struct ShadowOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port
  std::filesystem::path replica_dir;
  // A HELLO announcing a larger disk is refused before any file is created.
  uint64_t max_disk_size = 256ull << 30;
  // Connections beyond this are closed at once (each one costs two threads and a frame queue).
  int max_connections = 64;
  // A connection has this long to deliver a complete HELLO.
  std::chrono::milliseconds handshake_timeout{10000};
  // TLS with the shadow host's certificate, agents authenticated by theirs (common/tls_context.h); null:
  // plain TCP, which cdr-shadow runs only with --insecure.
  std::shared_ptr<const TlsContext> tls;
};

class ShadowServer {
 public:
  explicit ShadowServer(ShadowOptions options) : options_(std::move(options)) {}
  ~ShadowServer();
  ShadowServer(const ShadowServer&) = delete;
  ShadowServer& operator=(const ShadowServer&) = delete;

  Status Start();
  // Closes the listener and every connection (what was applied is committed first) and joins the threads.
  void Stop();
  std::string address() const;  // "127.0.0.1:PORT"

 private:
  struct Connection {
    int fd = -1;
    std::thread thread;
    std::atomic<bool> done{false};
  };
  void AcceptLoop();
  void Serve(Connection* connection);
  // The replication session on an established stream; returns the disk key it claimed ("" when none).
  // peer_uris: the names of the verified client certificate (none without TLS).
  std::string Session(ByteStream& link, const std::optional<std::vector<std::string>>& peer_uris,
                      Deadline handshake_deadline, Connection* connection);
  void ReapFinished();
  // Claims the replica disk `key` for `connection`. A live connection of the same epoch is taken over (an agent
  // that reconnects after a half-open link must not wait for the old socket's timeout); false when another
  // epoch holds it or the old connection does not let go.
  bool ClaimDisk(const std::string& key, uint64_t epoch, Connection* connection);

  const ShadowOptions options_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  std::mutex mutex_;
  std::list<std::unique_ptr<Connection>> connections_;
  struct Claim {
    Connection* connection;
    uint64_t epoch;
  };
  std::map<std::string, Claim> busy_disks_;  // "<server>/<disk>" with a live connection
  std::condition_variable released_;
};

}  // namespace cdr::shadow
