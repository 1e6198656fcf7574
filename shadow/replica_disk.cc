#include "shadow/replica_disk.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "common/name_rules.h"
#include "journal/format.h"

namespace cdr::shadow {
namespace fs = std::filesystem;
namespace {

Status Errno(const std::string& what) { return Internal(what + ": " + std::strerror(errno)); }

// CDR_CDP_SEGMENT_BYTES: smaller CDP log segments let retention free space sooner (and tests see it).
uint64_t CdpSegmentBytes() {
  const char* value = std::getenv("CDR_CDP_SEGMENT_BYTES");
  if (value == nullptr) return 64ull << 20;
  const uint64_t bytes = std::strtoull(value, nullptr, 10);
  return bytes >= (1 << 20) ? bytes : (64ull << 20);
}

}  // namespace

fs::path ReplicaDisk::ImagePath(const fs::path& dir, const std::string& server_id, const std::string& disk) {
  return dir / server_id / (disk + ".img");
}
fs::path ReplicaDisk::StatePath(const fs::path& dir, const std::string& server_id, const std::string& disk) {
  return dir / server_id / (disk + ".state.json");
}

Result<std::unique_ptr<ReplicaDisk>> ReplicaDisk::Open(const fs::path& replica_dir,
                                                       const wire::Hello& hello, wire::Refusal* refusal) {
  wire::Refusal ignored;
  if (refusal == nullptr) refusal = &ignored;
  *refusal = wire::Refusal::kNone;
  // The same rule as the spec's hosts: a name with a '.' could be another disk's base image or log.
  if (!IdentifierProblems(hello.server_id).empty() || !IdentifierProblems(hello.disk).empty()) {
    return InvalidArgument(
        "server id and disk name must be 1–63 of [A-Za-z0-9_-], starting with a letter or digit");
  }
  if (hello.disk_size == 0) return InvalidArgument("disk size 0");
  std::unique_ptr<ReplicaDisk> r(new ReplicaDisk());
  r->state_path_ = StatePath(replica_dir, hello.server_id, hello.disk);
  Result<ReplicaState> loaded = LoadReplicaState(r->state_path_);
  const bool fresh = !loaded.ok() && loaded.status().code() == StatusCode::kNotFound;
  if (!loaded.ok() && !fresh) return loaded.status();
  if (!fresh) {
    const ReplicaState& s = *loaded;
    if (s.epoch != hello.epoch) {
      *refusal = wire::Refusal::kForeignEpoch;
      // Neither epoch is named: the refusal goes to the peer, and the replica's epoch must not be learnt from
      // it.
      return FailedPrecondition(
          "stale or foreign peer: the replica of " + hello.server_id + "/" + hello.disk +
          " belongs to another epoch (a new protection of this disk, or another agent)");
    }
    r->state_ = s;
    r->saved_ = s;
    if (s.disk_size != hello.disk_size && (hello.flags & wire::kHelloRepair) == 0) {
      *refusal = wire::Refusal::kDiskSizeChanged;
      return FailedPrecondition("disk size changed: " + std::to_string(hello.disk_size) +
                                " bytes, the replica has " + std::to_string(s.disk_size) +
                                "; a repair is needed");
    }
  } else {
    r->state_ = {hello.server_id, hello.disk, hello.disk_size, hello.block_size, hello.epoch, 0, 0, 0, false};
  }
  const fs::path image = ImagePath(replica_dir, hello.server_id, hello.disk);
  std::error_code ec;
  // A seeded replica (docs/wire-protocol.md, "Seeded replicas"): an image put here before any state, e.g. the
  // original production disk a failback writes back into, holds data but no record of it. A peer that asks for a
  // repair gets it compared block by block, so only what differs travels; without that request it is rewritten
  // by a full sync as any fresh replica.
  const bool seeded = fresh && (hello.flags & wire::kHelloRepair) != 0 &&
                      fs::file_size(image, ec) == hello.disk_size && !ec;
  if (seeded) {
    r->state_.full_sync_done = true;
    r->state_.repair_in_progress = true;
    spdlog::info("replica {}/{}: seeded image found, a repair compares it with the disk", hello.server_id,
                 hello.disk);
  }
  ec.clear();
  fs::create_directories(image.parent_path(), ec);
  if (ec) return Internal("create " + image.parent_path().string() + ": " + ec.message());
  r->fd_ = ::open(image.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (r->fd_ < 0) return Errno("open " + image.string());
  r->repair_writer_ = std::make_unique<internal::DirectWriter>(image);
  if (fresh && !seeded && ::ftruncate(r->fd_, static_cast<off_t>(hello.disk_size)) != 0)
    return Errno("size " + image.string());
  r->history_ = std::make_unique<ReplicaHistory>(image.parent_path(), hello.disk);
  const bool resized = !fresh && r->state_.disk_size != hello.disk_size;
  if (resized) {
    spdlog::warn("replica {}/{}: disk size {} → {}: resized, a repair (or the full sync) rewrites it",
                 hello.server_id, hello.disk, r->state_.disk_size, hello.disk_size);
    if (::ftruncate(r->fd_, static_cast<off_t>(hello.disk_size)) != 0) return Errno("resize " + image.string());
    r->state_.disk_size = hello.disk_size;
    if (r->state_.full_sync_done) {
      r->state_.repair_in_progress = true;
      r->state_.repair_cursor = 0;
    } else {
      r->state_.full_sync_cursor = 0;
    }
    if (::fdatasync(r->fd_) != 0) return Errno("fdatasync " + image.string());
    CDR_RETURN_IF_ERROR(SaveReplicaState(r->state_path_, r->state_));
    r->saved_ = r->state_;
  }
  CDR_RETURN_IF_ERROR(r->history_->ResetIfRebuilding(r->state_, resized));
  Result<std::unique_ptr<CdpLog>> cdp =
      CdpLog::Open(image.parent_path() / (hello.disk + ".cdp"), CdpSegmentBytes());
  if (!cdp.ok()) return cdp.status();
  r->cdp_ = std::move(*cdp);
  if (fresh) {
    if (::fdatasync(r->fd_) != 0) return Errno("fdatasync " + image.string());
    CDR_RETURN_IF_ERROR(SaveReplicaState(r->state_path_, r->state_));
    r->saved_ = r->state_;
  }
  CDR_RETURN_IF_ERROR(r->ReplayLog(image.parent_path() / (hello.disk + ".cdp")));
  r->repair_checked_end_ = r->state_.repair_cursor;  // a repair resumes where the last connection left it
  CDR_RETURN_IF_ERROR(r->history_->Opened(r->state_, *r->cdp_));
  return r;
}

ReplicaDisk::~ReplicaDisk() {
  if (fd_ >= 0) ::close(fd_);
}

Status ReplicaDisk::WriteAt(uint64_t offset, std::span<const uint8_t> data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Errno("pwrite replica");
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status ReplicaDisk::Zero(uint64_t offset, uint64_t length, bool keep_allocated) {
  if (length == 0) return Status::Ok();
  const int mode = keep_allocated ? FALLOC_FL_ZERO_RANGE : FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
  if (::fallocate(fd_, mode, static_cast<off_t>(offset), static_cast<off_t>(length)) == 0)
    return Status::Ok();
  if (errno != EOPNOTSUPP) return Errno("fallocate replica");
  static const std::vector<uint8_t> zeroes(1 << 20);
  for (uint64_t pos = 0; pos < length; pos += zeroes.size()) {
    CDR_RETURN_IF_ERROR(
        WriteAt(offset + pos, std::span(zeroes).first(std::min<uint64_t>(zeroes.size(), length - pos))));
  }
  return Status::Ok();
}

Status ReplicaDisk::ApplyData(const wire::DataRecord& r) {
  if (!state_.full_sync_done) return FailedPrecondition("DATA before the full sync finished");
  if (state_.repair_in_progress) return FailedPrecondition("DATA before the repair finished");
  if (r.seq <= state_.applied_seq) return Status::Ok();
  if (r.seq != state_.applied_seq + 1) {
    return InvalidArgument("DATA seq " + std::to_string(r.seq) + " after applied seq " +
                           std::to_string(state_.applied_seq));
  }
  if (r.offset > state_.disk_size || r.length > state_.disk_size - r.offset) {
    return InvalidArgument("DATA seq " + std::to_string(r.seq) + " outside the disk");
  }
  if (r.kind == journal::RecordKind::kWrite) {
    if (journal::DataChecksum(r.data.data(), r.data.size()) != r.checksum) {
      return DataLoss("DATA seq " + std::to_string(r.seq) + ": data checksum mismatch");
    }
    CDR_RETURN_IF_ERROR(WriteAt(r.offset, r.data));
  } else {
    const bool no_hole = r.kind == journal::RecordKind::kZero && (r.flags & journal::kRecordFlagNoHole) != 0;
    CDR_RETURN_IF_ERROR(Zero(r.offset, r.length, no_hole));
  }
  CDR_RETURN_IF_ERROR(cdp_->Append(r));
  logged_since_save_ += r.data.size();
  history_->Applied(r.seq, r.time_ns);
  state_.applied_seq = r.seq;
  uncommitted_ = true;
  return Status::Ok();
}

Status ReplicaDisk::ApplyExtent(const wire::FullSyncExtent& e) {
  if (state_.full_sync_done) return FailedPrecondition("FULL_SYNC_EXTENT after the full sync finished");
  if (e.base_seq != state_.full_sync_base_seq && state_.full_sync_cursor != 0) {
    // The agent lost the journal records after the old base: it starts the sync over from byte 0.
    spdlog::info("replica {}/{}: full sync restarts at 0 with base seq {} (was {} at cursor {})", state_.server_id,
                 state_.disk, e.base_seq, state_.full_sync_base_seq, state_.full_sync_cursor);
    state_.full_sync_cursor = 0;
    holes_ahead_ = false;
  }
  if (e.cursor > state_.disk_size || e.offset < state_.full_sync_cursor) {
    return InvalidArgument("FULL_SYNC_EXTENT [" + std::to_string(e.offset) + ", " + std::to_string(e.cursor) +
                           ") does not follow cursor " + std::to_string(state_.full_sync_cursor));
  }
  if (state_.full_sync_cursor == 0) state_.full_sync_base_seq = e.base_seq;
  if (e.base_seq != state_.full_sync_base_seq)
    return InvalidArgument("FULL_SYNC_EXTENT: base seq changed mid-sync");
  // Skipped ranges are zero on the source; punching them also clears whatever an older replica had there. A sync
  // from byte 0 punches the whole disk once instead of every gap (thousands of fallocate calls on a sparse disk).
  if (state_.full_sync_cursor == 0 && !holes_ahead_) {
    CDR_RETURN_IF_ERROR(Zero(0, state_.disk_size, false));
    holes_ahead_ = true;
  }
  if (!holes_ahead_) CDR_RETURN_IF_ERROR(Zero(state_.full_sync_cursor, e.offset - state_.full_sync_cursor, false));
  CDR_RETURN_IF_ERROR(WriteAt(e.offset, e.data));
  // Starts the write-back now, so the disk works while the stream goes on instead of all at the next commit.
  if (!e.data.empty()) {
    (void)::sync_file_range(fd_, static_cast<off_t>(e.offset), static_cast<off_t>(e.data.size()),
                            SYNC_FILE_RANGE_WRITE);
  }
  if (!holes_ahead_) {
    CDR_RETURN_IF_ERROR(Zero(e.offset + e.data.size(), e.cursor - e.offset - e.data.size(), false));
  }
  state_.full_sync_cursor = e.cursor;
  if (e.data.empty() && e.cursor == state_.disk_size) {
    state_.full_sync_done = true;
    state_.applied_seq = state_.full_sync_base_seq;
    spdlog::info("replica {}/{}: full sync done at seq {}", state_.server_id, state_.disk,
                 state_.applied_seq);
  }
  uncommitted_ = true;
  return Status::Ok();
}

wire::HelloAck ReplicaDisk::hello_ack() const {
  wire::HelloAck ack{true, "", state_.applied_seq, state_.full_sync_done, state_.full_sync_cursor,
                     state_.full_sync_base_seq};
  ack.repair_in_progress = state_.repair_in_progress;
  ack.repair_cursor = state_.repair_cursor;
  ack.repair_base_seq = state_.repair_base_seq;
  return ack;
}

wire::Ack ReplicaDisk::ack() const {
  return {state_.applied_seq, state_.full_sync_cursor, state_.full_sync_done, state_.repair_in_progress,
          state_.repair_cursor};
}

}  // namespace cdr::shadow
