// The NBD URI (https://github.com/NetworkBlockDevice/nbd/blob/master/doc/uri.md) cdr shows an operator for an
// export, in the form libnbd's tools (nbdinfo, nbdcopy, nbdsh, fio's nbd engine) take as it is:
//   plain:  nbd://HOST:PORT/EXPORT
//   TLS:    nbds://HOST:PORT/EXPORT?tls-certificates=DIR   (DIR: ca-cert.pem, client-cert.pem, client-key.pem)
#pragma once

#include <string>

namespace cdr {

// "" when address is empty (nothing serving). tls_certificates empty: the export is plain.
std::string NbdUri(const std::string& address, const std::string& export_name, const std::string& tls_certificates);

}  // namespace cdr
