// process_metrics: the process's own standard Prometheus families (process_cpu_seconds_total,
// process_resident_memory_bytes, process_virtual_memory_bytes, process_open_fds,
// process_max_fds, process_start_time_seconds), read from /proc/self at scrape time.
#pragma once

#include "base/metrics_writer.h"

namespace brook {

void write_process_metrics(metrics_writer& w);

}  // namespace brook
