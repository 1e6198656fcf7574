// Pipeline layer on top of an export: refuses writes, trims and zeroes while the agent's WriteFence is raised
// (the server failed over), with kFailedPrecondition, which the NBD client sees as EPERM. Reads and flushes go
// through: the production disk stays readable, and a flush has nothing of its own to write.
#pragma once

#include <memory>
#include <string>

#include "agent/block_device.h"
#include "agent/write_fence.h"

namespace cdr::agent {

class FenceLayer : public ForwardingDevice {
 public:
  FenceLayer(std::unique_ptr<BlockDevice> next, std::shared_ptr<const WriteFence> fence, std::string export_name)
      : ForwardingDevice(std::move(next)), fence_(std::move(fence)), export_name_(std::move(export_name)) {}

  Status Write(uint64_t offset, std::span<const uint8_t> data, bool fua) override;
  Status Trim(uint64_t offset, uint64_t length, bool fua) override;
  Status WriteZeroes(uint64_t offset, uint64_t length, bool may_punch, bool fua) override;

 private:
  Status Refused(const char* what) const;

  std::shared_ptr<const WriteFence> fence_;
  const std::string export_name_;
};

}  // namespace cdr::agent
