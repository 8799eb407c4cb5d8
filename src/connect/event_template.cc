#include "connect/event_template.h"

#include <fmt/format.h>

#include <array>
#include <charconv>

#include "base/clock.h"
#include "base/text.h"

namespace brook::connect {

namespace {

constexpr std::array<std::string_view, 48> words{
    "river",   "stone",   "cloud",  "maple",  "harbor",  "lantern", "meadow",  "copper",
    "falcon",  "orchid",  "pebble", "summit", "thistle", "willow",  "ember",   "glacier",
    "canyon",  "breeze",  "cedar",  "delta",  "fjord",   "garnet",  "hollow",  "island",
    "juniper", "kestrel", "lagoon", "marble", "nectar",  "oasis",   "prairie", "quartz",
    "ridge",   "saffron", "tundra", "umber",  "valley",  "walnut",  "yarrow",  "zephyr",
    "amber",   "bramble", "cobalt", "dune",   "fern",    "grove",   "heron",   "indigo"};

bool parse_int(std::string_view s, int64_t& out) {
  s = trim(s);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool parse_double(std::string_view s, double& out) {
  s = trim(s);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// The parts of "name:a:b" split at ':' (at most `n` parts, the last keeps the rest).
std::vector<std::string_view> split_args(std::string_view body, size_t n) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < n) {
    auto colon = body.find(':');
    if (colon == std::string_view::npos) {
      break;
    }
    parts.push_back(body.substr(0, colon));
    body.remove_prefix(colon + 1);
  }
  parts.push_back(body);
  return parts;
}

}  // namespace

expected<std::unique_ptr<event_template>, std::string> event_template::parse(std::string_view text,
                                                                             uint64_t seed) {
  std::unique_ptr<event_template> t(new event_template(seed));
  t->_text = std::string(text);
  if (t->_parser.parse(t->_text).get(t->_root) != simdjson::SUCCESS) {
    return unexpected(std::string("the template is not JSON"));
  }
  // Every placeholder must expand: render once to find out.
  json_writer w;
  t->write(w, t->_root, 0, 0);
  if (!t->_error.empty()) {
    return unexpected(t->_error);
  }
  return t;
}

std::string event_template::render(uint64_t seq, int64_t now_ms) {
  json_writer w;
  write(w, _root, seq, now_ms);
  return w.take();
}

void event_template::write(json_writer& w, simdjson::dom::element e, uint64_t seq, int64_t now_ms) {
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT:
      w.begin_object();
      for (auto [k, v] : simdjson::dom::object(e)) {
        w.key(k);
        write(w, v, seq, now_ms);
      }
      w.end_object();
      return;
    case simdjson::dom::element_type::ARRAY:
      w.begin_array();
      for (auto v : simdjson::dom::array(e)) {
        write(w, v, seq, now_ms);
      }
      w.end_array();
      return;
    case simdjson::dom::element_type::STRING:
      write_string(w, e.get_string().value_unsafe(), seq, now_ms);
      return;
    default:
      w.raw(simdjson::to_string(e));
  }
}

void event_template::write_string(json_writer& w, std::string_view s, uint64_t seq,
                                  int64_t now_ms) {
  // One placeholder and nothing else: a typed value when it gives one.
  if (s.starts_with("{{") && s.ends_with("}}") && s.find("{{", 2) == std::string_view::npos) {
    bool typed = false;
    auto v = expand(s.substr(2, s.size() - 4), seq, now_ms, typed);
    typed ? (void)w.raw(v) : (void)w.value(v);
    return;
  }
  std::string out;
  size_t at = 0;
  while (true) {
    auto open = s.find("{{", at);
    if (open == std::string_view::npos) {
      out.append(s.substr(at));
      break;
    }
    auto close = s.find("}}", open + 2);
    if (close == std::string_view::npos) {
      out.append(s.substr(at));
      break;
    }
    out.append(s.substr(at, open - at));
    bool typed = false;
    out += expand(s.substr(open + 2, close - open - 2), seq, now_ms, typed);
    at = close + 2;
  }
  w.value(out);
}

std::string event_template::expand(std::string_view body, uint64_t seq, int64_t now_ms,
                                   bool& typed) {
  auto fail = [this, body](std::string_view why) {
    if (_error.empty()) {
      _error = fmt::format("placeholder {{{{{}}}}}: {}", body, why);
    }
    return std::string();
  };
  const auto colon = body.find(':');
  const std::string_view name = body.substr(0, colon);
  const std::string_view args = colon == std::string_view::npos ? "" : body.substr(colon + 1);
  typed = false;
  if (name == "seq") {
    typed = true;
    return std::to_string(seq);
  }
  if (name == "now") {
    typed = true;
    return std::to_string(now_ms);
  }
  if (name == "now_iso") {
    return format_iso8601(now_ms);
  }
  if (name == "bool") {
    typed = true;
    return std::uniform_int_distribution<int>(0, 1)(_rng) == 1 ? "true" : "false";
  }
  if (name == "word") {
    return std::string(words[std::uniform_int_distribution<size_t>(0, words.size() - 1)(_rng)]);
  }
  if (name == "uuid") {
    std::uniform_int_distribution<uint64_t> any;
    const uint64_t a = any(_rng);
    const uint64_t b = any(_rng);
    return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff,
                       a & 0xfff, 0x8000 | ((b >> 48) & 0x3fff), b & 0xffffffffffffULL);
  }
  if (name == "int" || name == "float") {
    auto parts = split_args(args, 2);
    if (parts.size() != 2) {
      return fail("needs MIN:MAX");
    }
    typed = true;
    if (name == "int") {
      int64_t lo = 0;
      int64_t hi = 0;
      if (!parse_int(parts[0], lo) || !parse_int(parts[1], hi) || lo > hi) {
        return fail("needs integers MIN <= MAX");
      }
      return std::to_string(std::uniform_int_distribution<int64_t>(lo, hi)(_rng));
    }
    double lo = 0;
    double hi = 0;
    if (!parse_double(parts[0], lo) || !parse_double(parts[1], hi) || lo >= hi) {
      return fail("needs numbers MIN < MAX");
    }
    return fmt::format("{:.4f}", std::uniform_real_distribution<double>(lo, hi)(_rng));
  }
  if (name == "choice") {
    auto choices = split_list(args);
    if (choices.empty()) {
      return fail("needs values: {{choice:A,B,C}}");
    }
    return choices[std::uniform_int_distribution<size_t>(0, choices.size() - 1)(_rng)];
  }
  if (name == "user" || name == "session") {
    int64_t n = 0;
    if (!parse_int(args, n) || n < 1) {
      return fail("needs a cardinality of 1 or more");
    }
    return fmt::format("{}-{}", name, std::uniform_int_distribution<int64_t>(1, n)(_rng));
  }
  return fail("unknown (seq, int, float, bool, choice, word, user, session, uuid, now, now_iso)");
}

}  // namespace brook::connect
