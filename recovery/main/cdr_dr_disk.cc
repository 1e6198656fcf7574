// cdr-dr-disk: a DR host's disk at any recovery point or time of a server's history, served over NBD, or
// written out as a standalone image. Argument parsing only; the verbs are in *_command.cc.
//
//   cdr-dr-disk serve   --replica-dir D --server S --at latest|RFC3339|POINT_ID --state-dir W --listen H:P
//                       --ready-file F [--pin NAME]
//                       [--metrics-listen H:P --metrics-token-file T --group G --server-name S --dr-host ID
//                        --purpose drill|failover --verification-file V]
//   cdr-dr-disk serve   --image-dir O --listen H:P --ready-file F
//   cdr-dr-disk flatten --replica-dir D --server S --state-dir W --out-dir O [--consume-base]
//   cdr-dr-disk export  --replica-dir D --server S --at … --disk NAME --out FILE
//   cdr-dr-disk points  --replica-dir D --server S
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "recovery/main/commands.h"

int main(int argc, char** argv) {
  namespace cli = cdr::recovery::cli;
  CLI::App app{"cdr-dr-disk: a disk at any recovery point or time, served over NBD or written out"};
  app.require_subcommand(1);

  cli::ServeFlags serve;
  CLI::App* serve_cmd =
      app.add_subcommand("serve", "serve each disk of a server at a point as an NBD export");
  serve_cmd->add_option("--replica-dir", serve.replica_dir, "cdr-shadow's --replica-dir");
  serve_cmd->add_option("--server", serve.server, "the protected server (a folder of the replica dir)");
  serve_cmd->add_option("--at", serve.at, "latest | RFC 3339 time | recovery point id")
      ->capture_default_str();
  serve_cmd->add_option("--state-dir", serve.state_dir, "where the point and the DR host's writes are kept");
  serve_cmd->add_option("--image-dir", serve.image_dir,
                        "serve standalone O/<disk>.img instead (after failover)");
  serve_cmd->add_option("--listen", serve.listen, "HOST:PORT, port 0 picks a free one")
      ->capture_default_str();
  serve_cmd->add_option("--ready-file", serve.ready_file, "JSON written atomically once serving")->required();
  serve_cmd->add_option("--tls-dir", serve.tls_dir,
                        "require NBD STARTTLS: DIR/server-cert.pem, DIR/server-key.pem; clients need a "
                        "certificate DIR/ca-cert.pem signed");
  serve_cmd->add_option("--pin", serve.pin, "pin name (default derived from the state directory)");
  serve_cmd->add_option("--metrics-listen", serve.metrics_listen, "HOST:PORT of GET /metrics (port 0: a free one)");
  serve_cmd->add_option("--metrics-token-file", serve.metrics_token_file, "bearer token of /metrics");
  serve_cmd->add_option("--group", serve.group, "cdr's group name (a metrics label)");
  serve_cmd->add_option("--server-name", serve.server_name, "cdr's server name (a metrics label)");
  serve_cmd->add_option("--dr-host", serve.dr_host, "the DR host's id (a metrics label)");
  serve_cmd->add_option("--purpose", serve.purpose, "drill | failover (a metrics label)");
  serve_cmd->add_option("--verification-file", serve.verification_file, "the last verification's result");

  cli::FlattenFlags flatten;
  CLI::App* flatten_cmd = app.add_subcommand("flatten", "write the DR disks as standalone images");
  flatten_cmd->add_option("--replica-dir", flatten.replica_dir)->required();
  flatten_cmd->add_option("--server", flatten.server)->required();
  flatten_cmd->add_option("--state-dir", flatten.state_dir, "the state directory `serve` used")->required();
  flatten_cmd->add_option("--out-dir", flatten.out_dir, "gets <disk>.img")->required();
  flatten_cmd->add_flag(
      "--consume-base", flatten.consume_base,
      "rename the shadow's base images instead of copying them (the shadow is being deleted)");

  cli::ExportFlags export_flags;
  CLI::App* export_cmd =
      app.add_subcommand("export", "write one disk at a point as a sparse standalone file");
  export_cmd->add_option("--replica-dir", export_flags.replica_dir)->required();
  export_cmd->add_option("--server", export_flags.server)->required();
  export_cmd->add_option("--at", export_flags.at, "latest | RFC 3339 time | recovery point id")
      ->capture_default_str();
  export_cmd->add_option("--disk", export_flags.disk)->required();
  export_cmd->add_option("--out", export_flags.out)->required();

  cli::PointsFlags points;
  CLI::App* points_cmd = app.add_subcommand("points", "print the recovery points and windows as JSON");
  points_cmd->add_option("--replica-dir", points.replica_dir)->required();
  points_cmd->add_option("--server", points.server)->required();

  CLI11_PARSE(app, argc, argv);
  // Logs go to stderr: stdout carries the JSON of `points`.
  spdlog::set_default_logger(spdlog::stderr_color_mt("cdr-dr-disk"));

  if (serve_cmd->parsed()) {
    const bool from_history = !serve.replica_dir.empty() || !serve.server.empty() || !serve.state_dir.empty();
    if (serve.image_dir.empty() == !from_history ||
        (from_history && (serve.replica_dir.empty() || serve.server.empty() || serve.state_dir.empty()))) {
      std::fprintf(stderr,
                   "serve needs either --replica-dir, --server and --state-dir (a point of the history) or "
                   "--image-dir (standalone images), not both\n");
      return 2;
    }
    if (!serve.metrics_listen.empty() && serve.metrics_token_file.empty()) {
      std::fprintf(stderr, "--metrics-listen needs --metrics-token-file\n");
      return 2;
    }
    return cli::Serve(serve);
  }
  if (flatten_cmd->parsed()) return cli::Flatten(flatten);
  if (export_cmd->parsed()) return cli::Export(export_flags);
  return cli::Points(points);
}
