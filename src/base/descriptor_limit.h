// descriptor_limit: the process's open-file limit (RLIMIT_NOFILE). A server with thousands
// of connections and segment files wants the soft limit as high as the hard limit allows;
// the common default soft limit (1,024) is low.
#pragma once

#include <cstdint>

#include "base/result.h"

namespace brook {

struct descriptor_limit {
  uint64_t soft = 0;  // what open() is held to
  uint64_t hard = 0;  // how far the soft limit may be raised without privileges
};

// The limits now.
result<descriptor_limit> current_descriptor_limit();
// Raises the soft limit to the hard limit (where the kernel allows); the limits in effect
// afterwards.
result<descriptor_limit> raise_descriptor_limit();
// How many descriptors the process holds open now (the entries of /proc/self/fd).
result<uint64_t> open_descriptor_count();

}  // namespace brook
