// One replica disk on the shadow host: REPLICA_DIR/<server>/<disk>.img (sparse, sized by the first HELLO),
// its state file (replica_state.h) and its CDP log (cdp_log.h). Used by one connection at a time.
//
// Durability order: records are applied with pwrite/fallocate as they arrive; Commit() fdatasyncs the image
// and the CDP log BEFORE it persists applied_seq / the full sync cursor, and the caller acknowledges only
// after Commit(). A crash between apply and commit leaves writes past the recorded seq in the image; the
// agent resends them, and re-applying a record is harmless because every record is an idempotent write of a
// fixed range.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "common/status.h"
#include "common/wire_frame.h"
#include "shadow/cdp_log.h"
#include "shadow/replica_state.h"

namespace cdr::shadow {

class ReplicaDisk {
 public:
  // kFailedPrecondition (message = the reason sent back in HELLO_ACK) when the peer is stale or foreign
  // (another epoch) or the disk geometry changed; kInvalidArgument for unusable names.
  static Result<std::unique_ptr<ReplicaDisk>> Open(const std::filesystem::path& replica_dir,
                                                   const wire::Hello& hello);
  ~ReplicaDisk();
  ReplicaDisk(const ReplicaDisk&) = delete;
  ReplicaDisk& operator=(const ReplicaDisk&) = delete;

  // kDataLoss for a record whose data does not match its checksum; kInvalidArgument for a seq gap or a range
  // outside the disk. Records at or below the applied seq are skipped.
  Status ApplyData(const wire::DataRecord& record);
  Status ApplyExtent(const wire::FullSyncExtent& extent);
  // Makes everything applied so far durable, then records it in the state file.
  Status Commit();
  bool has_uncommitted() const { return uncommitted_; }

  wire::HelloAck hello_ack() const;
  wire::Ack ack() const;
  const ReplicaState& state() const { return state_; }

  static std::filesystem::path ImagePath(const std::filesystem::path& replica_dir,
                                         const std::string& server_id, const std::string& disk);
  static std::filesystem::path StatePath(const std::filesystem::path& replica_dir,
                                         const std::string& server_id, const std::string& disk);

 private:
  ReplicaDisk() = default;
  Status Zero(uint64_t offset, uint64_t length, bool keep_allocated);
  Status WriteAt(uint64_t offset, std::span<const uint8_t> data);

  int fd_ = -1;
  std::filesystem::path state_path_;
  ReplicaState state_;  // in memory ahead of the file until Commit()
  std::unique_ptr<CdpLog> cdp_;
  bool uncommitted_ = false;
};

}  // namespace cdr::shadow
