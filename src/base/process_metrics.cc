#include "base/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace brook {

namespace {

// The fields of /proc/self/stat after the command name (which may hold spaces).
std::vector<std::string> stat_fields() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  const auto close = line.rfind(')');
  std::vector<std::string> out;
  if (close == std::string::npos) {
    return out;
  }
  std::istringstream rest(line.substr(close + 1));
  std::string f;
  while (rest >> f) {
    out.push_back(f);
  }
  return out;
}

double boot_time_s() {
  std::ifstream in("/proc/stat");
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double t = 0;
      in >> t;
      return t;
    }
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return 0;
}

}  // namespace

void write_process_metrics(metrics_writer& w) {
  const auto fields = stat_fields();  // fields[0] is stat's field 3 (state)
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  if (fields.size() > 21 && ticks > 0) {
    const double cpu = (std::stod(fields[11]) + std::stod(fields[12])) / ticks;  // utime+stime
    w.counter("process_cpu_seconds", "User and system CPU time spent in seconds.");
    w.value({}, cpu);
    w.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.");
    w.value({}, boot_time_s() + std::stod(fields[19]) / ticks);
    w.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.");
    w.value({}, std::stod(fields[20]));
    w.gauge("process_resident_memory_bytes", "Resident memory size in bytes.");
    w.value({}, std::stod(fields[21]) * page);
  }
  std::error_code ec;
  uint64_t fds = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++fds;
  }
  w.gauge("process_open_fds", "Number of open file descriptors.");
  w.value({}, fds);
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    w.gauge("process_max_fds", "Maximum number of open file descriptors.");
    w.value({}, static_cast<uint64_t>(limit.rlim_cur));
  }
}

}  // namespace brook
