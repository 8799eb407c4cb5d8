#include "net/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace brook::net {

namespace {

namespace ssl = boost::asio::ssl;

// OpenSSL's error queue as text (and emptied), or `fallback`.
std::string openssl_errors(const char* fallback) {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) {
      out += "; ";
    }
    out += buf;
  }
  return out.empty() ? std::string(fallback) : out;
}

expected<void, std::string> readable(const std::filesystem::path& p, const char* what) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) {
    return unexpected(std::string(what) + " " + p.string() + ": " +
                      (ec ? ec.message() : std::string("not a readable file")));
  }
  return {};
}

}  // namespace

expected<std::shared_ptr<ssl::context>, std::string> tls_context::build(const tls_config& c) {
  if (c.cert_file.empty() || c.key_file.empty()) {
    return unexpected(std::string(
        "a TLS listener needs a certificate and a key: set tls.cert_file and tls.key_file"));
  }
  if (c.clients != client_auth::none && c.ca_file.empty()) {
    return unexpected(
        std::string("client certificates (tls.client_auth) need the CAs to check them against: set "
                    "tls.ca_file"));
  }
  for (auto [path, what] :
       {std::pair{&c.cert_file, "tls.cert_file"}, std::pair{&c.key_file, "tls.key_file"}}) {
    if (auto ok = readable(*path, what); !ok) {
      return unexpected(ok.error());
    }
  }
  if (!c.ca_file.empty()) {
    if (auto ok = readable(c.ca_file, "tls.ca_file"); !ok) {
      return unexpected(ok.error());
    }
  }
  ERR_clear_error();
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(
      native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Idle connections give their read and write buffers back (many consumers wait idle).
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  // Sessions resume only within one context: with client certificates asked for, OpenSSL
  // refuses to resume without an id context (a Java client's reconnect would fail).
  static constexpr unsigned char session_context[] = "brook";
  SSL_CTX_set_session_id_context(native, session_context, sizeof session_context - 1);
  if (SSL_CTX_use_certificate_chain_file(native, c.cert_file.c_str()) != 1) {
    return unexpected("tls.cert_file " + c.cert_file.string() + ": " +
                      openssl_errors("not a PEM certificate"));
  }
  if (SSL_CTX_use_PrivateKey_file(native, c.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      return unexpected("tls.key_file " + c.key_file.string() +
                        " is not the key of the certificate in " + c.cert_file.string());
    }
    return unexpected("tls.key_file " + c.key_file.string() + ": " +
                      openssl_errors("not a PEM private key (an encrypted key is not read)"));
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return unexpected("tls.key_file " + c.key_file.string() +
                      " is not the key of the certificate in " + c.cert_file.string());
  }
  if (!c.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(native, c.ca_file.c_str(), nullptr) != 1) {
      return unexpected("tls.ca_file " + c.ca_file.string() + ": " +
                        openssl_errors("not PEM certificates"));
    }
    // The CAs' names go to clients in the CertificateRequest, so that a client with several
    // certificates picks the right one.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(c.ca_file.c_str())) {
      SSL_CTX_set_client_CA_list(native, names);
    }
  }
  switch (c.clients) {
    case client_auth::none:
      SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
      break;
    case client_auth::requested:
      SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
      break;
    case client_auth::required:
      SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      break;
  }
  ERR_clear_error();
  return ctx;
}

expected<std::shared_ptr<tls_context>, std::string> tls_context::load(tls_config config) {
  auto built = build(config);
  if (!built) {
    return unexpected(built.error());
  }
  std::shared_ptr<tls_context> out(new tls_context(std::move(config)));
  out->_current = std::move(*built);
  return out;
}

expected<void, std::string> tls_context::reload() {
  auto built = build(_config);
  if (!built) {
    return unexpected(built.error());
  }
  std::lock_guard lock(_mutex);
  _current = std::move(*built);
  return {};
}

std::shared_ptr<ssl::context> tls_context::current() const {
  std::lock_guard lock(_mutex);
  return _current;
}

std::optional<std::string> peer_subject(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) {
    return std::nullopt;
  }
  std::optional<std::string> out;
  if (SSL_get_verify_result(ssl) == X509_V_OK) {
    BIO* bio = BIO_new(BIO_s_mem());
    // RFC 2253 as Java's X500Principal.getName() writes it: "CN=alice,OU=eng,O=Acme".
    if (bio != nullptr && X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0,
                                             XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
      char* data = nullptr;
      const long n = BIO_get_mem_data(bio, &data);
      out = std::string(data, static_cast<size_t>(n));
    }
    BIO_free(bio);
  }
  X509_free(cert);
  return out;
}

}  // namespace brook::net
