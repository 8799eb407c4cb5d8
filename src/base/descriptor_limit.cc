#include "base/descriptor_limit.h"

#include <dirent.h>
#include <sys/resource.h>

#include <cerrno>
#include <system_error>

namespace brook {

result<descriptor_limit> current_descriptor_limit() {
  rlimit l{};
  if (::getrlimit(RLIMIT_NOFILE, &l) != 0) {
    return std::error_code(errno, std::system_category());
  }
  return descriptor_limit{static_cast<uint64_t>(l.rlim_cur), static_cast<uint64_t>(l.rlim_max)};
}

result<descriptor_limit> raise_descriptor_limit() {
  rlimit l{};
  if (::getrlimit(RLIMIT_NOFILE, &l) != 0) {
    return std::error_code(errno, std::system_category());
  }
  if (l.rlim_cur != l.rlim_max) {
    rlimit raised = l;
    raised.rlim_cur = l.rlim_max;
    // Refused (a hard limit above what the kernel allows, say): the limits stay as they
    // are, and the caller checks them.
    (void)::setrlimit(RLIMIT_NOFILE, &raised);
  }
  return current_descriptor_limit();
}

result<uint64_t> open_descriptor_count() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) {
    return std::error_code(errno, std::system_category());
  }
  uint64_t count = 0;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') {
      ++count;
    }
  }
  ::closedir(dir);
  return count - 1;  // less the directory being read
}

}  // namespace brook
