#include "agent/replication_sender.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "agent/full_sync.h"
#include "agent/internal/journal_format.h"
#include "agent/journal_reader.h"
#include "common/json_file.h"
#include "common/random_hex.h"

namespace cdr::agent {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kBatchBytes = 1 << 20;
constexpr auto kHeartbeatEvery = std::chrono::seconds(1);
constexpr auto kMaxBackoff = std::chrono::milliseconds(5000);

Result<int> Connect(const std::string& host, uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1)
    return InvalidArgument("not an IPv4 address: " + host);
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Unavailable(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    Status s = Unavailable("connect " + host + ":" + std::to_string(port) + ": " + std::strerror(errno));
    ::close(fd);
    return s;
  }
  // The shadow answers every heartbeat, so 10 s without a frame means the link is gone.
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

const char* ReplicationPhaseName(ReplicationPhase phase) {
  switch (phase) {
    case ReplicationPhase::kReplicationStarting:
      return "replication_starting";
    case ReplicationPhase::kFullSync:
      return "full_sync";
    case ReplicationPhase::kRealtime:
      return "realtime";
    case ReplicationPhase::kStopped:
      return "stopped";
    case ReplicationPhase::kError:
      return "replication_error";
    case ReplicationPhase::kRepairStarting:
      return "repair_starting";
    case ReplicationPhase::kRepairing:
      return "repairing";
  }
  return "unknown";
}

ReplicationSender::ReplicationSender(ReplicationOptions options, Journal* journal, uint64_t disk_size,
                                     uint32_t block_size)
    : options_(std::move(options)), journal_(journal), disk_size_(disk_size), block_size_(block_size) {}

ReplicationSender::~ReplicationSender() { Stop(); }

void ReplicationSender::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void ReplicationSender::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    if (session_fd_ >= 0) ::shutdown(session_fd_, SHUT_RDWR);
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ReplicationSender::StartRepair() {
  {
    std::lock_guard lock(mutex_);
    // A sender just started with a known need for repair enters kError on its own thread: the request is kept
    // for it rather than lost.
    const bool entering_error = status_.phase == ReplicationPhase::kStopped && thread_.joinable() && !stop_ &&
                                (needs_repair_ || (!options_.initial_error.empty() && !initial_error_used_));
    if (status_.phase != ReplicationPhase::kError && !entering_error) return;
    repair_requested_ = true;
    needs_repair_ = true;
  }
  cv_.notify_all();
}

uint64_t ReplicationSender::RecordTimeNs(uint64_t seq) const {
  if (seq == lag_cache_seq_) return lag_cache_time_ns_;
  Result<std::unique_ptr<JournalReader>> reader = JournalReader::Open(journal_->dir(), seq, seq);
  JournalRecord record;
  if (!reader.ok()) return 0;
  Result<bool> got = (*reader)->Next(&record);
  if (!got.ok() || !*got) return 0;
  lag_cache_seq_ = seq;
  lag_cache_time_ns_ = record.time_ns;
  return record.time_ns;
}

ReplicationStatus ReplicationSender::status() const {
  std::lock_guard lock(mutex_);
  ReplicationStatus s = status_;
  s.acked_seq = acked_seq_;
  s.link_up = link_up_;
  s.full_sync_done = shadow_full_sync_done_;
  s.journal_seq = journal_->next_seq() - 1;
  s.journal_bytes = journal_->total_bytes();
  const bool repairing = s.phase == ReplicationPhase::kError || s.phase == ReplicationPhase::kRepairStarting ||
                         s.phase == ReplicationPhase::kRepairing;
  if (s.phase == ReplicationPhase::kRepairing || s.phase == ReplicationPhase::kRepairStarting) {
    s.progress_percent = 100.0 * static_cast<double>(shadow_repair_cursor_) / disk_size_;
  } else {
    s.progress_percent =
        shadow_full_sync_done_ ? 100.0 : 100.0 * static_cast<double>(shadow_cursor_) / disk_size_;
  }
  const uint64_t now = internal::NowRealtimeNs();
  uint64_t oldest_ns = 0;
  if (repairing && needs_repair_) {
    oldest_ns = unreplicated_since_ns_;
  } else if (shadow_full_sync_done_ && s.journal_seq > acked_seq_) {
    // In flight, the oldest record is at hand; with the link down it is read from the journal.
    oldest_ns = !in_flight_.empty() ? in_flight_.front().time_ns : RecordTimeNs(acked_seq_ + 1);
  }
  if (oldest_ns != 0 && now > oldest_ns) s.lag_seconds = static_cast<double>(now - oldest_ns) / 1e9;
  return s;
}

bool ReplicationSender::WaitForAck(uint64_t seq, std::chrono::milliseconds deadline) {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, deadline, [&] { return stop_ || acked_seq_ >= seq; }) && acked_seq_ >= seq;
}

void ReplicationSender::SetPhase(ReplicationPhase phase, const std::string& reason) {
  std::lock_guard lock(mutex_);
  if (status_.phase == phase) return;
  spdlog::info("replication {}/{} → {}:{}: {} → {} ({})", options_.server_id, options_.disk, options_.host,
               options_.port, ReplicationPhaseName(status_.phase), ReplicationPhaseName(phase), reason);
  status_.phase = phase;
}

void ReplicationSender::EnterError(const std::string& reason) {
  uint64_t oldest_ns = 0;
  {
    std::lock_guard lock(mutex_);
    if (journal_->next_seq() - 1 > acked_seq_)
      oldest_ns = RecordTimeNs(std::max(acked_seq_ + 1, journal_->first_seq()));
  }
  if (Status s = journal_->Reset(); !s.ok()) {
    spdlog::error("replication {}/{}: journal reset failed: {}", options_.server_id, options_.disk, s.ToString());
  }
  {
    std::lock_guard lock(mutex_);
    if (!needs_repair_ || unreplicated_since_ns_ == 0) {
      unreplicated_since_ns_ = oldest_ns != 0 ? oldest_ns : internal::NowRealtimeNs();
    }
    needs_repair_ = true;
    fresh_repair_ = true;
    repair_requested_ = false;
    status_.last_error = reason;
  }
  SetPhase(ReplicationPhase::kError, reason);
}

bool ReplicationSender::SessionBroken() {
  std::lock_guard lock(mutex_);
  return stop_ || session_broken_;
}

void ReplicationSender::Run() {
  bool error_at_start;
  std::string reason;
  {
    std::lock_guard lock(mutex_);
    if (!options_.initial_error.empty() && !initial_error_used_) {
      initial_error_used_ = true;
      needs_repair_ = true;
      reason = options_.initial_error;
    } else if (needs_repair_) {
      reason = status_.last_error.empty() ? "a repair is still needed" : status_.last_error;
    }
    error_at_start = needs_repair_;
    link_down_since_ = Clock::now();
  }
  if (error_at_start) {
    bool repair_already_requested;
    {
      std::lock_guard lock(mutex_);
      repair_already_requested = repair_requested_;
    }
    EnterError(reason);
    if (repair_already_requested) {
      std::lock_guard lock(mutex_);
      repair_requested_ = true;
    }
  } else {
    SetPhase(ReplicationPhase::kReplicationStarting, "started");
  }
  auto backoff = std::chrono::milliseconds(100);
  while (true) {
    {
      std::unique_lock lock(mutex_);
      if (stop_) break;
      if (status_.phase == ReplicationPhase::kError && needs_repair_ && !options_.auto_restart &&
          !repair_requested_) {
        cv_.wait(lock, [&] { return stop_ || repair_requested_; });
        continue;
      }
    }
    const uint64_t acked_before = status().acked_seq;
    Result<int> fd = Connect(options_.host, options_.port);
    Status s = fd.ok() ? RunSession(*fd) : fd.status();
    bool in_error;
    {
      std::lock_guard lock(mutex_);
      if (stop_) break;
      in_error = status_.phase == ReplicationPhase::kError;
      // In error last_error keeps the reason of the error, not the latest failed probe.
      if (!in_error || !needs_repair_) status_.last_error = s.ToString();
    }
    if (s.code() == StatusCode::kFailedPrecondition || s.code() == StatusCode::kDataLoss) {
      SetPhase(ReplicationPhase::kError, s.ToString());
      backoff = kMaxBackoff;
    } else {
      if (!in_error) {
        spdlog::warn("replication {}/{}: link down, retrying in {} ms: {}", options_.server_id, options_.disk,
                     backoff.count(), s.ToString());
      }
      backoff = status().acked_seq > acked_before
                    ? std::chrono::milliseconds(100)
                    : std::min(backoff * 2, std::chrono::milliseconds(kMaxBackoff));
    }
    std::unique_lock lock(mutex_);
    auto wake = Clock::now() + backoff;
    const bool watching_outage = status_.phase != ReplicationPhase::kError;
    const auto outage_deadline = link_down_since_ + options_.outage_window;
    if (watching_outage) wake = std::min(wake, std::max(outage_deadline, Clock::now()));
    cv_.wait_until(lock, wake, [&] { return stop_; });
    if (stop_) break;
    const bool journal_lost = journal_->full() || journal_->broken();
    if (watching_outage && (Clock::now() >= outage_deadline || journal_lost)) {
      const std::string why =
          journal_lost ? "journal full while the link is down: the dirty bitmap holds the rest; a repair is needed"
                       : "link down for more than " + std::to_string(options_.outage_window.count()) +
                             " s (outage window); a repair is needed";
      lock.unlock();
      EnterError(why);
    }
  }
  {
    std::lock_guard lock(mutex_);
    link_up_ = false;
  }
  SetPhase(ReplicationPhase::kStopped, "stop requested");
}

Status ReplicationSender::RunSession(int fd) {
  wire::Hello hello{options_.server_id, options_.disk, disk_size_, block_size_, options_.epoch, 0};
  {
    std::lock_guard lock(mutex_);
    hello.resume_from_seq = acked_seq_;
    hello.flags = needs_repair_ ? wire::kHelloRepair : 0;
    session_fd_ = fd;
    session_broken_ = false;
    session_error_.clear();
    in_flight_.clear();
    in_flight_bytes_ = 0;
    in_full_sync_ = false;
    repair_replies_.clear();
    rate_bytes_ = 0;
    if (stop_) ::shutdown(fd, SHUT_RDWR);
  }
  wire::Frame frame;
  Status s =
      wire::WriteAll(fd, wire::EncodeFrame(wire::FrameType::kHello, 0, wire::EncodeHello(hello), false));
  if (s.ok()) s = wire::ReadFrame(fd, &frame);
  Result<wire::HelloAck> ack = InvalidArgument("expected HELLO_ACK");
  if (s.ok() && frame.type == wire::FrameType::kHelloAck) ack = wire::DecodeHelloAck(frame.payload);
  if (s.ok() && frame.type == wire::FrameType::kError) {
    Result<wire::ErrorMessage> e = wire::DecodeError(frame.payload);
    ack = Unavailable("shadow: " + (e.ok() ? e->message : e.status().ToString()));
  }
  if (s.ok()) s = ack.status();
  if (s.ok() && !ack->accepted) {
    if (ack->refusal == wire::Refusal::kDiskSizeChanged) {
      EnterError("shadow refused HELLO: " + ack->reason);
      s = Unavailable("disk size changed: the repair resizes the replica");
    } else if (ack->refusal == wire::Refusal::kBusy) {
      s = Unavailable("shadow refused HELLO: " + ack->reason);
    } else {
      s = FailedPrecondition("shadow refused HELLO: " + ack->reason);
    }
  }
  if (s.ok()) {
    bool repair;
    {
      std::lock_guard lock(mutex_);
      acked_seq_ = ack->applied_seq;
      shadow_full_sync_done_ = ack->full_sync_done;
      shadow_cursor_ = ack->full_sync_cursor;
      shadow_repair_in_progress_ = ack->repair_in_progress;
      shadow_repair_cursor_ = ack->repair_cursor;
      link_up_ = true;
      repair = ack->full_sync_done && (needs_repair_ || ack->repair_in_progress);
    }
    std::thread receiver([this, fd] { ReceiveAcks(fd); });
    if (!ack->full_sync_done) {
      s = FullSync(fd, *ack);
    } else if (repair) {
      s = Repair(fd, *ack);
    } else if (ack->applied_seq + 1 < journal_->first_seq()) {
      // Never a silent gap: records the replica needs are gone (a reset journal and an agent restart).
      EnterError("the journal no longer holds the records after the replica's seq " +
                 std::to_string(ack->applied_seq) + " (oldest is " + std::to_string(journal_->first_seq()) +
                 "); a repair is needed");
      s = Unavailable("records lost: a repair is needed");
    }
    if (s.ok()) s = Realtime(fd);
    ::shutdown(fd, SHUT_RDWR);
    receiver.join();
    std::lock_guard lock(mutex_);
    link_up_ = false;
    link_down_since_ = Clock::now();
    if (s.ok() || s.code() == StatusCode::kUnavailable) {
      if (!session_error_.empty()) s = Unavailable(session_error_);
    }
  }
  std::lock_guard lock(mutex_);
  session_fd_ = -1;
  ::close(fd);
  return s;
}

void ReplicationSender::ReceiveAcks(int fd) {
  wire::Frame frame;
  std::string error;
  while (true) {
    Status s = wire::ReadFrame(fd, &frame);
    if (!s.ok()) {
      error = s.ToString();
      break;
    }
    if (frame.type == wire::FrameType::kError) {
      Result<wire::ErrorMessage> e = wire::DecodeError(frame.payload);
      error = "shadow: " + (e.ok() ? e->message : e.status().ToString());
      break;
    }
    if (frame.type == wire::FrameType::kRepairBlockHashes) {
      Result<wire::RepairBlockHashes> hashes = wire::DecodeRepairBlockHashes(frame.payload);
      if (!hashes.ok()) {
        error = hashes.status().ToString();
        break;
      }
      std::lock_guard lock(mutex_);
      repair_replies_.push_back(std::move(*hashes));
      cv_.notify_all();
      continue;
    }
    if (frame.type != wire::FrameType::kAck) continue;
    Result<wire::Ack> ack = wire::DecodeAck(frame.payload);
    if (!ack.ok()) {
      error = ack.status().ToString();
      break;
    }
    std::lock_guard lock(mutex_);
    acked_seq_ = std::max(acked_seq_, ack->applied_seq);
    shadow_cursor_ = ack->full_sync_cursor;
    shadow_full_sync_done_ = ack->full_sync_done;
    shadow_repair_in_progress_ = ack->repair_in_progress;
    shadow_repair_cursor_ = ack->repair_cursor;
    const uint64_t done_key = !in_full_sync_        ? acked_seq_
                              : ack->full_sync_done ? std::numeric_limits<uint64_t>::max()
                                                    : ack->full_sync_cursor;
    while (!in_flight_.empty() && in_flight_.front().key <= done_key) {
      in_flight_bytes_ -= in_flight_.front().bytes;
      in_flight_.pop_front();
    }
    cv_.notify_all();
  }
  {
    std::lock_guard lock(mutex_);
    session_broken_ = true;
    if (session_error_.empty()) session_error_ = error;
  }
  ::shutdown(fd, SHUT_RDWR);
  cv_.notify_all();
}

Status ReplicationSender::Flush(int fd, std::vector<uint8_t>* batch) {
  if (batch->empty()) return Status::Ok();
  if (options_.rate_bytes_per_second > 0) {
    std::unique_lock lock(mutex_);
    if (rate_bytes_ == 0) rate_start_ = Clock::now();
    rate_bytes_ += batch->size();
    const auto due =
        rate_start_ + std::chrono::microseconds(rate_bytes_ * 1000000 / options_.rate_bytes_per_second);
    // A slow rate may hold a frame back for longer than the link timeout: heartbeats keep the acks coming.
    while (!cv_.wait_until(lock, std::min(due, Clock::now() + kHeartbeatEvery), [&] {
      return stop_ || session_broken_;
    }) && Clock::now() < due) {
      lock.unlock();
      Status s =
          wire::WriteAll(fd, wire::EncodeFrame(wire::FrameType::kHeartbeat, 0,
                                               wire::EncodeHeartbeat(internal::NowRealtimeNs()), false));
      lock.lock();
      if (!s.ok()) return s;
    }
  }
  if (SessionBroken()) return Unavailable("session closed");
  CDR_RETURN_IF_ERROR(wire::WriteAll(fd, *batch));
  std::lock_guard lock(mutex_);
  status_.bytes_sent += batch->size();
  batch->clear();
  return Status::Ok();
}

Status ReplicationSender::Reserve(int fd, std::vector<uint8_t>* batch, uint64_t key, uint64_t bytes,
                                  uint64_t time_ns) {
  auto fits = [&] { return in_flight_.empty() || in_flight_bytes_ + bytes <= options_.window_bytes; };
  bool room;
  {
    std::lock_guard lock(mutex_);
    room = fits();
  }
  if (!room) {
    CDR_RETURN_IF_ERROR(Flush(fd, batch));
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return stop_ || session_broken_ || fits(); });
  }
  std::lock_guard lock(mutex_);
  if (stop_ || session_broken_) return Unavailable("session closed");
  in_flight_.push_back({key, bytes, time_ns});
  in_flight_bytes_ += bytes;
  return Status::Ok();
}

Status ReplicationSender::FullSync(int fd, const wire::HelloAck& ack) {
  uint64_t cursor = ack.full_sync_cursor;
  uint64_t base = ack.full_sync_base_seq;
  if (cursor != 0 && journal_->first_seq() > base + 1) {
    // The writes after the base are gone from the journal: only a sync from byte 0 covers them.
    spdlog::warn("replication {}/{}: full sync base seq {} was released from the journal; restarting at 0",
                 options_.server_id, options_.disk, base);
    cursor = 0;
  }
  if (cursor == 0) {
    // Every write up to here is read from the disk; later ones are journaled and streamed after the sync.
    if (journal_->full() || journal_->broken()) CDR_RETURN_IF_ERROR(journal_->Reset());
    base = journal_->next_seq() - 1;
  }
  {
    std::lock_guard lock(mutex_);
    in_full_sync_ = true;
  }
  SetPhase(ReplicationPhase::kFullSync,
           "replica has no complete copy; resuming at byte " + std::to_string(cursor));
  Result<std::unique_ptr<FullSyncReader>> reader =
      FullSyncReader::Open(options_.disk_path, disk_size_, block_size_, options_.extent_bytes);
  if (!reader.ok()) return reader.status();
  const uint64_t started_at = cursor;
  uint64_t sent = 0;
  std::vector<DataRun> runs;
  std::vector<uint8_t> batch;
  while (true) {
    Result<bool> more = (*reader)->NextChunk(&cursor, &runs);
    if (!more.ok()) return more.status();
    if (!*more) break;
    for (size_t i = 0; i < runs.size(); ++i) {
      const DataRun& run = runs[i];
      const uint64_t extent_cursor = i + 1 < runs.size() ? run.offset + run.data.size() : cursor;
      std::vector<uint8_t> frame = wire::EncodeFrame(
          wire::FrameType::kFullSyncExtent, 0,
          wire::EncodeFullSyncExtent({run.offset, extent_cursor, base, run.data}), options_.compress);
      CDR_RETURN_IF_ERROR(Reserve(fd, &batch, extent_cursor, frame.size(), 0));
      batch = std::move(frame);
      CDR_RETURN_IF_ERROR(Flush(fd, &batch));
      sent += run.data.size();
      std::lock_guard lock(mutex_);
      status_.full_sync_bytes_sent += run.data.size();
    }
  }
  batch = wire::EncodeFrame(wire::FrameType::kFullSyncExtent, 0,
                            wire::EncodeFullSyncExtent({disk_size_, disk_size_, base, {}}), false);
  CDR_RETURN_IF_ERROR(Reserve(fd, &batch, disk_size_, batch.size(), 0));
  CDR_RETURN_IF_ERROR(Flush(fd, &batch));
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return stop_ || session_broken_ || shadow_full_sync_done_; });
  if (!shadow_full_sync_done_) return Unavailable("session closed before the full sync was acknowledged");
  in_full_sync_ = false;
  // A complete copy from the base on also settles any repair that was pending.
  needs_repair_ = false;
  repair_requested_ = false;
  spdlog::info("replication {}/{}: full sync done: {} data bytes sent from byte {}, replica at seq {}",
               options_.server_id, options_.disk, sent, started_at, acked_seq_);
  return Status::Ok();
}

Status ReplicationSender::Realtime(int fd) {
  uint64_t next;
  {
    std::lock_guard lock(mutex_);
    next = acked_seq_ + 1;
  }
  if (next < journal_->first_seq()) {
    EnterError("journal released past the replica's seq " + std::to_string(next - 1) + " (oldest is " +
               std::to_string(journal_->first_seq()) + "); a repair is needed");
    return Unavailable("records lost: a repair is needed");
  }
  SetPhase(ReplicationPhase::kRealtime, "streaming the journal from seq " + std::to_string(next));
  std::vector<uint8_t> batch;
  auto last_send = Clock::now();
  uint64_t released = 0;
  while (!SessionBroken()) {
    const uint64_t up_to = journal_->next_seq() - 1;
    if (up_to >= next) {
      Result<std::unique_ptr<JournalReader>> reader = JournalReader::Open(journal_->dir(), next, up_to);
      if (!reader.ok()) return reader.status();
      JournalRecord record;
      while (true) {
        Result<bool> got = (*reader)->Next(&record);
        if (!got.ok()) return got.status();
        if (!*got) break;
        wire::DataRecord m{static_cast<uint16_t>(record.kind),
                           record.flags,
                           record.seq,
                           record.time_ns,
                           record.offset,
                           record.length,
                           record.checksum,
                           record.data};
        std::vector<uint8_t> frame = wire::EncodeFrame(wire::FrameType::kData, record.seq,
                                                       wire::EncodeDataRecord(m), options_.compress);
        CDR_RETURN_IF_ERROR(Reserve(fd, &batch, record.seq, frame.size(), record.time_ns));
        batch.insert(batch.end(), frame.begin(), frame.end());
        if (batch.size() >= kBatchBytes) CDR_RETURN_IF_ERROR(Flush(fd, &batch));
        next = record.seq + 1;
      }
      CDR_RETURN_IF_ERROR(Flush(fd, &batch));
      last_send = Clock::now();
    } else if (Clock::now() - last_send >= kHeartbeatEvery) {
      batch = wire::EncodeFrame(wire::FrameType::kHeartbeat, 0,
                                wire::EncodeHeartbeat(internal::NowRealtimeNs()), false);
      CDR_RETURN_IF_ERROR(Flush(fd, &batch));
      last_send = Clock::now();
    }
    uint64_t acked;
    {
      std::lock_guard lock(mutex_);
      acked = acked_seq_;
    }
    if (acked > released) {
      CDR_RETURN_IF_ERROR(journal_->ReleaseUpTo(acked));
      released = acked;
    }
    if (journal_->full() || journal_->broken()) {
      // Records past the bound are lost to the stream: stopping here beats streaming a gap.
      EnterError(std::string("journal ") + (journal_->full() ? "full" : "broken") +
                 ": the dirty bitmap holds the rest; a repair is needed");
      return Unavailable("journal full: a repair is needed");
    }
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::milliseconds(5), [&] { return stop_ || session_broken_; });
  }
  return Unavailable("session closed");
}

Result<uint64_t> LoadOrCreateReplicationEpoch(const std::filesystem::path& export_state_dir) {
  const std::filesystem::path path = export_state_dir / "replication.json";
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    Result<nlohmann::json> j = ReadJsonFile(path);
    if (!j.ok()) return j.status();
    if (!j->is_object() || !j->contains("epoch") || !(*j)["epoch"].is_number_unsigned()) {
      return DataLoss(path.string() + ": no epoch");
    }
    return (*j)["epoch"].get<uint64_t>();
  }
  uint64_t epoch = 0;
  while (epoch == 0) epoch = std::strtoull(RandomHex(8).c_str(), nullptr, 16);
  CDR_RETURN_IF_ERROR(WriteJsonFileAtomically(path, {{"epoch", epoch}}));
  return epoch;
}

}  // namespace cdr::agent
