#include "reconcile/verify_summary.h"

#include <gtest/gtest.h>

namespace cdr::reconcile {
namespace {

agent::DiskReplicationStatus Disk(const std::string& name, const std::string& outcome, int64_t finished_ms) {
  agent::DiskReplicationStatus d;
  d.disk = name;
  d.verify.outcome = outcome;
  d.verify.round_finished_ms = finished_ms;
  d.verify.bytes_compared = 1 << 20;
  return d;
}

TEST(VerifySummaryTest, TheLeastReassuringDiskWinsAndSameIsOnlyAsRecentAsItsOldestDisk) {
  agent::AgentStatus status;
  status.disks = {Disk("vda", "same", 2000), Disk("vdb", "same", 1000)};
  VerifySummary s = SummarizeVerify(status);
  EXPECT_EQ(s.outcome, VerifyOutcome::kSame);
  EXPECT_EQ(s.disk, "vdb");
  EXPECT_EQ(s.finished_ms, 1000);
  EXPECT_EQ(s.bytes_compared, 2u << 20);

  status.disks.push_back(Disk("vdc", "", 0));  // never verified since its agent started
  EXPECT_EQ(SummarizeVerify(status).outcome, VerifyOutcome::kUnknown);
  status.disks.push_back(Disk("vdd", "skipped", 3000));
  EXPECT_EQ(SummarizeVerify(status).outcome, VerifyOutcome::kSkipped);
  status.disks.push_back(Disk("vde", "differs", 500));
  s = SummarizeVerify(status);
  EXPECT_EQ(s.outcome, VerifyOutcome::kDiffers);
  EXPECT_EQ(s.disk, "vde");
  EXPECT_NE(DescribeVerify(s).find("REPLICA DIFFERS on vde"), std::string::npos) << DescribeVerify(s);
  EXPECT_EQ(VerifyToJson(s)["outcome"], "differs");
}

TEST(VerifySummaryTest, AnOutcomeThisCdrDoesNotKnowOrNoDiskIsUnknownNeverSame) {
  agent::AgentStatus status;
  EXPECT_EQ(SummarizeVerify(status).outcome, VerifyOutcome::kUnknown);
  status.disks = {Disk("vda", "probably-fine", 1000)};
  const VerifySummary s = SummarizeVerify(status);
  EXPECT_EQ(s.outcome, VerifyOutcome::kUnknown);
  EXPECT_EQ(DescribeVerify(s), "unknown: no round since the agent started");
  EXPECT_TRUE(VerifyToJson(s)["finished_at"].is_string());
}

}  // namespace
}  // namespace cdr::reconcile
