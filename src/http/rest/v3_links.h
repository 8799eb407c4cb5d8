// The links of v3 resources: "metadata": {"self": URL, "resource_name": CRN} and
// {"related": URL}, built from the request's Host header so that clients can follow them.
#pragma once

#include <string>
#include <string_view>

#include "base/json_writer.h"
#include "http/http_message.h"

namespace brook::http::rest {

class v3_links {
 public:
  v3_links(const http_request& req, std::string cluster_id)
      : _base(std::string(req.scheme()) +
              std::string(req.header("Host").empty() ? "localhost" : req.header("Host")) +
              "/v3/clusters/" + cluster_id),
        _cluster(std::move(cluster_id)) {}

  // {base}/v3/clusters/{id}{path}
  std::string url(std::string_view path = {}) const { return _base + std::string(path); }
  // crn:///kafka={id}{path}, path like "/topic=t"
  std::string crn(std::string_view path = {}) const {
    return "crn:///kafka=" + _cluster + std::string(path);
  }
  void metadata(json_writer& w, std::string_view path, std::string_view crn_path) const {
    w.key("metadata").begin_object().key("self").value(url(path));
    w.key("resource_name").value(crn(crn_path)).end_object();
  }
  void list_metadata(json_writer& w, std::string_view path) const {
    w.key("metadata").begin_object().key("self").value(url(path)).key("next").null().end_object();
  }
  void related(json_writer& w, std::string_view name, std::string_view path) const {
    w.key(name).begin_object().key("related").value(url(path)).end_object();
  }
  const std::string& cluster_id() const { return _cluster; }

 private:
  std::string _base;
  std::string _cluster;
};

}  // namespace brook::http::rest
