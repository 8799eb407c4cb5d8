#include "broker/listener_config.h"

#include <charconv>
#include <set>

#include <algorithm>

namespace brook::broker {
namespace {

std::vector<std::string_view> split_list(std::string_view s) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t end = s.find(',', pos);
    if (end == std::string_view::npos) {
      end = s.size();
    }
    std::string_view part = s.substr(pos, end - pos);
    while (!part.empty() && part.front() == ' ') {
      part.remove_prefix(1);
    }
    while (!part.empty() && part.back() == ' ') {
      part.remove_suffix(1);
    }
    if (!part.empty()) {
      out.push_back(part);
    }
    pos = end + 1;
  }
  return out;
}

}  // namespace

std::string_view security_protocol_name(security_protocol p) {
  switch (p) {
    case security_protocol::plaintext:
      return "PLAINTEXT";
    case security_protocol::ssl:
      return "SSL";
    case security_protocol::sasl_plaintext:
      return "SASL_PLAINTEXT";
    case security_protocol::sasl_ssl:
      return "SASL_SSL";
  }
  return "PLAINTEXT";
}

std::optional<security_protocol> security_protocol_named(std::string_view name) {
  for (auto p : {security_protocol::plaintext, security_protocol::ssl,
                 security_protocol::sasl_plaintext, security_protocol::sasl_ssl}) {
    if (security_protocol_name(p) == name) {
      return p;
    }
  }
  return std::nullopt;
}

expected<listener_endpoint, std::string> parse_listener_endpoint(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  const size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) {
    return unexpected(quoted + " is not NAME://HOST:PORT");
  }
  listener_endpoint out;
  out.name = std::string(text.substr(0, sep));
  for (char c : out.name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
      return unexpected(quoted + ": a listener name is letters, digits, '_' and '-'");
    }
  }
  std::string_view rest = text.substr(sep + 3);
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) {
    return unexpected(quoted + " has no port");
  }
  std::string_view host = rest.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) {
    return unexpected(quoted + " has no host (write 0.0.0.0 for every interface)");
  }
  out.host = std::string(host);
  std::string_view port = rest.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || port.empty() || value > 65535) {
    return unexpected(quoted + ": the port must be a number, 0-65535");
  }
  out.port = static_cast<uint16_t>(value);
  return out;
}

expected<std::vector<listener_config>, std::string> parse_listeners(std::string_view listeners,
                                                                    std::string_view protocol_map,
                                                                    std::string_view advertised) {
  std::map<std::string, security_protocol, std::less<>> protocols;
  for (auto entry : split_list(protocol_map)) {
    const size_t colon = entry.find(':');
    auto p = colon == std::string_view::npos ? std::nullopt
                                             : security_protocol_named(entry.substr(colon + 1));
    if (!p) {
      return unexpected("'" + std::string(entry) +
                        "' is not NAME:PROTOCOL with a protocol of PLAINTEXT, SSL, "
                        "SASL_PLAINTEXT or SASL_SSL");
    }
    protocols[std::string(entry.substr(0, colon))] = *p;
  }
  std::vector<listener_config> out;
  std::set<std::string> names;
  std::set<uint16_t> ports;
  for (auto text : split_list(listeners)) {
    auto endpoint = parse_listener_endpoint(text);
    if (!endpoint) {
      return unexpected(endpoint.error());
    }
    listener_config l;
    l.name = endpoint->name;
    auto mapped = protocols.find(l.name);
    auto p =
        mapped != protocols.end() ? std::optional(mapped->second) : security_protocol_named(l.name);
    if (!p) {
      return unexpected("listener " + l.name +
                        " has no security protocol: name it PLAINTEXT, SSL, SASL_PLAINTEXT or "
                        "SASL_SSL, or map it in kafka.listener_security_protocol_map");
    }
    l.protocol = *p;
    l.host = endpoint->host;
    l.port = endpoint->port;
    if (!names.insert(l.name).second) {
      return unexpected("listener " + l.name + " is named twice");
    }
    if (l.port != 0 && !ports.insert(l.port).second) {
      return unexpected("port " + std::to_string(l.port) + " is given to two listeners");
    }
    out.push_back(std::move(l));
  }
  for (auto text : split_list(advertised)) {
    auto endpoint = parse_listener_endpoint(text);
    if (!endpoint) {
      return unexpected("advertised listener " + endpoint.error());
    }
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const listener_config& l) { return l.name == endpoint->name; });
    if (it == out.end()) {
      return unexpected("advertised listener " + endpoint->name + " is not a listener");
    }
    it->advertised_host = endpoint->host;
    it->advertised_port = endpoint->port;
  }
  return out;
}

}  // namespace brook::broker
