#include "protocol/topic_pattern.h"

#include <regex.h>

namespace brook::protocol {

struct topic_pattern::compiled {
  regex_t re{};
  bool ok = false;  // regcomp succeeded: there is something to free
  ~compiled() {
    if (ok) {
      regfree(&re);
    }
  }
};

kafka_result<topic_pattern> topic_pattern::compile(const std::string& pattern) {
  auto c = std::make_shared<compiled>();
  const std::string anchored = "^(" + pattern + ")$";
  int rc = regcomp(&c->re, anchored.c_str(), REG_EXTENDED | REG_NOSUB);
  if (rc != 0) {
    char buf[256];
    regerror(rc, &c->re, buf, sizeof(buf));
    return kafka_failure{kafka_error::invalid_request,
                         "Invalid topic_pattern '" + pattern + "': " + buf};
  }
  c->ok = true;
  return topic_pattern(pattern, std::move(c));
}

bool topic_pattern::matches(const std::string& topic) const {
  return regexec(&_re->re, topic.c_str(), 0, nullptr, 0) == 0;
}

}  // namespace brook::protocol
