// user_directory: the users who can log in, with their SCRAM credentials, kept durably in
// the credential store (storage/credential_store.h) and in memory for logins. The one
// place that adds, changes and removes users: AlterUserScramCredentials, `brook user` and
// the bootstrap admin all come here.
//
// Thread-safe: logins read under a shared lock; changes are written to the store first
// and take effect in memory only once durable.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "security/credential_source.h"
#include "storage/credential_store.h"

namespace brook::security {

class user_directory final : public credential_source {
 public:
  // Opens <data_dir>/credentials.db.
  static result<std::unique_ptr<user_directory>> open(const std::filesystem::path& data_dir);

  std::optional<scram_credential> find(std::string_view user,
                                       scram_mechanism mechanism) const override;
  scram_credential decoy(std::string_view user, scram_mechanism mechanism) const override;

  // Sets the user's credential of c.mechanism (adding the user if new).
  status put(std::string_view user, const scram_credential& c);
  // Removes the user's credential of `mechanism`; false when there was none.
  result<bool> remove(std::string_view user, scram_mechanism mechanism);
  // Removes the user; false when there was no such user.
  result<bool> remove_user(std::string_view user);
  // Every user and the mechanisms it has, with their iteration counts.
  std::map<std::string, std::vector<std::pair<scram_mechanism, int32_t>>> list() const;
  bool empty() const;
  // A number that grows with every change of any user's credentials.
  uint64_t generation() const override;
  // The generation() of the last change of `user`'s credentials since the start (a put, a
  // removal), or 0. A login made when generation() was g is stale once this is above g.
  uint64_t changed_at(std::string_view user) const;

 private:
  user_directory(std::unique_ptr<storage::credential_store> store, std::string decoy_secret);

  using key = std::pair<std::string, scram_mechanism>;

  std::unique_ptr<storage::credential_store> _store;
  std::string _decoy_secret;  // random, kept in credentials.db
  mutable std::shared_mutex _mutex;
  std::map<key, scram_credential, std::less<>> _credentials;  // guarded by _mutex
  // Changed under _mutex; read without it (each Kafka request of a password login reads it).
  std::atomic<uint64_t> _generation{0};
  std::map<std::string, uint64_t, std::less<>> _changed_at;  // guarded by _mutex
};

}  // namespace brook::security
