#include "agent/replication_sender.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <limits>

#include "agent/full_sync.h"
#include "agent/internal/compression_backoff.h"
#include "agent/internal/compression_probe.h"
#include "agent/internal/journal_follower.h"
#include "agent/internal/shadow_connect.h"
#include "common/thread_name.h"
#include "journal/format.h"

namespace cdr::agent {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kBatchBytes = 1 << 20;
constexpr auto kHeartbeatEvery = std::chrono::seconds(1);
constexpr auto kMaxBackoff = std::chrono::milliseconds(5000);
// A gathered batch is sent once this many records wait (fewer than kBatchBytes of 4 KiB writes).
constexpr uint64_t kGatherRecords = 128;

// The DATA record's fields without its data (EncodeDataRecord of a record with no data).
std::vector<uint8_t> DataRecordHead(const journal::Record& record) {
  journal::Record head = record;
  head.data = {};
  return wire::EncodeDataRecord(head);
}

size_t PlainDataFrameSize(std::span<const uint8_t> head, const journal::Record& record) {
  return wire::kFrameHeaderSize + head.size() + record.data.size() + wire::kFrameTrailerSize;
}

// The uncompressed DATA frame of `record` (whose DataRecordHead is `head`) appended to `batch`: the bytes
// EncodeFrame(EncodeDataRecord(record), compress = false) gives, with the record's data copied once (into the
// batch) instead of three times.
void AppendPlainDataFrame(std::span<const uint8_t> head, const journal::Record& record,
                          std::vector<uint8_t>* batch) {
  const std::span<const uint8_t> pieces[] = {head, record.data};
  wire::AppendPlainFrame(wire::FrameType::kData, record.seq, pieces, batch);
}

}  // namespace

ReplicationSender::ReplicationSender(ReplicationOptions options, Journal* journal, uint64_t disk_size,
                                     uint32_t block_size)
    : options_(std::move(options)),
      journal_(journal),
      disk_size_(disk_size),
      block_size_(block_size),
      rate_bytes_per_second_(options_.rate_bytes_per_second),
      outage_window_(options_.outage_window) {
  // Taking the mutex orders the wake after the realtime loop's look at the journal: no append is missed. An
  // append the loop does not wait for (it gathers a batch) costs no lock and no wake.
  append_listener_ = journal_->AddAppendListener([this](const Result<uint64_t>& appended) {
    if (appended.ok() && *appended < wake_at_seq_.load()) return;
    { std::lock_guard lock(mutex_); }
    cv_.notify_all();
  });
}

ReplicationSender::~ReplicationSender() {
  Stop();
  journal_->RemoveAppendListener(append_listener_);
}

void ReplicationSender::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] {
    NameThisThread("repl-sender");
    Run();
  });
}

void ReplicationSender::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    if (session_link_ != nullptr) session_link_->Shutdown();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

ReplicationStatus ReplicationSender::status() const {
  std::lock_guard lock(mutex_);
  ReplicationStatus s = status_;
  s.acked_seq = acked_seq_;
  s.link_up = link_up_;
  s.full_sync_done = shadow_full_sync_done_;
  s.journal_seq = journal_->next_seq() - 1;
  s.journal_bytes = journal_->total_bytes();
  if (s.phase == ReplicationPhase::kRepairing || s.phase == ReplicationPhase::kRepairStarting) {
    s.progress_percent = 100.0 * static_cast<double>(shadow_repair_cursor_) / disk_size_;
  } else {
    s.progress_percent =
        shadow_full_sync_done_ ? 100.0 : 100.0 * static_cast<double>(shadow_cursor_) / disk_size_;
  }
  s.lag_seconds = LagSecondsLocked(s);
  return s;
}

bool ReplicationSender::WaitForAck(uint64_t seq, std::chrono::milliseconds deadline) {
  std::unique_lock lock(mutex_);
  if (acked_seq_ >= seq) return true;
  // The record's append woke the realtime loop (the journal's listener); a loop gathering a batch sends it
  // now that a writer waits.
  ++ack_waiters_;
  cv_.notify_all();
  const bool acked =
      cv_.wait_for(lock, deadline, [&] { return stop_ || acked_seq_ >= seq; }) && acked_seq_ >= seq;
  --ack_waiters_;
  return acked;
}

ReplicationSender::AckWaiter::AckWaiter(ReplicationSender* sender) : sender_(sender) {
  {
    std::lock_guard lock(sender_->mutex_);
    ++sender_->ack_waiters_;
  }
  sender_->cv_.notify_all();  // a realtime loop gathering a batch sends it now
}

ReplicationSender::AckWaiter::~AckWaiter() {
  std::lock_guard lock(sender_->mutex_);
  --sender_->ack_waiters_;
}

void ReplicationSender::SetPhase(ReplicationPhase phase, const std::string& reason) {
  std::lock_guard lock(mutex_);
  if (status_.phase == phase) return;
  spdlog::info("replication {}/{} → {}:{}: {} → {} ({})", options_.server_id, options_.disk, options_.host,
               options_.port, ReplicationPhaseName(status_.phase), ReplicationPhaseName(phase), reason);
  status_.phase = phase;
}

bool ReplicationSender::RepairDue() {
  std::lock_guard lock(mutex_);
  return needs_repair_;
}

bool ReplicationSender::SessionBroken() {
  std::lock_guard lock(mutex_);
  return stop_ || session_broken_;
}

void ReplicationSender::Run() {
  EnterFirstPhase();
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
    Result<std::unique_ptr<ByteStream>> link =
        internal::ConnectToShadow(options_.host, options_.port, options_.tls.get());
    Status s = link.ok() ? RunSession(**link) : link.status();
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
    if (!WaitToRetry(backoff)) break;
  }
  {
    std::lock_guard lock(mutex_);
    link_up_ = false;
  }
  SetPhase(ReplicationPhase::kStopped, "stop requested");
}

Status ReplicationSender::RunSession(ByteStream& link) {
  wire::Hello hello{options_.server_id, options_.disk, disk_size_, block_size_, options_.epoch, 0};
  {
    std::lock_guard lock(mutex_);
    hello.resume_from_seq = acked_seq_;
    hello.flags = needs_repair_ ? wire::kHelloRepair : 0;
    session_link_ = &link;
    session_broken_ = false;
    session_error_.clear();
    in_flight_.clear();
    in_flight_bytes_ = 0;
    in_full_sync_ = false;
    repair_replies_.clear();
    divergence_.clear();
    rate_bytes_ = 0;
    if (stop_) link.Shutdown();
  }
  wire::Frame frame;
  Status s = link.WriteAll(wire::EncodeFrame(wire::FrameType::kHello, 0, wire::EncodeHello(hello), false));
  if (s.ok()) s = wire::ReadFrame(link, &frame);
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
    const uint64_t journal_last = journal_->next_seq() - 1;
    bool repair;
    bool ahead;
    {
      std::lock_guard lock(mutex_);
      repair = ack->full_sync_done && (needs_repair_ || ack->repair_in_progress);
      // A repair of every block settles whatever the replica holds; anything else continues from its seq, which
      // must be one this journal reached.
      ahead = ack->full_sync_done && !(repair && !resync_only_) && ack->applied_seq > journal_last;
      if (!ahead) acked_seq_ = ack->applied_seq;
      shadow_full_sync_done_ = ack->full_sync_done;
      shadow_cursor_ = ack->full_sync_cursor;
      shadow_repair_in_progress_ = ack->repair_in_progress;
      shadow_repair_cursor_ = ack->repair_cursor;
      link_up_ = true;
    }
    std::thread receiver([this, &link] {
      NameThisThread("repl-acks");
      ReceiveAcks(link);
    });
    if (ahead) {
      // The replica holds records this disk never journaled (an older journal restored here, or another
      // writer of this epoch): streaming from its seq + 1 would skip this disk's own next writes as
      // "resends" and leave the replica silently different.
      EnterError("the shadow's applied seq " + std::to_string(ack->applied_seq) +
                 " is ahead of this agent's journal (last seq " + std::to_string(journal_last) +
                 "): the replica may differ from the disk; a repair is needed");
      s = Unavailable("the shadow is ahead of the journal: a repair is needed");
    } else if (!ack->full_sync_done) {
      s = FullSync(link, *ack);
      // A full sync resumed past a block that changed without a record (an agent crash) did not copy it.
      if (s.ok() && RepairDue()) s = Repair(link, wire::HelloAck{});
    } else if (repair) {
      s = Repair(link, *ack);
    } else if (ack->applied_seq + 1 < journal_->first_seq()) {
      // Never a silent gap: records the replica needs are gone (a reset journal and an agent restart).
      EnterError("the journal no longer holds the records after the replica's seq " +
                 std::to_string(ack->applied_seq) + " (oldest is " + std::to_string(journal_->first_seq()) +
                 "); a repair is needed");
      s = Unavailable("records lost: a repair is needed");
    }
    if (s.ok()) s = Realtime(link);
    link.Shutdown();
    receiver.join();
    std::lock_guard lock(mutex_);
    link_up_ = false;
    link_down_since_ = Clock::now();
    if (s.ok() || s.code() == StatusCode::kUnavailable) {
      if (!session_error_.empty()) s = Unavailable(session_error_);
    }
  }
  std::lock_guard lock(mutex_);
  session_link_ = nullptr;  // the caller closes the stream once no thread can reach it
  AbandonVerifiesLocked("the session with the shadow ended: " + s.ToString());
  return s;
}

void ReplicationSender::ReceiveAcks(ByteStream& link) {
  wire::Frame frame;
  std::string error;
  while (true) {
    Status s = wire::ReadFrame(link, &frame);
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
    if (frame.type == wire::FrameType::kVerifyResult) {
      Result<wire::VerifyResult> result = wire::DecodeVerifyResult(frame.payload);
      if (!result.ok()) {
        error = result.status().ToString();
        break;
      }
      OnVerifyResult(*result);
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
  link.Shutdown();
  cv_.notify_all();
}

void ReplicationSender::SetLimits(uint64_t rate_bytes_per_second, std::chrono::seconds outage_window) {
  std::lock_guard lock(mutex_);
  rate_bytes_per_second_ = rate_bytes_per_second;
  rate_bytes_ = 0;  // the new rate counts from now, not from the old window's start
  outage_window_ = outage_window;
}

Status ReplicationSender::Pace(ByteStream& link, uint64_t bytes) {
  std::unique_lock lock(mutex_);
  if (rate_bytes_per_second_ == 0) return Status::Ok();
  if (rate_bytes_ == 0) rate_start_ = Clock::now();
  rate_bytes_ += bytes;
  const auto due = rate_start_ + std::chrono::microseconds(rate_bytes_ * 1000000 / rate_bytes_per_second_);
  // A slow rate may hold a frame back for longer than the link timeout: heartbeats keep the acks coming.
  while (!cv_.wait_until(lock, std::min(due, Clock::now() + kHeartbeatEvery), [&] {
    return stop_ || session_broken_;
  }) && Clock::now() < due) {
    lock.unlock();
    Status s = link.WriteAll(wire::EncodeFrame(wire::FrameType::kHeartbeat, 0,
                                               wire::EncodeHeartbeat(journal::NowRecordTimeNs()), false));
    lock.lock();
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status ReplicationSender::Flush(ByteStream& link, std::vector<uint8_t>* batch) {
  if (batch->empty()) return Status::Ok();
  CDR_RETURN_IF_ERROR(Pace(link, batch->size()));
  if (SessionBroken()) return Unavailable("session closed");
  CDR_RETURN_IF_ERROR(link.WriteAll(*batch));
  std::lock_guard lock(mutex_);
  status_.bytes_sent += batch->size();
  batch->clear();
  return Status::Ok();
}

Status ReplicationSender::SendVec(ByteStream& link, struct iovec* iov, int count, uint64_t bytes) {
  CDR_RETURN_IF_ERROR(Pace(link, bytes));
  if (SessionBroken()) return Unavailable("session closed");
  CDR_RETURN_IF_ERROR(link.WriteVecAll(iov, count));
  std::lock_guard lock(mutex_);
  status_.bytes_sent += bytes;
  return Status::Ok();
}

Status ReplicationSender::Reserve(ByteStream& link, std::vector<uint8_t>* batch, uint64_t key, uint64_t bytes,
                                  uint64_t time_ns) {
  auto fits = [&] { return in_flight_.empty() || in_flight_bytes_ + bytes <= options_.window_bytes; };
  bool room;
  {
    std::lock_guard lock(mutex_);
    room = fits();
  }
  if (!room) {
    CDR_RETURN_IF_ERROR(Flush(link, batch));
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return stop_ || session_broken_ || fits(); });
  }
  std::lock_guard lock(mutex_);
  if (stop_ || session_broken_) return Unavailable("session closed");
  in_flight_.push_back({key, bytes, time_ns});
  in_flight_bytes_ += bytes;
  return Status::Ok();
}

Status ReplicationSender::FullSync(ByteStream& link, const wire::HelloAck& ack) {
  uint64_t cursor = ack.full_sync_cursor;
  uint64_t base = ack.full_sync_base_seq;
  if (cursor != 0 && journal_->first_seq() > base + 1) {
    // The writes after the base are gone from the journal: only a sync from byte 0 covers them.
    spdlog::warn("replication {}/{}: full sync base seq {} was released from the journal; restarting at 0",
                 options_.server_id, options_.disk, base);
    cursor = 0;
  } else if (cursor != 0 && base > journal_->next_seq() - 1) {
    // A base this journal never reached: the realtime after the sync would skip this disk's own writes.
    spdlog::warn("replication {}/{}: the shadow's full sync base seq {} is ahead of the journal (last seq {}); "
                 "restarting at 0",
                 options_.server_id, options_.disk, base, journal_->next_seq() - 1);
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
  internal::CompressionProbe probe;
  while (true) {
    Result<bool> more = (*reader)->NextChunk(&cursor, &runs);
    if (!more.ok()) return more.status();
    if (!*more) break;
    for (size_t i = 0; i < runs.size(); ++i) {
      const DataRun& run = runs[i];
      const uint64_t extent_cursor = i + 1 < runs.size() ? run.offset + run.data.size() : cursor;
      if (options_.compress && probe.WorthCompressing(run.data)) {
        std::vector<uint8_t> frame = wire::EncodeFrame(
            wire::FrameType::kFullSyncExtent, 0,
            wire::EncodeFullSyncExtent({run.offset, extent_cursor, base, run.data}), true);
        CDR_RETURN_IF_ERROR(Reserve(link, &batch, extent_cursor, frame.size(), 0));
        batch = std::move(frame);
        CDR_RETURN_IF_ERROR(Flush(link, &batch));
      } else {
        // Incompressible data goes from the read buffer to the socket as it is: no frame buffer copy.
        const std::vector<uint8_t> extent_header =
            wire::EncodeFullSyncExtent({run.offset, extent_cursor, base, {}});
        const std::span<const uint8_t> pieces[] = {extent_header, run.data};
        wire::FrameEnvelope envelope = wire::EncodeFrameEnvelope(wire::FrameType::kFullSyncExtent, 0, pieces);
        iovec iov[] = {{envelope.header, sizeof envelope.header},
                       {const_cast<uint8_t*>(extent_header.data()), extent_header.size()},
                       {const_cast<uint8_t*>(run.data.data()), run.data.size()},
                       {envelope.trailer, sizeof envelope.trailer}};
        const uint64_t bytes = sizeof envelope.header + extent_header.size() + run.data.size() +
                               sizeof envelope.trailer;
        CDR_RETURN_IF_ERROR(Reserve(link, &batch, extent_cursor, bytes, 0));
        CDR_RETURN_IF_ERROR(SendVec(link, iov, 4, bytes));
      }
      sent += run.data.size();
      std::lock_guard lock(mutex_);
      status_.full_sync_bytes_sent += run.data.size();
    }
  }
  batch = wire::EncodeFrame(wire::FrameType::kFullSyncExtent, 0,
                            wire::EncodeFullSyncExtent({disk_size_, disk_size_, base, {}}), false);
  CDR_RETURN_IF_ERROR(Reserve(link, &batch, disk_size_, batch.size(), 0));
  CDR_RETURN_IF_ERROR(Flush(link, &batch));
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return stop_ || session_broken_ || shadow_full_sync_done_; });
  if (!shadow_full_sync_done_) return Unavailable("session closed before the full sync was acknowledged");
  in_full_sync_ = false;
  // A copy from byte 0 settles any repair that was pending; a resumed one did not read the disk behind its
  // cursor, where a block may have changed without a record, so a repair still due stays due.
  if (started_at == 0) {
    needs_repair_ = false;
    resync_only_ = false;
    repair_requested_ = false;
  }
  spdlog::info("replication {}/{}: full sync done: {} data bytes sent from byte {}, replica at seq {}",
               options_.server_id, options_.disk, sent, started_at, acked_seq_);
  return Status::Ok();
}

Status ReplicationSender::Realtime(ByteStream& link) {
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
  // One follower for the whole session: the records from the journal's memory tail, or its files when the
  // sender is behind the tail; each round raises the limit to the records appended so far.
  internal::JournalFollower follower(journal_, next);
  internal::CompressionBackoff backoff;
  // Outside realtime every append wakes the sender again (wake_at_seq_ 0).
  struct WakeOnEveryAppend {
    std::atomic<uint64_t>& wake_at_seq;
    ~WakeOnEveryAppend() { wake_at_seq = 0; }
  } wake_on_every_append{wake_at_seq_};
  while (!SessionBroken()) {
    // Read before the probes are looked at: a record read now was journaled before any probe queued later.
    uint64_t up_to = journal_->next_seq() - 1;
    const bool probing = CapAtVerify(next, &up_to);
    if (up_to >= next) {
      journal::Record record;
      while (true) {
        Result<bool> got = follower.Next(up_to, &record);
        if (!got.ok()) return got.status();
        if (!*got) break;
        // Only data records teach the backoff: a zero or trim record is too small to be compressed at all.
        const bool data = record.kind == journal::RecordKind::kWrite;
        const bool compress = options_.compress && (!data || backoff.ShouldTry());
        if (!compress) {
          const std::vector<uint8_t> head = DataRecordHead(record);
          CDR_RETURN_IF_ERROR(
              Reserve(link, &batch, record.seq, PlainDataFrameSize(head, record), record.time_ns));
          AppendPlainDataFrame(head, record, &batch);
        } else {
          const std::vector<uint8_t> payload = wire::EncodeDataRecord(record);
          std::vector<uint8_t> frame = wire::EncodeFrame(wire::FrameType::kData, record.seq, payload, true);
          if (data)
            backoff.Tried(payload.size(), frame.size() - wire::kFrameHeaderSize - wire::kFrameTrailerSize);
          CDR_RETURN_IF_ERROR(Reserve(link, &batch, record.seq, frame.size(), record.time_ns));
          batch.insert(batch.end(), frame.begin(), frame.end());
        }
        if (batch.size() >= kBatchBytes) CDR_RETURN_IF_ERROR(Flush(link, &batch));
        next = record.seq + 1;
      }
      if (probing) AppendDueVerifies(next, &batch);
      CDR_RETURN_IF_ERROR(Flush(link, &batch));
      last_send = Clock::now();
    } else if (probing) {
      AppendDueVerifies(next, &batch);
      CDR_RETURN_IF_ERROR(Flush(link, &batch));
      last_send = Clock::now();
    } else if (Clock::now() - last_send >= kHeartbeatEvery) {
      batch = wire::EncodeFrame(wire::FrameType::kHeartbeat, 0,
                                wire::EncodeHeartbeat(journal::NowRecordTimeNs()), false);
      CDR_RETURN_IF_ERROR(Flush(link, &batch));
      last_send = Clock::now();
    }
    uint64_t acked;
    std::string divergence;
    {
      std::lock_guard lock(mutex_);
      acked = acked_seq_;
      divergence = divergence_;
    }
    if (!divergence.empty()) {
      // The replica differs without a record to account for it: only a repair settles it.
      EnterError(divergence);
      return Unavailable("online verify found the replica different: a repair is needed");
    }
    if (acked > released) {
      CDR_RETURN_IF_ERROR(journal_->ReleaseUpTo(acked));
      released = acked;
    }
    if (acked == journal_->next_seq() - 1) ClearBitmapIfCaughtUp();
    if (journal_->full() || journal_->broken()) {
      // Records past the bound are lost to the stream: stopping here beats streaming a gap.
      EnterError(std::string("journal ") + (journal_->full() ? "full" : "broken") +
                 ": the dirty bitmap holds the rest; a repair is needed");
      return Unavailable("journal full: a repair is needed");
    }
    // Woken by an append (the journal's listener), an ack to release, a broken session or Stop(); else the
    // heartbeat is due. Then, in async mode, the records appended meanwhile gather into one batch.
    std::unique_lock lock(mutex_);
    auto urgent = [&] {
      return stop_ || session_broken_ || journal_->full() || journal_->broken() || !verify_queue_.empty() ||
             !divergence_.empty();
    };
    wake_at_seq_ = next;
    cv_.wait_until(lock, last_send + kHeartbeatEvery,
                   [&] { return urgent() || acked_seq_ > released || journal_->next_seq() > next; });
    auto send_now = [&] {
      return urgent() || ack_waiters_ > 0 || journal_->next_seq() >= next + kGatherRecords;
    };
    if (options_.gather_for.count() > 0 && journal_->next_seq() > next && !send_now()) {
      wake_at_seq_ = next + kGatherRecords - 1;  // the append that makes kGatherRecords waiting
      // Never past the heartbeat: the link is never silent for longer, whatever gather_for says.
      const auto until = std::min(Clock::now() + options_.gather_for, last_send + kHeartbeatEvery);
      cv_.wait_until(lock, until, send_now);
    }
  }
  return Unavailable("session closed");
}

}  // namespace cdr::agent
