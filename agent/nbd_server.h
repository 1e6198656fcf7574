// The NBD front of the agent: fixed-newstyle handshake, simple or structured replies, base:allocation block
// status, one thread per connection (bounded) that serves its requests with up to 4 workers, replies in any
// order. Exports are looked up by name; the empty name is the first export.
//
//   accept thread ──► connection thread: handshake (nbd_handshake.cc) ──► transmission (nbd_connection.cc)
//                                                                          └─► workers ──► BlockDevice stack
//
// With a TLS context every client must upgrade with NBD_OPT_STARTTLS and present a certificate of the estate's
// CA before anything else is haggled (nbd_starttls.cc); the connection's bytes then go through the TLS stream.
//
// All connections of an export share one BlockDevice stack, so FLUSH from any connection persists the writes
// of all of them (fdatasync of the file, journal and bitmap, each a group commit shared by the FLUSH/FUA
// requests waiting together): CAN_MULTI_CONN is advertised on that basis.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/block_device.h"
#include "common/status.h"
#include "common/tls_context.h"

namespace cdr::agent {

struct NbdExport {
  std::string name;
  std::string description;
  BlockDevice* device = nullptr;  // not owned; outlives the server
};

struct NbdServerOptions {
  std::string host = "127.0.0.1";  // an address literal, e.g. 127.0.0.1 or ::1
  uint16_t port = 0;                // 0: the kernel picks a free port, see NbdServer::port()
  // At the cap, the oldest connection still in its handshake makes room for the new one, so silent
  // connections cannot lock a real client out; connections in transmission are never evicted.
  int max_connections = 64;
  // A client has this long for the whole option haggling, then this long between requests.
  int handshake_timeout_seconds = 10;
  int idle_timeout_seconds = 600;
  // Set: TLS is required (NBD_OPT_STARTTLS, a client certificate of the CA); null: plain NBD.
  std::shared_ptr<const TlsContext> tls;
};

class NbdServer {
 public:
  NbdServer(std::vector<NbdExport> exports, NbdServerOptions options);
  ~NbdServer();  // Stop()
  NbdServer(const NbdServer&) = delete;
  NbdServer& operator=(const NbdServer&) = delete;

  Status Start();
  uint16_t port() const { return port_; }
  // "127.0.0.1:10809" or "[::1]:10809"
  std::string address() const;
  // Closes the listener and every connection, then joins their threads. In-flight requests complete first
  // because a connection only notices the shutdown on its next socket read.
  void Stop();

  const NbdExport* FindExport(const std::string& name) const;
  const std::vector<NbdExport>& exports() const { return exports_; }
  const NbdServerOptions& options() const { return options_; }
  const TlsContext* tls() const { return options_.tls.get(); }

 private:
  struct Connection {
    int fd = -1;
    std::thread thread;
    std::atomic<bool> done{false};
    std::atomic<bool> in_handshake{true};
    bool evicted = false;  // shut down to make room; its thread ends on its next read
  };
  void AcceptLoop();
  void Serve(Connection* connection);
  void ReapFinished();  // joins threads of connections that ended; called with mutex_ held
  // With mutex_ held: true when there is room for one more connection, evicting the oldest handshaking one
  // if that is what it takes.
  bool MakeRoom();

  std::vector<NbdExport> exports_;
  NbdServerOptions options_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread accept_thread_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::atomic<bool> stopping_{false};
};

}  // namespace cdr::agent
