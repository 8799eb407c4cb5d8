// The OpenAPI 3 document of every endpoint `brook serve` answers over HTTP: doc/openapi.json,
// embedded into the binary at build time and served at GET /openapi.json.
#pragma once

#include <string_view>

namespace brook::http {

std::string_view openapi_document();

}  // namespace brook::http
