// topic_pattern: a pattern subscription's regular expression (Kafka's subscribe(Pattern)).
// The pattern is a POSIX extended regular expression that must match the whole topic name,
// as Java's Pattern.matches does.
#pragma once

#include <memory>
#include <string>

#include "protocol/kafka_result.h"

namespace brook::protocol {

class topic_pattern {
 public:
  // INVALID_REQUEST, with the regex library's explanation, when `pattern` does not
  // compile.
  static kafka_result<topic_pattern> compile(const std::string& pattern);

  const std::string& pattern() const { return _pattern; }
  bool matches(const std::string& topic) const;

 private:
  struct compiled;
  topic_pattern(std::string pattern, std::shared_ptr<const compiled> re)
      : _pattern(std::move(pattern)), _re(std::move(re)) {}

  std::string _pattern;
  std::shared_ptr<const compiled> _re;  // shared: copies match with the one compiled form
};

}  // namespace brook::protocol
