// json_fields: reads fields out of one JSON document by dotted path ("user.id", "items.0"
// for an array's first element), for the sinks that map a record's JSON value to columns.
// One parser is reused for every document (simdjson's DOM): a field is valid until the
// next load().
//
//   json_fields f;
//   if (f.load(record.value)) { auto id = f.text("user.id"); }
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

namespace brook::connect {

class json_fields {
 public:
  // Parses `text`; false (with why()) when it is not one JSON value.
  bool load(std::string_view text);
  const std::string& why() const { return _why; }

  // The whole document as compact JSON, appended to `out`.
  void append_compact(std::string& out) const;
  std::string compact() const {
    std::string out;
    append_compact(out);
    return out;
  }
  // Whether the document is a JSON object.
  bool is_object() const;
  // The field at `path` as text: a string's characters, a number or boolean as JSON
  // writes it, an object or array as compact JSON; nullopt when absent or null.
  std::optional<std::string> text(std::string_view path) const;
  // The same at a JSON Pointer made once by pointer() (for a scan of many documents), without
  // allocating: a string's characters viewed in the document, anything else written into
  // `scratch` and viewed there; valid until the next load().
  std::optional<std::string_view> text_at(std::string_view json_pointer,
                                          std::string& scratch) const;
  // The number at a JSON Pointer; nullopt when absent or not a number.
  std::optional<double> number_at(std::string_view json_pointer) const;

  // The top-level fields of an object document, in order: name, text (as text() gives
  // it; nullopt for null) and kind: 'n' number, 'b' boolean, 's' string, 'j' object or
  // array, '0' null.
  struct field {
    std::string name;
    std::optional<std::string> text;
    char kind = '0';
  };
  std::vector<field> top_level_fields() const;

  // `path` ("a.b.0") as a JSON Pointer ("/a/b/0"), ~ and / escaped.
  static std::string pointer(std::string_view path);

 private:
  simdjson::dom::parser _parser;
  simdjson::dom::element _root;
  std::string _why;
};

}  // namespace brook::connect
