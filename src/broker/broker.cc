#include "broker/broker.h"

#include <charconv>
#include <fstream>
#include <sstream>

#include "base/file.h"
#include "base/log.h"
#include "protocol/uuid.h"
#include "storage/errc.h"

namespace brook::broker {

namespace {
// Files under the data directory: the cluster id (Kafka's 22-character form), and the
// first producer id not yet reserved (a decimal number).
constexpr const char* cluster_id_file = "cluster-id";
constexpr const char* producer_id_file = "producer-id-block";
constexpr int64_t producer_id_block = 1000;

std::optional<std::string> read_small_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}
}  // namespace

broker::broker(broker_config config, std::filesystem::path data_dir, storage::log_manager& logs,
               topic_table& topics)
    : _config(std::move(config)),
      _data_dir(std::move(data_dir)),
      _logs(logs),
      _topics(topics),
      _writes(_data_dir, topics.server_defaults().max_message_bytes) {}

result<std::unique_ptr<broker>> broker::open(broker_config config,
                                             const std::filesystem::path& data_dir,
                                             storage::log_manager& logs, topic_table& topics) {
  std::unique_ptr<broker> b(new broker(std::move(config), data_dir, logs, topics));
  auto id = read_small_file(data_dir / cluster_id_file);
  if (!id || id->size() != 22) {
    if (id) {
      log::warn("{}: not a cluster id; writing a new one", (data_dir / cluster_id_file).string());
    }
    id = protocol::uuid::random().to_base64();
    if (auto st = write_file_atomically(data_dir / cluster_id_file, *id + "\n"); !st) {
      return st.error();
    }
  }
  b->_cluster_id = *id;
  if (auto next = read_small_file(data_dir / producer_id_file)) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(next->data(), next->data() + next->size(), v);
    if (ec != std::errc() || p != next->data() + next->size() || v < 0) {
      log::error("{}: not a number", (data_dir / producer_id_file).string());
      return storage::errc::invalid_config;
    }
    b->_next_pid = v;
    b->_pid_block_end = v;
  }
  b->_listeners = b->_config.listeners;
  if (b->_listeners.empty()) {
    listener_config only;
    only.host = b->_config.host;
    only.port = b->_config.port;
    b->_listeners.push_back(only);
  }
  for (const auto& l : b->_listeners) {
    listener_endpoint e;
    e.name = l.name;
    e.host = !l.advertised_host.empty()            ? l.advertised_host
             : !b->_config.advertised_host.empty() ? b->_config.advertised_host
                                                   : l.host;
    e.port = l.advertised_port != 0 ? l.advertised_port
             : b->_listeners.size() == 1 && b->_config.advertised_port != 0
                 ? b->_config.advertised_port
                 : l.port;
    b->_endpoints.push_back(std::move(e));
  }
  return b;
}

const listener_endpoint& broker::advertised_endpoint(std::string_view name) const {
  for (const auto& e : _endpoints) {
    if (e.name == name) {
      return e;
    }
  }
  return _endpoints.front();
}

void broker::set_bound_port(std::string_view listener, uint16_t port) {
  for (size_t i = 0; i < _listeners.size(); ++i) {
    if (_listeners[i].name != listener) {
      continue;
    }
    if (i == 0) {
      _bound_port = port;
    }
    const bool configured = _listeners[i].advertised_port != 0 ||
                            (_listeners.size() == 1 && _config.advertised_port != 0);
    if (!configured) {
      _endpoints[i].port = port;
    }
  }
}

result<int64_t> broker::allocate_producer_id() {
  std::lock_guard lock(_pid_mutex);
  if (_next_pid >= _pid_block_end) {
    int64_t end = _next_pid + producer_id_block;
    if (auto st = write_file_atomically(_data_dir / producer_id_file, std::to_string(end) + "\n");
        !st) {
      return st.error();
    }
    _pid_block_end = end;
  }
  return _next_pid++;
}

}  // namespace brook::broker
