// DescribeCluster (key 60, KIP-700): the cluster id, the controller (this node) and the
// one broker of the cluster, with the cluster operations the client may perform when it
// asks for them.
#include "protocol/messages/describe_cluster.h"
#include "broker/broker.h"
#include "broker/handlers/handlers.h"

namespace brook::broker::handlers {

namespace {
using protocol::describe_cluster_request;
using protocol::describe_cluster_response;

constexpr int32_t no_authorized_operations = INT32_MIN;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<describe_cluster_request>(*req, respond);
  if (!in) {
    return;
  }
  describe_cluster_response out;
  out.error_code = 0;
  out.error_message.reset();
  out.cluster_id = b.cluster_id();
  out.controller_id = b.node_id();
  auto& self = out.brokers.emplace_back();
  self.broker_id = b.node_id();
  self.host = b.advertised_endpoint(req->listener).host;
  self.port = b.advertised_endpoint(req->listener).port;
  self.rack.reset();
  out.cluster_authorized_operations =
      in->include_cluster_authorized_operations
          ? req->authorized_operations(security::resource_type::cluster,
                                       security::cluster_resource_name)
          : no_authorized_operations;
  respond.send(req->header, out);
}
}  // namespace

const api_handler describe_cluster{describe_cluster_request::api_key, 0, 0, &handle};
static_assert(0 <= describe_cluster_request::max_version);

}  // namespace brook::broker::handlers
