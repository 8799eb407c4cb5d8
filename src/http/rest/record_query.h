// record_query: the query parameters the record routes share (GET /v1/topics/{topic}/records,
// /live and /chart): a parameter's value, whole numbers, times, the partitions named by
// `partition` (every one without it), and the contains/json_path/equals filter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "http/http_message.h"
#include "http/rest/record_filter.h"
#include "http/rest/rest_error.h"

namespace brook::http::rest {

// The query parameter's value (the last of a repeated name), or nullopt.
std::optional<std::string> query_param(const http_request& req, std::string_view name);
// `text` as a whole number, all of it, or nullopt.
std::optional<int64_t> whole_number(std::string_view text);
// `text` as epoch milliseconds or an ISO-8601 time, or nullopt.
std::optional<int64_t> time_of(std::string_view text);
// The partitions of `topic` (which has `count`) the request's `partition` names: that one,
// or every one without it; a 404 (40402) when it names none of them.
expected<std::vector<int32_t>, rest_error> partitions_named(const http_request& req,
                                                            const std::string& topic, size_t count);
// The request's contains, json_path and equals, or why they are wrong.
expected<record_filter, std::string> filter_of(const http_request& req);

}  // namespace brook::http::rest
