#include "tests/shadow/history_test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <fstream>

#include "agent/internal/block_hash.h"
#include "journal/format.h"
#include "journal/segment_files.h"
#include "journal/reader.h"
#include "common/json_file.h"

namespace cdr::shadow::testing {
namespace fs = std::filesystem;
namespace {

constexpr uint32_t kBlock = 4096;
constexpr uint64_t kRange = 64 << 10;

}  // namespace

WireSource::WireSource(int port, std::string server, std::string disk, uint64_t size, uint64_t epoch)
    : server_(std::move(server)), disk_(std::move(disk)), epoch_(epoch), content_(size) {
  // Half of the blocks hold data, so the base has holes and extents.
  for (uint64_t b = 0; b < size / kBlock; b += 2) {
    std::vector<uint8_t> bytes = RandomBytes(kBlock);
    std::copy(bytes.begin(), bytes.end(), content_.begin() + static_cast<std::ptrdiff_t>(b * kBlock));
  }
  Remember(0);
  (void)Connect(port);
}

WireSource::~WireSource() { Close(); }

void WireSource::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status WireSource::Connect(int port) {
  Close();
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return Unavailable("connect");
  timeval timeout{20, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  CDR_RETURN_IF_ERROR(Send(wire::FrameType::kHello,
                           wire::EncodeHello({server_, disk_, content_.size(), kBlock, epoch_, seq_})));
  wire::Frame frame;
  CDR_RETURN_IF_ERROR(wire::ReadFrame(fd_, &frame));
  Result<wire::HelloAck> ack = wire::DecodeHelloAck(frame.payload);
  if (!ack.ok()) return ack.status();
  if (!ack->accepted) return FailedPrecondition(ack->reason);
  return Status::Ok();
}

Status WireSource::Send(wire::FrameType type, const std::vector<uint8_t>& payload) {
  return wire::WriteAll(fd_, wire::EncodeFrame(type, 0, payload, false));
}

Status WireSource::WaitAcked() {
  while (true) {
    wire::Frame frame;
    CDR_RETURN_IF_ERROR(wire::ReadFrame(fd_, &frame));
    if (frame.type == wire::FrameType::kError) return Internal(wire::DecodeError(frame.payload)->message);
    if (frame.type != wire::FrameType::kAck) continue;
    Result<wire::Ack> ack = wire::DecodeAck(frame.payload);
    if (ack.ok() && ack->applied_seq >= seq_ && ack->full_sync_done && !ack->repair_in_progress)
      return Status::Ok();
  }
}

Status WireSource::FullSync() {
  uint64_t pos = 0;
  while (pos < content_.size()) {
    const uint64_t end = std::min<uint64_t>(pos + kRange, content_.size());
    const bool last = end == content_.size();
    CDR_RETURN_IF_ERROR(
        Send(wire::FrameType::kFullSyncExtent,
             wire::EncodeFullSyncExtent({pos, end, seq_, std::span(content_).subspan(pos, end - pos)})));
    if (last) {
      CDR_RETURN_IF_ERROR(Send(wire::FrameType::kFullSyncExtent,
                               wire::EncodeFullSyncExtent({content_.size(), content_.size(), seq_, {}})));
    }
    pos = end;
  }
  return WaitAcked();
}

std::vector<uint8_t> WireSource::RandomBytes(size_t n) {
  std::vector<uint8_t> bytes(n);
  for (auto& b : bytes) b = static_cast<uint8_t>(rng_());
  return bytes;
}

void WireSource::Remember(uint64_t time_ns) { moments_.push_back({seq_, time_ns, Hash()}); }

Status WireSource::Write(uint64_t offset, const std::vector<uint8_t>& data) {
  std::copy(data.begin(), data.end(), content_.begin() + static_cast<std::ptrdiff_t>(offset));
  ++seq_;
  const uint64_t now = journal::NowRecordTimeNs();
  Remember(now);
  CDR_RETURN_IF_ERROR(
      Send(wire::FrameType::kData, wire::EncodeDataRecord({journal::RecordKind::kWrite, 0, seq_, now, offset, data.size(),
                                                           XXH3_64bits(data.data(), data.size()), data})));
  return WaitAcked();
}

Status WireSource::WriteZeroes(uint64_t offset, uint64_t length) {
  std::fill_n(content_.begin() + static_cast<std::ptrdiff_t>(offset), length, 0);
  ++seq_;
  const uint64_t now = journal::NowRecordTimeNs();
  Remember(now);
  CDR_RETURN_IF_ERROR(
      Send(wire::FrameType::kData, wire::EncodeDataRecord({journal::RecordKind::kZero, 0, seq_, now, offset, length, 0, {}})));
  return WaitAcked();
}

Status WireSource::Heartbeat() {
  CDR_RETURN_IF_ERROR(
      Send(wire::FrameType::kHeartbeat, wire::EncodeHeartbeat(journal::NowRecordTimeNs())));
  return WaitAcked();
}

void WireSource::WriteOffline(uint64_t offset, const std::vector<uint8_t>& data) {
  std::copy(data.begin(), data.end(), content_.begin() + static_cast<std::ptrdiff_t>(offset));
  ++seq_;
  Remember(journal::NowRecordTimeNs());
}

Status WireSource::Repair(bool finish) {
  std::vector<wire::RangeHash> ranges;
  std::vector<std::vector<wire::Hash128>> source_hashes;
  for (uint64_t pos = 0; pos < content_.size(); pos += kRange) {
    std::vector<wire::Hash128> hashes;
    for (uint64_t b = pos; b < pos + kRange; b += kBlock) {
      hashes.push_back(agent::internal::HashBlock(std::span(content_).subspan(b, kBlock)));
    }
    ranges.push_back({pos, static_cast<uint32_t>(kRange), agent::internal::HashOfHashes(hashes)});
    source_hashes.push_back(std::move(hashes));
  }
  CDR_RETURN_IF_ERROR(Send(wire::FrameType::kRepairRanges, wire::EncodeRepairRanges({seq_, ranges})));
  // Answer each differing range with its differing blocks; a heartbeat's ack tells every range was checked.
  CDR_RETURN_IF_ERROR(
      Send(wire::FrameType::kHeartbeat, wire::EncodeHeartbeat(journal::NowRecordTimeNs())));
  while (true) {
    wire::Frame frame;
    CDR_RETURN_IF_ERROR(wire::ReadFrame(fd_, &frame));
    if (frame.type == wire::FrameType::kError) return Internal(wire::DecodeError(frame.payload)->message);
    if (frame.type == wire::FrameType::kAck) {
      if (wire::DecodeAck(frame.payload)->repair_cursor == content_.size()) break;
      continue;
    }
    if (frame.type != wire::FrameType::kRepairBlockHashes) continue;
    Result<wire::RepairBlockHashes> theirs = wire::DecodeRepairBlockHashes(frame.payload);
    if (!theirs.ok()) return theirs.status();
    const std::vector<wire::Hash128>& ours = source_hashes[theirs->offset / kRange];
    wire::RepairBlocks blocks{theirs->offset, theirs->offset + kRange, {}};
    for (size_t i = 0; i < ours.size(); ++i) {
      if (ours[i] == theirs->hashes[i]) continue;
      const uint64_t at = theirs->offset + i * kBlock;
      const bool zero = std::all_of(content_.begin() + at, content_.begin() + at + kBlock,
                                    [](uint8_t b) { return b == 0; });
      blocks.runs.push_back(
          {at, kBlock, zero, zero ? std::span<const uint8_t>() : std::span(content_).subspan(at, kBlock)});
    }
    CDR_RETURN_IF_ERROR(Send(wire::FrameType::kRepairBlocks, wire::EncodeRepairBlocks(blocks)));
    CDR_RETURN_IF_ERROR(
        Send(wire::FrameType::kHeartbeat, wire::EncodeHeartbeat(journal::NowRecordTimeNs())));
  }
  if (!finish) return Status::Ok();
  CDR_RETURN_IF_ERROR(Send(wire::FrameType::kRepairEnd, wire::EncodeRepairEnd({seq_})));
  return WaitAcked();
}

uint64_t WireSource::Hash() const { return HashBytes(content_); }

uint64_t WireSource::HashAt(uint64_t time_ns) const {
  uint64_t hash = moments_.front().hash;
  for (const Moment& m : moments_) {
    if (m.time_ns <= time_ns) hash = m.hash;
  }
  return hash;
}

uint64_t WireSource::SeqAt(uint64_t time_ns) const {
  uint64_t seq = 0;
  for (const Moment& m : moments_) {
    if (m.time_ns <= time_ns) seq = m.seq;
  }
  return seq;
}

uint64_t HashBytes(const std::vector<uint8_t>& bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

namespace {

Status ApplyJournal(const fs::path& dir, uint64_t from, uint64_t to, std::vector<uint8_t>* disk) {
  if (from > to) return Status::Ok();
  Result<std::unique_ptr<journal::JournalReader>> reader = journal::JournalReader::Open(dir, from, to);
  if (!reader.ok()) return reader.status();
  journal::Record r;
  uint64_t next = from;
  while (true) {
    Result<bool> got = (*reader)->Next(&r);
    if (!got.ok()) return got.status();
    if (!*got) break;
    if (r.seq != next)
      return DataLoss("seq " + std::to_string(r.seq) + " where " + std::to_string(next) + " was due");
    if (r.kind == journal::RecordKind::kWrite) {
      std::copy(r.data.begin(), r.data.end(), disk->begin() + static_cast<std::ptrdiff_t>(r.offset));
    } else {
      std::fill_n(disk->begin() + static_cast<std::ptrdiff_t>(r.offset), r.length, 0);
    }
    ++next;
  }
  if (to != UINT64_MAX && next != to + 1)
    return DataLoss(dir.string() + " ends at " + std::to_string(next - 1));
  return Status::Ok();
}

}  // namespace

Result<std::vector<uint8_t>> ReplayDiskAt(const fs::path& server_dir, const std::string& disk, uint64_t seq) {
  Result<nlohmann::json> history = ReadJsonFile(server_dir / (disk + ".history.json"));
  if (!history.ok()) return history.status();
  const uint64_t base_seq = (*history)["base_seq"].get<uint64_t>();
  if (seq < base_seq) return FailedPrecondition("seq before the base");
  std::ifstream in(server_dir / (disk + ".base.img"), std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() != (*history)["disk_size"].get<uint64_t>()) return DataLoss("base.img has the wrong size");
  uint64_t at = base_seq;
  for (const nlohmann::json& repair : (*history)["repairs"]) {
    const uint64_t x = repair["after_seq"].get<uint64_t>(), r = repair["finished_seq"].get<uint64_t>();
    if (x < at || x >= seq) continue;
    if (r == 0 || r > seq) return FailedPrecondition("inside a repair");
    CDR_RETURN_IF_ERROR(ApplyJournal(server_dir / (disk + ".cdp"), at + 1, x, &bytes));
    const fs::path delta = server_dir / repair["dir"].get<std::string>();
    if (!journal::ListSegments(delta).empty())
      CDR_RETURN_IF_ERROR(ApplyJournal(delta, 1, UINT64_MAX, &bytes));
    at = r;
  }
  CDR_RETURN_IF_ERROR(ApplyJournal(server_dir / (disk + ".cdp"), at + 1, seq, &bytes));
  return bytes;
}

uint64_t AllocatedBytes(const fs::path& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
    struct stat st {};
    if (::stat(e.path().c_str(), &st) == 0 && S_ISREG(st.st_mode))
      total += static_cast<uint64_t>(st.st_blocks) * 512;
  }
  return total;
}

}  // namespace cdr::shadow::testing
