#include "state/record_status.h"

#include "common/enum_names.h"

namespace cdr::state {
namespace {

constexpr EnumName<RecordStatus> kStatuses[] = {
    {RecordStatus::kCreating, "creating"},
    {RecordStatus::kCreated, "created"},
    {RecordStatus::kDeleting, "deleting"},
};

}  // namespace

const char* RecordStatusName(RecordStatus status) { return NameOf(kStatuses, status); }

std::optional<RecordStatus> ParseRecordStatus(std::string_view name) { return ParseName(kStatuses, name); }

std::optional<RecordStatus> RecordStatusOf(const ResourceRecord& record) {
  return ParseRecordStatus(record.status);
}

bool IsInFlight(const ResourceRecord& record) {
  const std::optional<RecordStatus> status = RecordStatusOf(record);
  return status == RecordStatus::kCreating || status == RecordStatus::kDeleting;
}

}  // namespace cdr::state
