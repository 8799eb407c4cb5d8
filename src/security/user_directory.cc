#include "security/user_directory.h"

#include <cstring>
#include <mutex>

namespace brook::security {
namespace {

std::vector<std::byte> bytes_of(std::string_view s) {
  std::vector<std::byte> out(s.size());
  std::memcpy(out.data(), s.data(), s.size());
  return out;
}

std::string string_of(const std::vector<std::byte>& b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

}  // namespace

user_directory::user_directory(std::unique_ptr<storage::credential_store> store,
                               std::string decoy_secret)
    : _store(std::move(store)), _decoy_secret(std::move(decoy_secret)) {}

result<std::unique_ptr<user_directory>> user_directory::open(
    const std::filesystem::path& data_dir) {
  auto store = storage::credential_store::open(data_dir / storage::credential_store::file_name);
  if (!store) {
    return store.error();
  }
  auto rows = (*store)->list();
  if (!rows) {
    return rows.error();
  }
  // The decoy's key is kept in the store: an unknown user's salt stays the same across
  // restarts, as a real user's does, so a restart does not tell them apart.
  const std::string candidate = random_bytes(32);
  auto secret = (*store)->secret("decoy", bytes_of(candidate));
  if (!secret) {
    return secret.error();
  }
  std::unique_ptr<user_directory> out(new user_directory(std::move(*store), string_of(*secret)));
  for (const auto& row : *rows) {
    auto mechanism = scram_mechanism_of_code(row.mechanism);
    if (!mechanism) {
      continue;  // a mechanism of a later Brook: not usable by this one
    }
    out->_credentials[key{row.user, *mechanism}] =
        scram_credential{*mechanism, string_of(row.salt), string_of(row.stored_key),
                         string_of(row.server_key), row.iterations};
  }
  return out;
}

std::optional<scram_credential> user_directory::find(std::string_view user,
                                                     scram_mechanism mechanism) const {
  std::shared_lock lock(_mutex);
  auto it = _credentials.find(key{std::string(user), mechanism});
  if (it == _credentials.end()) {
    return std::nullopt;
  }
  return it->second;
}

scram_credential user_directory::decoy(std::string_view user, scram_mechanism mechanism) const {
  const digest d = digest_of(mechanism);
  const std::string tag = std::string(scram_mechanism_name(mechanism)) + '\0' + std::string(user);
  scram_credential c;
  c.mechanism = mechanism;
  c.salt = hmac(d, _decoy_secret, "salt" + tag).substr(0, 32);
  c.stored_key = hmac(d, _decoy_secret, "stored" + tag);
  c.server_key = hmac(d, _decoy_secret, "server" + tag);
  c.iterations = min_scram_iterations;
  return c;
}

status user_directory::put(std::string_view user, const scram_credential& c) {
  std::unique_lock lock(_mutex);
  auto st = _store->put(storage::stored_scram_credential{
      std::string(user), static_cast<int8_t>(c.mechanism), bytes_of(c.salt), bytes_of(c.stored_key),
      bytes_of(c.server_key), c.iterations});
  if (!st) {
    return st;
  }
  _credentials[key{std::string(user), c.mechanism}] = c;
  _changed_at[std::string(user)] = ++_generation;
  return {};
}

result<bool> user_directory::remove(std::string_view user, scram_mechanism mechanism) {
  std::unique_lock lock(_mutex);
  auto removed = _store->remove(user, static_cast<int8_t>(mechanism));
  if (!removed) {
    return removed.error();
  }
  _credentials.erase(key{std::string(user), mechanism});
  _changed_at[std::string(user)] = ++_generation;
  return *removed;
}

result<bool> user_directory::remove_user(std::string_view user) {
  std::unique_lock lock(_mutex);
  auto removed = _store->remove_user(user);
  if (!removed) {
    return removed.error();
  }
  for (auto m : {scram_mechanism::sha256, scram_mechanism::sha512}) {
    _credentials.erase(key{std::string(user), m});
  }
  _changed_at[std::string(user)] = ++_generation;
  return *removed > 0;
}

std::map<std::string, std::vector<std::pair<scram_mechanism, int32_t>>> user_directory::list()
    const {
  std::shared_lock lock(_mutex);
  std::map<std::string, std::vector<std::pair<scram_mechanism, int32_t>>> out;
  for (const auto& [k, c] : _credentials) {
    out[k.first].emplace_back(k.second, c.iterations);
  }
  return out;
}

bool user_directory::empty() const {
  std::shared_lock lock(_mutex);
  return _credentials.empty();
}

uint64_t user_directory::generation() const {
  return _generation.load();
}

uint64_t user_directory::changed_at(std::string_view user) const {
  std::shared_lock lock(_mutex);
  auto it = _changed_at.find(user);
  return it == _changed_at.end() ? 0 : it->second;
}

}  // namespace brook::security
