// How the tests hand an export's URI, as `cdr status` shows it, to the clients that cannot take a TLS URI as it
// is: nbdfuse's URI mode refuses `tls-certificates` (libnbd allows a URI no local file access unless the
// program asks, and nbdfuse does not), and qemu has no TLS in its NBD URIs. Plain nbd:// URIs pass unchanged.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace cdr::testing {

// nbds://HOST:PORT/EXPORT?tls-certificates=DIR, split; nullopt for anything else (a plain URI).
struct TlsNbdUri {
  std::string host, port, export_name, certificates;
};
inline std::optional<TlsNbdUri> ParseTlsNbdUri(const std::string& uri) {
  const std::string scheme = "nbds://", query = "?tls-certificates=";
  const size_t query_at = uri.find(query);
  if (uri.rfind(scheme, 0) != 0 || query_at == std::string::npos) return std::nullopt;
  const std::string authority_and_path = uri.substr(scheme.size(), query_at - scheme.size());
  const size_t slash = authority_and_path.find('/');
  const std::string authority = authority_and_path.substr(0, slash);
  const size_t colon = authority.rfind(':');
  return TlsNbdUri{authority.substr(0, colon), authority.substr(colon + 1),
                   slash == std::string::npos ? "" : authority_and_path.substr(slash + 1),
                   uri.substr(query_at + query.size())};
}

// nbdfuse FILE URI, or for a TLS export nbdfuse on nbdkit's nbd plugin (stdin/stdout), which takes the
// certificate directory as a parameter.
inline std::vector<std::string> NbdfuseCommand(const std::filesystem::path& file, const std::string& uri) {
  const std::optional<TlsNbdUri> tls = ParseTlsNbdUri(uri);
  if (!tls) return {"nbdfuse", file.string(), uri};
  return {"nbdfuse", file.string(), "--command", "nbdkit", "-s", "--exit-with-parent", "nbd",
          "hostname=" + tls->host, "port=" + tls->port, "export=" + tls->export_name, "tls=require",
          "tls-certificates=" + tls->certificates};
}

// qemu-io / qemu-img arguments that open the export as a raw image: `-f raw URI`, or for a TLS export a
// tls-creds-x509 object with the certificate directory and --image-opts naming it.
inline std::vector<std::string> QemuImageArgs(const std::string& uri) {
  const std::optional<TlsNbdUri> tls = ParseTlsNbdUri(uri);
  if (!tls) return {"-f", "raw", uri};
  return {"--object", "tls-creds-x509,id=tls0,endpoint=client,dir=" + tls->certificates, "--image-opts",
          "driver=nbd,server.type=inet,server.host=" + tls->host + ",server.port=" + tls->port +
              ",export=" + tls->export_name + ",tls-creds=tls0"};
}

}  // namespace cdr::testing
