// A fresh directory per test for a local cloud, removed afterwards with everything in it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "providers/local/local_provider.h"

namespace cdr::providers::local::test_util {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "cdr-providers-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Small disks keep mkfs.ext4 quick; 16 MiB is still a real filesystem e2fsck can check.
constexpr int64_t kSmallDisk = 16ll << 20;

class LocalCloudTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = dir_.path() / "cloud"; }

  std::unique_ptr<LocalProvider> InitAndOpen(int hosts = 1, int op_delay_ms = 0) {
    InitOptions opts;
    opts.hosts = hosts;
    opts.disk_size_bytes = kSmallDisk;
    opts.op_delay_ms = op_delay_ms;
    Status init = LocalProvider::Init(root_, opts);
    EXPECT_TRUE(init.ok()) << init.ToString();
    auto provider = LocalProvider::Open(root_);
    EXPECT_TRUE(provider.ok()) << provider.status().ToString();
    return provider.ok() ? std::move(provider).value() : nullptr;
  }

  TempDir dir_;
  std::filesystem::path root_;
};

}  // namespace cdr::providers::local::test_util
