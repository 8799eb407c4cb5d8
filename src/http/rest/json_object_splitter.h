// json_object_splitter: cuts a byte stream of concatenated JSON objects ({...}{...} or
// separated by whitespace) into the objects' texts as their bytes arrive, for the v3
// produce streaming mode. It tracks strings and escapes only to find where each object
// ends; each object's text is validated by the JSON parser afterwards.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace brook::http::rest {

class json_object_splitter {
 public:
  explicit json_object_splitter(size_t max_object_bytes) : _max(max_object_bytes) {}

  // Adds bytes; complete objects are appended to `out`. False when the stream is not a
  // sequence of objects (a byte outside one that is not whitespace, or one object larger
  // than the limit): error() says which.
  bool feed(std::string_view bytes, std::vector<std::string>& out);
  // True when no object is half-read (call at the end of the stream).
  bool at_boundary() const { return _depth == 0 && _current.empty(); }
  const std::string& error() const { return _error; }

 private:
  size_t _max;
  std::string _current;
  int _depth = 0;
  bool _in_string = false;
  bool _escape = false;
  std::string _error;
};

}  // namespace brook::http::rest
