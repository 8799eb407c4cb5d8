#include "app/cli/record_format.h"

#include <fmt/format.h>

#include "base/json_writer.h"

namespace brook::app {

outcome<record_format> record_format::parse(std::string_view format) {
  record_format f;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) {
      f._pieces.push_back({false, 0, std::move(literal)});
      literal.clear();
    }
  };
  for (size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if (c == '\\' && i + 1 < format.size()) {
      const char n = format[++i];
      switch (n) {
        case 'n':
          literal += '\n';
          break;
        case 'r':
          literal += '\r';
          break;
        case 't':
          literal += '\t';
          break;
        case '\\':
          literal += '\\';
          break;
        default:
          return failure(fmt::format("-f: unknown escape '\\{}' (\\n \\r \\t \\\\)", n));
      }
    } else if (c == '%') {
      if (i + 1 == format.size()) {
        return failure("-f: '%' at the end: give a token (%t %p %o %T %k %s %K %S %h %%)");
      }
      const char t = format[++i];
      if (t == '%') {
        literal += '%';
        continue;
      }
      if (std::string_view("tpoTksKSh").find(t) == std::string_view::npos) {
        return failure(fmt::format("-f: unknown token '%{}' (%t %p %o %T %k %s %K %S %h %%)", t));
      }
      flush();
      f._pieces.push_back({true, t, {}});
    } else {
      literal += c;
    }
  }
  flush();
  return f;
}

void record_format::render(const shown_record& r, std::string& out) const {
  for (const auto& p : _pieces) {
    if (!p.token) {
      out += p.text;
      continue;
    }
    switch (p.what) {
      case 't':
        out += r.topic;
        break;
      case 'p':
        out += std::to_string(r.partition);
        break;
      case 'o':
        out += std::to_string(r.offset);
        break;
      case 'T':
        out += std::to_string(r.timestamp);
        break;
      case 'k':
        out += r.key.value_or("");
        break;
      case 's':
        out += r.value.value_or("");
        break;
      case 'K':
        out += r.key ? std::to_string(r.key->size()) : "-1";
        break;
      case 'S':
        out += r.value ? std::to_string(r.value->size()) : "-1";
        break;
      case 'h':
        for (size_t i = 0; i < r.headers.size(); ++i) {
          out += i == 0 ? "" : ",";
          out += r.headers[i].first;
          out += '=';
          out += r.headers[i].second;
        }
        break;
      default:
        break;
    }
  }
}

void record_format::render_json(const shown_record& r, std::string& out) {
  json_writer w;
  w.begin_object().key("topic").value(r.topic).key("partition").value(r.partition);
  w.key("offset").value(r.offset).key("timestamp").value(r.timestamp);
  w.key("key");
  r.key ? (void)w.value(*r.key) : (void)w.null();
  w.key("value");
  r.value ? (void)w.value(*r.value) : (void)w.null();
  w.key("headers").begin_object();
  for (const auto& [k, v] : r.headers) {
    w.key(k).value(v);
  }
  w.end_object().end_object();
  out += w.take();
  out += '\n';
}

}  // namespace brook::app
