// The web console's built files (console/, bundled by esbuild at build time), embedded into
// the binary and served at /ui by http/rest/console_routes.cc: no runtime files, no CDN.
#pragma once

#include <span>
#include <string_view>

namespace brook::http {

struct console_asset {
  std::string_view name;  // "index.html", "app.js", "app.css"
  std::string_view body;
  std::string_view gzip;  // the same, gzip-compressed at build time
};

std::span<const console_asset> console_assets();

}  // namespace brook::http
