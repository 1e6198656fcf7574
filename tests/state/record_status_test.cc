// The name tables of state/: a record's lifecycle and the command holding the lock.
#include "state/record_status.h"

#include <gtest/gtest.h>

#include "state/lock_operation.h"

namespace cdr::state {
namespace {

TEST(RecordStatusTest, NamesParseBack) {
  for (RecordStatus s : {RecordStatus::kCreating, RecordStatus::kCreated, RecordStatus::kDeleting}) {
    EXPECT_EQ(ParseRecordStatus(RecordStatusName(s)), s) << RecordStatusName(s);
  }
  EXPECT_STREQ(RecordStatusName(RecordStatus::kCreated), "created");
  EXPECT_EQ(ParseRecordStatus("realtime"), std::nullopt);  // a server's record holds its state instead
}

TEST(RecordStatusTest, InFlightIsAnInterruptedProviderCall) {
  ResourceRecord r;
  r.status = "creating";
  EXPECT_TRUE(IsInFlight(r));
  r.status = "deleting";
  EXPECT_TRUE(IsInFlight(r));
  r.status = "created";
  EXPECT_FALSE(IsInFlight(r));
  r.status = "agent_installing";
  EXPECT_FALSE(IsInFlight(r));
  EXPECT_EQ(RecordStatusOf(r), std::nullopt);
}

TEST(LockOperationTest, NamesParseBackAndANewerReleasesDoNot) {
  for (const auto& row : kLockOperationNames)
    EXPECT_EQ(ParseLockOperation(LockOperationName(row.value)), row.value);
  EXPECT_STREQ(LockOperationName(LockOperation::kStateRm), "state rm");
  EXPECT_EQ(ParseLockOperation("import"), std::nullopt);
}

}  // namespace
}  // namespace cdr::state
