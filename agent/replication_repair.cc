// ReplicationSender's repair session (docs/wire-protocol.md, "Repair"). The agent hashes its disk range by
// range and sends only the range hashes (16 bytes per MiB); the shadow answers a range that differs with its
// block hashes (16 bytes per 4 KiB block), and the agent sends only the blocks whose hashes differ. So the
// wire carries the changed blocks plus about 0.4 % of the disk for the differing ranges, and almost nothing
// for a range that is the same on both sides. A seeded replica's first repair (a failback into production's
// own disk) knows from the DR host's change map which blocks can differ and sends just those, uncompared.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "agent/internal/block_hash.h"
#include "agent/internal/compression_probe.h"
#include "agent/internal/repair_scope.h"
#include "agent/replication_sender.h"
#include "journal/format.h"

namespace cdr::agent {
namespace {

using Clock = std::chrono::steady_clock;
using internal::kRepairRangeBytes;
constexpr size_t kRangesPerFrame = 16;
constexpr size_t kBatchBytes = 1 << 20;

bool AllZero(std::span<const uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

// The runs of [blocks->offset, blocks->end) that `changed` marks, read into *buffer (kRepairRangeBytes) after
// *used bytes; an all-zero run is sent as zero. *at: the first changed range not ending before
// blocks->offset, moved on (ranges ascend, and so do the calls).
Status ReadChangedRuns(int fd, const std::vector<DirtyRange>& changed,
                       std::vector<DirtyRange>::const_iterator* at, wire::RepairBlocks* blocks,
                       std::vector<uint8_t>* buffer, size_t* used) {
  buffer->resize(kRepairRangeBytes);
  while (*at != changed.end() && (*at)->offset + (*at)->length <= blocks->offset) ++*at;
  for (auto it = *at; it != changed.end() && it->offset < blocks->end; ++it) {
    const uint64_t offset = std::max(it->offset, blocks->offset);
    const uint64_t length = std::min(it->offset + it->length, blocks->end) - offset;
    const std::span<uint8_t> data(buffer->data() + *used, length);
    CDR_RETURN_IF_ERROR(internal::ReadFully(fd, offset, data.data(), data.size()));
    const bool zero = AllZero(data);
    if (!zero) *used += length;
    blocks->runs.push_back(
        {offset, static_cast<uint32_t>(length), zero, zero ? std::span<const uint8_t>() : data});
  }
  return Status::Ok();
}

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  int fd_;
};

}  // namespace

Status ReplicationSender::Repair(ByteStream& link, const wire::HelloAck& ack) {
  uint64_t cursor = 0;
  uint64_t base = 0;
  bool resume;
  bool limited;
  bool seed_limited;
  {
    std::lock_guard lock(mutex_);
    // Resuming is only safe while the journal still holds every write after the repair's base.
    resume = ack.repair_in_progress && !fresh_repair_ && journal_->first_seq() <= ack.repair_base_seq + 1 &&
             ack.repair_base_seq < journal_->next_seq() && !journal_->full() && !journal_->broken();
    // The resync always begins afresh, so a repair it may resume is its own; any other repair the shadow has in
    // progress may have left any block behind, and only a whole one settles it.
    limited = resync_only_ && options_.resync_bitmap != nullptr && (resume || !ack.repair_in_progress);
    // A seeded replica's first compare: what the DR host changed since the failover, and what was written
    // here. The shadow shows a seeded image as a repair in progress; that replica (production's own disk) is
    // written by nothing but these compares, each limited to this scope, which only grows until realtime (the
    // map is fixed, the bitmap is not cleared before), so a compare cut short left nothing outside it.
    seed_limited = seed_compare_due_ && options_.seed_scope.usable && options_.own_bitmap != nullptr;
  }
  // Bits are cleared only while the replica has every write: a bitmap with none set saw no write it could miss.
  if (limited && options_.resync_bitmap->CountDirtyBlocks() == 0) {
    return FinishResync("no dirty block: nothing to compare");
  }
  if (resume) {
    cursor = ack.repair_cursor;
    base = ack.repair_base_seq;
  } else {
    // Writes from here on are journaled and streamed after the repair; earlier ones are read from the disk.
    // A replica ahead of the journal (finding 2 of issue #13) keeps its seqs: the base is past them, or the
    // next write would reuse a seq its recovery history already logged, and be dropped there as a resend.
    CDR_RETURN_IF_ERROR(journal_->Reset(ack.applied_seq + 1));
    base = journal_->next_seq() - 1;
  }
  // Read after the reset: every write at or below base marked its bit before its data reached the disk.
  // A seeded replica's scope names the very blocks that can differ (the map's and this agent's own writes),
  // which all but surely do: they are sent without a compare (REPAIR_SEND), no hash pass on either side and
  // no round trip. A resync's bitmap only bounds an agent crash's damage, so its ranges are compared first.
  const std::vector<DirtyRange> changed =
      seed_limited ? internal::MergeRanges(options_.seed_scope.ranges, options_.own_bitmap->DirtyRanges())
                   : std::vector<DirtyRange>();
  const internal::RepairScope scope =
      limited        ? internal::RepairScope::Dirty(disk_size_, options_.resync_bitmap->DirtyRanges())
      : seed_limited ? internal::RepairScope::Dirty(disk_size_, changed)
                     : internal::RepairScope::WholeDisk(disk_size_);
  auto changed_at = changed.begin();  // the first changed range that does not end before the next range
  {
    std::lock_guard lock(mutex_);
    fresh_repair_ = false;
    shadow_repair_cursor_ = cursor;
  }
  SetPhase(
      ReplicationPhase::kRepairStarting,
      resume ? "resuming the repair at byte " + std::to_string(cursor) + ", base seq " + std::to_string(base)
      : seed_limited
          ? "sending the blocks changed since the failover or written here (" +
                std::to_string(scope.bytes()) + " bytes of ranges), base seq " + std::to_string(base)
      : !limited ? "comparing the replica with the disk, base seq " + std::to_string(base)
                 : "comparing the " + std::to_string(scope.bytes()) +
                       " bytes of the ranges the dirty bitmap marks, base seq " + std::to_string(base));
  const int disk_fd = ::open(options_.disk_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (disk_fd < 0) return Internal("open " + options_.disk_path.string() + " for the repair");
  FdCloser closer(disk_fd);
  SetPhase(ReplicationPhase::kRepairing, "sending range hashes from byte " + std::to_string(cursor));

  std::map<uint64_t, std::vector<wire::Hash128>> waiting;  // hashed ranges not yet passed by the shadow
  std::vector<uint8_t> buffer;
  std::vector<uint8_t> run_buffer;
  std::vector<uint8_t> run_heads;
  internal::CompressionProbe probe;
  std::vector<uint8_t> batch;
  wire::RepairRanges ranges{base, {}};
  uint64_t next = scope.NextRange(cursor);
  uint64_t data_bytes = 0;
  auto last_send = Clock::now();
  auto flush_ranges = [&] {
    if (ranges.ranges.empty()) return;
    std::vector<uint8_t> frame =
        wire::EncodeFrame(wire::FrameType::kRepairRanges, 0, wire::EncodeRepairRanges(ranges), false);
    batch.insert(batch.end(), frame.begin(), frame.end());
    ranges.ranges.clear();
  };
  // Incompressible blocks (the probe's sample does not shrink) go into the batch as they are: one copy of the
  // data instead of three, and no zstd attempt on a whole range of it. `used`: the data bytes in run_buffer.
  auto append_blocks = [&](const wire::RepairSend& m, size_t used, bool uncompared) {
    const wire::FrameType type = uncompared ? wire::FrameType::kRepairSend : wire::FrameType::kRepairBlocks;
    if (options_.compress && used > 0 && probe.WorthCompressing({run_buffer.data(), used})) {
      std::vector<uint8_t> frame = wire::EncodeFrame(
          type, 0, uncompared ? wire::EncodeRepairSend(m) : wire::EncodeRepairBlocks(m.blocks), true);
      batch.insert(batch.end(), frame.begin(), frame.end());
    } else {
      const std::vector<std::span<const uint8_t>> pieces =
          uncompared ? wire::RepairSendPieces(m, &run_heads) : wire::RepairBlocksPieces(m.blocks, &run_heads);
      wire::AppendPlainFrame(type, 0, pieces, &batch);
    }
    std::lock_guard lock(mutex_);
    for (const wire::RepairRun& run : m.blocks.runs) status_.repair_bytes_sent += run.zero ? 0 : run.length;
  };
  while (true) {
    std::deque<wire::RepairBlockHashes> replies;
    uint64_t shadow_cursor;
    {
      std::lock_guard lock(mutex_);
      if (stop_ || session_broken_) return Unavailable("session closed during the repair");
      replies.swap(repair_replies_);
      shadow_cursor = shadow_repair_cursor_;
    }
    for (const wire::RepairBlockHashes& reply : replies) {
      auto it = waiting.find(reply.offset);
      if (it == waiting.end() || reply.block_size != block_size_ || reply.hashes.size() != it->second.size()) {
        return DataLoss("REPAIR_BLOCK_HASHES for range " + std::to_string(reply.offset) +
                        " does not match a range this repair sent");
      }
      const uint64_t range_end = std::min(disk_size_, reply.offset + kRepairRangeBytes);
      wire::RepairBlocks blocks{reply.offset, range_end, {}};
      // The differing runs are read into one buffer kept across ranges (a range's runs fit in it).
      run_buffer.resize(kRepairRangeBytes);
      size_t used = 0;
      for (size_t i = 0; i < reply.hashes.size();) {
        if (reply.hashes[i] == it->second[i]) {
          ++i;
          continue;
        }
        size_t j = i;
        while (j < reply.hashes.size() && !(reply.hashes[j] == it->second[j])) ++j;
        const uint64_t offset = reply.offset + i * block_size_;
        const uint64_t length = std::min<uint64_t>(range_end, reply.offset + j * block_size_) - offset;
        const std::span<uint8_t> data(run_buffer.data() + used, length);
        CDR_RETURN_IF_ERROR(internal::ReadFully(disk_fd, offset, data.data(), data.size()));
        const bool zero = AllZero(data);
        if (!zero) {
          data_bytes += length;
          used += length;
        }
        blocks.runs.push_back({offset, static_cast<uint32_t>(length), zero, zero ? std::span<const uint8_t>() : data});
        i = j;
      }
      waiting.erase(it);
      append_blocks(wire::RepairSend{base, std::move(blocks)}, used, false);
    }
    // The shadow's cursor passed these: they were equal (or their blocks are applied).
    while (!waiting.empty() && waiting.begin()->first + kRepairRangeBytes <= shadow_cursor) {
      waiting.erase(waiting.begin());
    }

    // At most window_bytes of the disk between the oldest range still waiting and the next one (the shadow's
    // cursor would stall a resync whose dirty ranges lie further apart than that).
    const bool room =
        next < scope.end() && (waiting.empty() || next < waiting.begin()->first + options_.window_bytes);
    if (room && seed_limited) {
      const uint64_t length = std::min(kRepairRangeBytes, disk_size_ - next);
      size_t used = 0;
      wire::RepairBlocks blocks{next, next + length, {}};
      CDR_RETURN_IF_ERROR(ReadChangedRuns(disk_fd, changed, &changed_at, &blocks, &run_buffer, &used));
      data_bytes += used;
      append_blocks(wire::RepairSend{base, std::move(blocks)}, used, true);
      next = scope.NextRange(next + length);
      if (batch.size() >= kBatchBytes || next == scope.end()) {
        CDR_RETURN_IF_ERROR(Flush(link, &batch));
        last_send = Clock::now();
      }
      continue;
    }
    if (room) {
      const uint64_t length = std::min(kRepairRangeBytes, disk_size_ - next);
      std::vector<wire::Hash128> hashes;
      CDR_RETURN_IF_ERROR(internal::HashRange(disk_fd, next, length, disk_size_, block_size_, &buffer, &hashes));
      ranges.ranges.push_back({next, static_cast<uint32_t>(length), internal::HashOfHashes(hashes)});
      waiting.emplace(next, std::move(hashes));
      {
        std::lock_guard lock(mutex_);
        status_.repair_compared_bytes += length;
      }
      next = scope.NextRange(next + length);
      // One frame holds contiguous ranges only (the gaps of a limited scope end one).
      if (ranges.ranges.size() >= kRangesPerFrame || next == scope.end() ||
          next != ranges.ranges.back().offset + length)
        flush_ranges();
      if (batch.size() >= kBatchBytes || next == scope.end()) {
        CDR_RETURN_IF_ERROR(Flush(link, &batch));
        last_send = Clock::now();
      }
      continue;
    }
    flush_ranges();
    if (!batch.empty()) {
      CDR_RETURN_IF_ERROR(Flush(link, &batch));
      last_send = Clock::now();
    }
    if (next >= scope.end() && shadow_cursor >= scope.end()) break;
    if (Clock::now() - last_send >= std::chrono::seconds(1)) {
      // The shadow commits and acks on a heartbeat: the cursor moves on even when nothing else is sent.
      batch = wire::EncodeFrame(wire::FrameType::kHeartbeat, 0, wire::EncodeHeartbeat(journal::NowRecordTimeNs()),
                                false);
      CDR_RETURN_IF_ERROR(Flush(link, &batch));
      last_send = Clock::now();
    }
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::milliseconds(200), [&] {
      return stop_ || session_broken_ || !repair_replies_.empty() || shadow_repair_cursor_ != shadow_cursor;
    });
  }
  batch = wire::EncodeFrame(wire::FrameType::kRepairEnd, 0, wire::EncodeRepairEnd({base}), false);
  CDR_RETURN_IF_ERROR(Flush(link, &batch));
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return stop_ || session_broken_ || (!shadow_repair_in_progress_ && acked_seq_ >= base); });
  if (shadow_repair_in_progress_ || acked_seq_ < base)
    return Unavailable("session closed before the repair was acknowledged");
  // The replica is exactly at base now, whatever seq it claimed before (maybe one this journal never reached).
  acked_seq_ = base;
  needs_repair_ = false;
  resync_only_ = false;
  seed_compare_due_ = false;
  repair_requested_ = false;
  spdlog::info("replication {}/{}: repair done: {} data bytes sent from byte {} ({} bytes compared), replica at "
               "seq {}",
               options_.server_id, options_.disk, data_bytes, cursor, scope.bytes(), acked_seq_);
  return Status::Ok();
}

Status ReplicationSender::FinishResync(const std::string& why) {
  std::lock_guard lock(mutex_);
  needs_repair_ = false;
  resync_only_ = false;
  repair_requested_ = false;
  spdlog::info("replication {}/{}: resync after the agent's crash done: {}", options_.server_id, options_.disk,
               why);
  return Status::Ok();
}

}  // namespace cdr::agent
