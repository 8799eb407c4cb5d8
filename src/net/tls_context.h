// tls_context: the TLS side of a listener (Kafka SSL / SASL_SSL listeners, HTTPS): the
// server's certificate chain and private key from PEM files, and for client certificates
// (mTLS) the CAs they must chain to and whether one is asked for or required. TLS 1.2 and
// 1.3 only.
//
// Connections are made from current(); reload() reads the files again (`brook serve` does
// on SIGHUP): connections accepted after it present the new certificate, those already
// open keep theirs and are not dropped. A reload that fails (a missing file, a key that
// does not match) keeps the context in use and says why.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "base/expected.h"

namespace brook::net {

enum class client_auth { none, requested, required };

struct tls_config {
  std::filesystem::path cert_file;  // PEM: the server's certificate, then its chain
  std::filesystem::path key_file;   // PEM: its private key, unencrypted
  std::filesystem::path ca_file;    // PEM: the CAs client certificates must chain to
  client_auth clients = client_auth::none;
};

class tls_context {
 public:
  // Reads the files; the error says which one is wrong and why.
  static expected<std::shared_ptr<tls_context>, std::string> load(tls_config config);

  // Reads the files again; on success new connections use them.
  expected<void, std::string> reload();

  // The context new connections are made from (kept alive by each connection).
  std::shared_ptr<boost::asio::ssl::context> current() const;
  const tls_config& config() const { return _config; }

 private:
  explicit tls_context(tls_config config) : _config(std::move(config)) {}
  static expected<std::shared_ptr<boost::asio::ssl::context>, std::string> build(
      const tls_config& config);

  const tls_config _config;
  mutable std::mutex _mutex;
  std::shared_ptr<boost::asio::ssl::context> _current;  // guarded by _mutex
};

// The subject of a verified peer certificate in RFC 2253 form, as Kafka's default principal
// builder names an SSL client ("CN=alice,OU=eng,O=Acme"), or nullopt when the peer sent none.
std::optional<std::string> peer_subject(SSL* ssl);

}  // namespace brook::net
