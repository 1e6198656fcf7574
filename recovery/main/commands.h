// The verbs of cdr-dr-disk; cdr_dr_disk.cc parses the flags, these do the work. Each returns the exit code.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace cdr::recovery::cli {

struct ServeFlags {
  std::filesystem::path replica_dir;
  std::string server;
  std::string at = "latest";
  std::filesystem::path state_dir;
  std::filesystem::path image_dir;  // set: serve standalone images instead of a point of the history
  std::string listen = "127.0.0.1:0";
  std::filesystem::path ready_file;
  std::string pin;
  // Set: clients must upgrade with NBD_OPT_STARTTLS and present a certificate of DIR/ca-cert.pem
  // (common/tls_context.h: DIR/server-cert.pem, DIR/server-key.pem); empty: plain NBD.
  std::filesystem::path tls_dir;
  // GET /metrics (recovery/dr_host_metrics.h) with the bearer token of metrics_token_file; off when empty.
  std::string metrics_listen;
  std::filesystem::path metrics_token_file;
  std::string group;
  std::string server_name;
  std::string dr_host;
  std::string purpose;
  std::filesystem::path verification_file;
};

struct FlattenFlags {
  std::filesystem::path replica_dir;
  std::string server;
  std::filesystem::path state_dir;
  std::filesystem::path out_dir;
  bool consume_base = false;
};

struct ExportFlags {
  std::filesystem::path replica_dir;
  std::string server;
  std::string at = "latest";
  std::string disk;
  std::filesystem::path out;
};

struct PointsFlags {
  std::filesystem::path replica_dir;
  std::string server;
};

int Serve(const ServeFlags& flags);
int Flatten(const FlattenFlags& flags);
int Export(const ExportFlags& flags);
int Points(const PointsFlags& flags);

}  // namespace cdr::recovery::cli
