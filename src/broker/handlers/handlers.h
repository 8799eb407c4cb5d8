// Every API handler, one per file in this directory. The table of those served is in
// dispatch.cc.
#pragma once

#include "broker/dispatch.h"

namespace brook::broker::handlers {

extern const api_handler api_versions;
extern const api_handler metadata;
extern const api_handler produce;
extern const api_handler fetch;
extern const api_handler list_offsets;
extern const api_handler init_producer_id;
extern const api_handler create_topics;
extern const api_handler delete_topics;
extern const api_handler delete_records;
extern const api_handler describe_configs;
extern const api_handler alter_configs;
extern const api_handler create_partitions;
extern const api_handler incremental_alter_configs;
extern const api_handler describe_cluster;
extern const api_handler find_coordinator;
extern const api_handler join_group;
extern const api_handler sync_group;
extern const api_handler heartbeat;
extern const api_handler leave_group;
extern const api_handler offset_commit;
extern const api_handler offset_fetch;
extern const api_handler list_groups;
extern const api_handler describe_groups;
extern const api_handler delete_groups;
extern const api_handler offset_delete;
extern const api_handler sasl_handshake;
extern const api_handler sasl_authenticate;
extern const api_handler describe_user_scram_credentials;
extern const api_handler alter_user_scram_credentials;
extern const api_handler describe_acls;
extern const api_handler create_acls;
extern const api_handler delete_acls;
extern const api_handler describe_log_dirs;
extern const api_handler add_partitions_to_txn;
extern const api_handler add_offsets_to_txn;
extern const api_handler end_txn;
extern const api_handler write_txn_markers;
extern const api_handler txn_offset_commit;
extern const api_handler describe_producers;
extern const api_handler describe_transactions;
extern const api_handler list_transactions;

}  // namespace brook::broker::handlers
