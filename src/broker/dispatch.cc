#include "broker/dispatch.h"

#include "base/log.h"
#include "broker/handlers/handlers.h"
#include "protocol/request_header.h"

namespace brook::broker {

namespace {
const api_handler* const table[] = {
    &handlers::produce,
    &handlers::fetch,
    &handlers::list_offsets,
    &handlers::metadata,
    &handlers::api_versions,
    &handlers::init_producer_id,
    &handlers::create_topics,
    &handlers::delete_topics,
    &handlers::delete_records,
    &handlers::describe_configs,
    &handlers::alter_configs,
    &handlers::create_partitions,
    &handlers::incremental_alter_configs,
    &handlers::describe_cluster,
    &handlers::find_coordinator,
    &handlers::join_group,
    &handlers::sync_group,
    &handlers::heartbeat,
    &handlers::leave_group,
    &handlers::offset_commit,
    &handlers::offset_fetch,
    &handlers::list_groups,
    &handlers::describe_groups,
    &handlers::delete_groups,
    &handlers::offset_delete,
    &handlers::sasl_handshake,
    &handlers::sasl_authenticate,
    &handlers::describe_user_scram_credentials,
    &handlers::alter_user_scram_credentials,
    &handlers::describe_acls,
    &handlers::create_acls,
    &handlers::delete_acls,
    &handlers::describe_log_dirs,
    &handlers::add_partitions_to_txn,
    &handlers::add_offsets_to_txn,
    &handlers::end_txn,
    &handlers::write_txn_markers,
    &handlers::txn_offset_commit,
    &handlers::describe_producers,
    &handlers::describe_transactions,
    &handlers::list_transactions,
};
}  // namespace

std::span<const api_handler* const> all_handlers() {
  return table;
}

const api_handler* find_handler(int16_t key) {
  for (const api_handler* h : table) {
    if (h->key == key) {
      return h;
    }
  }
  return nullptr;
}

void dispatch_request(broker& b, std::shared_ptr<request_context> req, responder respond) {
  const auto& h = req->header;
  const api_handler* handler = find_handler(h.api_key);
  if (handler == nullptr) {
    log::warn("closing connection: unknown api key {} (correlation {})", h.api_key,
              h.correlation_id);
    respond.close();
    return;
  }
  if (h.api_version < handler->min_version || h.api_version > handler->max_version) {
    if (h.api_key == protocol::api_versions_key) {
      // Answered in the v0 layout with UNSUPPORTED_VERSION and the versions served, so
      // the client can pick one (KIP-511).
      handler->handle(b, std::move(req), std::move(respond));
      return;
    }
    log::warn("closing connection: api {} v{} is not served (v{}-{})", h.api_key, h.api_version,
              handler->min_version, handler->max_version);
    respond.close();
    return;
  }
  handler->handle(b, std::move(req), std::move(respond));
}

}  // namespace brook::broker
