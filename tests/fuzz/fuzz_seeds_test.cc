// The seed corpus (fuzz/corpus/) is made by the encoders the programs use, so each seed takes the fuzzer deep
// into a parser's success path. CDR_WRITE_FUZZ_SEEDS=DIR writes them (DIR = fuzz/corpus); otherwise the test
// checks that the committed seeds still decode, so a format change cannot leave the fuzzers only shallow inputs.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "agent/api/control_json.h"
#include "journal/segment_files.h"
#include "agent/journal.h"
#include "common/wire_frame.h"
#include "specs/load_spec.h"
#include "tests/support/process_test_util.h"

namespace cdr::fuzz {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

fs::path Corpus() { return fs::path(CDR_SOURCE_DIR) / "fuzz" / "corpus"; }

Bytes Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), {});
}

Bytes Text(const std::string& s) { return Bytes(s.begin(), s.end()); }

std::map<std::string, Bytes> WireSeeds() {
  const Bytes block(4096, 0x5a);
  wire::Hello hello{"web-1", "vda", 64 << 20, 4096, 7, 12, wire::kHelloRepair};
  wire::DataRecord data;
  data.seq = 13;
  data.offset = 8192;
  data.length = block.size();
  data.data = block;
  wire::RepairRanges ranges;
  ranges.base_seq = 12;
  ranges.ranges.push_back({0, 1 << 20, {1, 2}});
  std::map<std::string, Bytes> seeds;
  auto frame = [](wire::FrameType type, uint64_t seq, const Bytes& payload, bool compress) {
    return wire::EncodeFrame(type, seq, payload, compress);
  };
  // A stream as an agent sends it: HELLO, a write (compressible, so zstd is exercised), a repair request.
  Bytes stream = frame(wire::FrameType::kHello, 0, wire::EncodeHello(hello), false);
  for (const Bytes& f : {frame(wire::FrameType::kData, 13, wire::EncodeDataRecord(data), true),
                         frame(wire::FrameType::kRepairRanges, 0, wire::EncodeRepairRanges(ranges), false),
                         frame(wire::FrameType::kHeartbeat, 0, wire::EncodeHeartbeat(42), false)})
    stream.insert(stream.end(), f.begin(), f.end());
  seeds["agent_stream.bin"] = stream;
  // Direct payload seeds: the first byte picks the decoder (fuzz_wire_frame.cc: type = byte % 13 + 1).
  auto direct = [](wire::FrameType type, Bytes payload) {
    payload.insert(payload.begin(), static_cast<uint8_t>(static_cast<int>(type) - 1));
    return payload;
  };
  seeds["hello_payload.bin"] = direct(wire::FrameType::kHello, wire::EncodeHello(hello));
  seeds["data_payload.bin"] = direct(wire::FrameType::kData, wire::EncodeDataRecord(data));
  seeds["ack_payload.bin"] = direct(wire::FrameType::kAck, wire::EncodeAck({13, 0, true, false, 0}));
  seeds["repair_ranges_payload.bin"] = direct(wire::FrameType::kRepairRanges, wire::EncodeRepairRanges(ranges));
  seeds["error_payload.bin"] = direct(wire::FrameType::kError, wire::EncodeError({9, "foreign epoch"}));
  seeds["verify_range_payload.bin"] =
      direct(wire::FrameType::kVerifyRange, wire::EncodeVerifyRange({3, 13, 8192, 8192, 4096, {{1, 2}, {3, 4}}}));
  seeds["verify_result_payload.bin"] = direct(
      wire::FrameType::kVerifyResult,
      wire::EncodeVerifyResult({3, 8192, 8192, wire::VerifyOutcome::kDiffers, 1, 12288, ""}));
  return seeds;
}

std::map<std::string, Bytes> ControlJsonSeeds() {
  agent::ReplicationTarget target;
  target.shadow_address = "127.0.0.1:7000";
  target.server_id = "web-1";
  target.group = "web-prod";
  target.server_name = "web-1";
  agent::AgentStatus status;
  status.state = "realtime";
  agent::DiskReplicationStatus disk;
  disk.disk = "vda";
  disk.state = "realtime";
  status.disks.push_back(disk);
  return {{"target.json", Text(agent::api::ToJson(target).dump())},
          {"status.json", Text(agent::api::ToJson(status).dump())}};
}

// A client of the agent's export: fixed newstyle, NBD_OPT_GO "vda", then a write, a read, a flush and a
// disconnect (protocol numbers of the NBD spec).
Bytes NbdSessionSeed() {
  Bytes out;
  auto u16 = [&](uint16_t v) { out.push_back(v >> 8), out.push_back(v & 0xff); };
  auto u32 = [&](uint32_t v) { u16(v >> 16), u16(v & 0xffff); };
  auto u64 = [&](uint64_t v) { u32(v >> 32), u32(v & 0xffffffff); };
  u32(3);                     // client flags: fixed newstyle, no zeroes
  u64(0x49484156454F5054ULL);  // IHAVEOPT
  u32(7);                     // NBD_OPT_GO
  u32(4 + 3 + 2);             // length: name length, "vda", no info requests
  u32(3);
  out.insert(out.end(), {'v', 'd', 'a'});
  u16(0);
  auto request = [&](uint16_t flags, uint16_t type, uint64_t handle, uint64_t offset, uint32_t length) {
    u32(0x25609513), u16(flags), u16(type), u64(handle), u64(offset), u32(length);
  };
  request(1, 1, 1, 4096, 512);  // WRITE with FUA
  out.insert(out.end(), 512, 0xab);
  request(0, 0, 2, 4096, 512);  // READ
  request(0, 3, 3, 0, 0);       // FLUSH
  request(0, 6, 4, 0, 8192);    // WRITE_ZEROES
  request(0, 2, 5, 0, 0);       // DISC
  return out;
}

Bytes JournalSegmentSeed() {
  testing::TempDir dir;
  auto journal = agent::Journal::Open(dir.path(), agent::JournalOptions{});
  if (!journal.ok()) return {};
  const Bytes block(4096, 0x33);
  (void)(*journal)->Append(journal::RecordKind::kWrite, 0, 0, block.size(), block);
  (void)(*journal)->Append(journal::RecordKind::kZero, 0, 8192, 65536, {});
  (void)(*journal)->Append(journal::RecordKind::kTrim, 0, 1 << 20, 4096, {});
  journal->reset();
  return Slurp(dir.path() / journal::SegmentFileName(1));
}

std::map<std::string, std::map<std::string, Bytes>> AllSeeds() {
  return {{"wire_frame", WireSeeds()},
          {"control_json", ControlJsonSeeds()},
          {"nbd_server", {{"session.bin", NbdSessionSeed()}}},
          {"journal_scan", {{"three_records.seg", JournalSegmentSeed()}}}};
}

TEST(FuzzSeedsTest, WriteOrCheckTheSeedCorpus) {
  if (const char* out = std::getenv("CDR_WRITE_FUZZ_SEEDS")) {
    for (const auto& [target, seeds] : AllSeeds()) {
      fs::create_directories(fs::path(out) / target);
      for (const auto& [name, bytes] : seeds)
        std::ofstream(fs::path(out) / target / name, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    GTEST_SKIP() << "seeds written to " << out;
  }
  // The committed seeds decode: every frame of the agent stream, both JSON bodies, the whole journal segment.
  Bytes stream = Slurp(Corpus() / "wire_frame" / "agent_stream.bin");
  std::span<const uint8_t> rest(stream);
  int frames = 0;
  while (!rest.empty()) {
    size_t consumed = 0;
    auto f = wire::DecodeFrame(rest, &consumed);
    ASSERT_TRUE(f.ok()) << "frame " << frames << ": " << f.status().ToString();
    rest = rest.subspan(consumed);
    ++frames;
  }
  EXPECT_EQ(frames, 4);
  auto hello = Slurp(Corpus() / "wire_frame" / "hello_payload.bin");
  EXPECT_TRUE(wire::DecodeHello(std::span<const uint8_t>(hello).subspan(1)).ok());
  auto target = nlohmann::json::parse(Slurp(Corpus() / "control_json" / "target.json"));
  EXPECT_TRUE(agent::api::ReplicationTargetFromJson(target).ok());
  auto status = nlohmann::json::parse(Slurp(Corpus() / "control_json" / "status.json"));
  EXPECT_TRUE(agent::api::AgentStatusFromJson(status).ok());
  EXPECT_EQ(Slurp(Corpus() / "nbd_server" / "session.bin"), NbdSessionSeed());

  testing::TempDir dir;
  const Bytes segment = Slurp(Corpus() / "journal_scan" / "three_records.seg");
  ASSERT_FALSE(segment.empty());
  std::ofstream(dir.path() / journal::SegmentFileName(1), std::ios::binary)
      .write(reinterpret_cast<const char*>(segment.data()), static_cast<std::streamsize>(segment.size()));
  auto journal = agent::Journal::Open(dir.path(), agent::JournalOptions{});
  ASSERT_TRUE(journal.ok()) << journal.status().ToString();
  EXPECT_EQ((*journal)->dropped_tail_bytes(), 0u);
  EXPECT_EQ((*journal)->next_seq(), 4u);
  for (const auto& spec : {"web.toml", "db.toml", "full.toml"}) {
    const Bytes text = Slurp(Corpus() / "spec" / spec);
    auto loaded = specs::LoadSpecDocuments({{spec, std::string(text.begin(), text.end())}});
    EXPECT_TRUE(loaded.diagnostics.empty()) << spec;
  }
}

}  // namespace
}  // namespace cdr::fuzz
