// agent_store: where the agent registry keeps its state (the agents, every topic name ever
// given to one, the Idempotency-Keys of registrations), as the registry needs it. The
// registry owns this interface and the meaning of the values; `brook serve` gives it
// app::sqlite_agent_store (registry.db, doc/formats/registry-db.md), the same over the
// local broker and in gateway mode.
//
// Each call is durable before it returns, and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace brook::registry {

struct agent_record {
  std::string id;
  std::string name;   // as its owner calls it
  std::string owner;  // a principal, "User:alice"
  std::string topic;
  std::string state;  // creating, active, disabled, deleting (agent_registry's words)
  int32_t partitions = 1;
  std::optional<int64_t> retention_ms;  // none: the broker's default
  std::string metadata = "{}";          // a JSON object's text
  std::optional<std::string> public_key;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
  bool operator==(const agent_record&) const = default;
};

class agent_store {
 public:
  virtual ~agent_store() = default;

  enum class claim_outcome {
    claimed,     // stored, its topic name marked used, its key recorded
    name_taken,  // the topic name was given before (to this agent or another): nothing stored
    id_taken,    // an agent has this id: nothing stored
    idempotent,  // the owner's key names an agent already: nothing stored; `existing` is it
  };
  struct claim_result {
    claim_outcome outcome = claim_outcome::claimed;
    std::optional<agent_record> existing;
  };
  // Stores a new agent (its timestamps are set here), all or nothing: the agent, its topic
  // name among the used names, and the owner's idempotency key if given.
  virtual result<claim_result> claim(const agent_record& agent,
                                     const std::optional<std::string>& idempotency_key) = 0;

  // Whether the topic name was ever given to an agent.
  virtual result<bool> name_used(std::string_view name) const = 0;
  virtual result<std::optional<agent_record>> get(std::string_view id) const = 0;
  // Agents by id after `after_id` ("" from the first), at most `limit`; of `owner` only
  // when given.
  virtual result<std::vector<agent_record>> list(const std::optional<std::string>& owner,
                                                 std::string_view after_id, size_t limit) const = 0;
  virtual result<std::vector<agent_record>> in_state(std::string_view state) const = 0;
  // Replaces the agent's name, state, retention, metadata and public key (id, owner, topic,
  // partitions and created_at_ms stay); updated_at_ms is set here. False: no such agent.
  virtual result<bool> update(const agent_record& agent) = 0;
  // Removes the agent and its idempotency keys; its topic name stays used unless
  // `release_name`. False: no such agent.
  virtual result<bool> remove(std::string_view id, bool release_name) = 0;
};

}  // namespace brook::registry
