// baseline_bench: the physical limits a broker benchmark is compared with, measured on the
// machine and filesystem of the run.
//   baseline_bench disk DIR [BLOCK_BYTES [TOTAL_BYTES]]
//       write() of BLOCK bytes then fdatasync(), sequentially into a fresh file in DIR,
//       until TOTAL bytes (defaults 1 MiB, 512 MiB); the most a durable log can do with
//       that block size. The same measurement as storage_bench's per-row baseline.
//   baseline_bench loopback [SECONDS [BLOCK_BYTES]]
//       one thread write()s BLOCK-byte buffers (default 1 MiB) to a TCP socket on
//       127.0.0.1, another read()s them, for SECONDS (default 3): the most a client and a
//       broker on this machine can move between them.
// Prints one line, `<name> <MB/s>` (MB = 10^6 bytes), for a script to read.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

[[noreturn]] void die(const char* what) {
  std::perror(what);
  std::exit(1);
}

double disk_mb_s(const std::filesystem::path& dir, size_t block, size_t total) {
  auto path = dir / "baseline_bench.bin";
  int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (fd < 0) {
    die("open");
  }
  std::string buf(block, 'x');
  auto t = clock_type::now();
  size_t done = 0;
  for (; done < total; done += block) {
    if (::write(fd, buf.data(), block) != static_cast<ssize_t>(block)) {
      die("write");
    }
    if (::fdatasync(fd) != 0) {
      die("fdatasync");
    }
  }
  double s = seconds_since(t);
  ::close(fd);
  std::filesystem::remove(path);
  return static_cast<double>(done) / s / 1e6;
}

double loopback_mb_s(double seconds, size_t block) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listener, 1) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    die("listen");
  }
  int sender = ::socket(AF_INET, SOCK_STREAM, 0);
  if (sender < 0 || ::connect(sender, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    die("connect");
  }
  int receiver = ::accept(listener, nullptr, nullptr);
  if (receiver < 0) {
    die("accept");
  }
  ::close(listener);

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> received{0};
  std::thread reader([&] {
    std::vector<char> buf(block);
    while (true) {
      ssize_t n = ::read(receiver, buf.data(), buf.size());
      if (n <= 0) {
        break;
      }
      received.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
    }
  });
  std::vector<char> buf(block, 'x');
  // Warm up (TCP window growth), then measure what the reader got in `seconds`.
  auto warm = clock_type::now();
  while (seconds_since(warm) < 0.2) {
    if (::write(sender, buf.data(), buf.size()) < 0) {
      die("write");
    }
  }
  uint64_t before = received.load();
  auto t = clock_type::now();
  while (seconds_since(t) < seconds) {
    if (::write(sender, buf.data(), buf.size()) < 0) {
      die("write");
    }
  }
  double s = seconds_since(t);
  uint64_t got = received.load() - before;
  stop = true;
  ::shutdown(sender, SHUT_WR);
  reader.join();
  ::close(sender);
  ::close(receiver);
  return static_cast<double>(got) / s / 1e6;
}

int usage() {
  std::fprintf(stderr,
               "usage: baseline_bench disk DIR [BLOCK_BYTES [TOTAL_BYTES]]\n"
               "       baseline_bench loopback [SECONDS [BLOCK_BYTES]]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    return usage();
  }
  std::string what = argv[1];
  if (what == "disk" && argc >= 3) {
    size_t block = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : (1u << 20);
    size_t total = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : (512u << 20);
    if (block == 0 || total < block) {
      return usage();
    }
    std::printf("disk_write_fdatasync %.1f\n", disk_mb_s(argv[2], block, total));
    return 0;
  }
  if (what == "loopback") {
    double seconds = argc > 2 ? std::strtod(argv[2], nullptr) : 3.0;
    size_t block = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : (1u << 20);
    if (seconds <= 0 || block == 0) {
      return usage();
    }
    std::printf("loopback_tcp %.1f\n", loopback_mb_s(seconds, block));
    return 0;
  }
  return usage();
}
