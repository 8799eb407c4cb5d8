// DescribeLogDirs (key 35, KIP-113): the one log directory of this broker (the data
// directory), with every partition it holds (or those asked for) and its size on disk,
// and from v4 the directory's total and usable bytes. Needs DESCRIBE on the cluster, as in
// Kafka; topics that do not exist are left out of the answer.
#include <sys/statvfs.h>

#include <set>

#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "protocol/kafka_error.h"
#include "protocol/messages/describe_log_dirs.h"

namespace brook::broker::handlers {

namespace {
using protocol::describe_log_dirs_request;
using protocol::describe_log_dirs_response;
using protocol::kafka_error;
using log_dir_result = describe_log_dirs_response::describe_log_dirs_result;
using log_dir_topic = describe_log_dirs_response::describe_log_dirs_topic;

void add_topic(const topic& t, const std::set<int32_t>* wanted, log_dir_result& dir) {
  log_dir_topic out;
  out.name = t.name;
  for (int32_t p = 0; p < t.partition_count(); ++p) {
    if (wanted != nullptr && !wanted->contains(p)) {
      continue;
    }
    auto log = t.partition(p);
    if (!log) {
      continue;
    }
    auto& part = out.partitions.emplace_back();
    part.partition_index = p;
    part.partition_size = static_cast<int64_t>(log->size_bytes());
    part.offset_lag = 0;  // no replica is behind: there is one copy
    part.is_future_key = false;
  }
  if (!out.partitions.empty()) {
    dir.topics.push_back(std::move(out));
  }
}

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<describe_log_dirs_request>(*req, respond);
  if (!in) {
    return;
  }
  describe_log_dirs_response out;
  if (!req->authorized(security::acl_operation::describe, security::resource_type::cluster,
                       security::cluster_resource_name)) {
    out.error_code = protocol::code(kafka_error::cluster_authorization_failed);
    respond.send(req->header, out);
    return;
  }
  auto& dir = out.results.emplace_back();
  dir.error_code = 0;
  dir.log_dir = std::filesystem::absolute(b.data_dir()).string();
  if (in->topics) {
    for (const auto& wanted : *in->topics) {
      if (auto t = b.topics().find(wanted.topic)) {
        const std::set<int32_t> partitions(wanted.partitions.begin(), wanted.partitions.end());
        add_topic(*t, &partitions, dir);
      }
    }
  } else {
    for (const auto& t : b.topics().list()) {
      add_topic(*t, nullptr, dir);
    }
  }
  struct statvfs fs {};
  if (::statvfs(dir.log_dir.c_str(), &fs) == 0) {
    dir.total_bytes = static_cast<int64_t>(fs.f_blocks * fs.f_frsize);
    dir.usable_bytes = static_cast<int64_t>(fs.f_bavail * fs.f_frsize);
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler describe_log_dirs{describe_log_dirs_request::api_key, 0, 4, &handle};
static_assert(4 <= describe_log_dirs_request::max_version);

}  // namespace brook::broker::handlers
