#include "app/cli/dump_log_command.h"

#include <fmt/format.h>

#include <map>
#include <ostream>
#include <vector>

#include "base/big_endian.h"
#include "base/file.h"
#include "protocol/record_batch.h"
#include "storage/log_file_names.h"
#include "storage/offset_index.h"
#include "storage/time_index.h"

namespace brook::app {
namespace L = protocol::batch_layout;
namespace names = storage::names;

namespace {

struct batch_seen {
  uint64_t position;
  int64_t base_offset;
  int64_t last_offset;
  int64_t max_timestamp;
};

std::string printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out;
}

// Checks the indexes next to a segment against the batches found in it; prints a line per
// problem and returns how many there were.
int check_indexes(const std::filesystem::path& dir, int64_t base, uint64_t log_size,
                  const std::vector<batch_seen>& batches, std::ostream& out) {
  int problems = 0;
  std::map<uint64_t, const batch_seen*> by_position;
  for (const auto& b : batches) {
    by_position[b.position] = &b;
  }
  auto index_path = names::index_file(dir, base);
  if (!std::filesystem::exists(index_path)) {
    out << "index: missing " << index_path.filename().string() << "\n";
    ++problems;
  } else if (auto index = storage::offset_index::load(index_path, log_size); !index) {
    out << "index: " << index_path.filename().string() << ": " << index.error().message() << "\n";
    ++problems;
  } else {
    int bad = 0;
    for (const auto& e : index->entries()) {
      auto it = by_position.find(e.position);
      if (it == by_position.end() || it->second->last_offset != base + e.relative_offset) {
        out << fmt::format("index: entry offset {} position {} does not match a batch\n",
                           base + e.relative_offset, e.position);
        ++bad;
      }
    }
    out << fmt::format("index: {} entries, {}\n", index->entries().size(),
                       bad == 0 ? "ok" : fmt::format("{} mismatched", bad));
    problems += bad;
  }
  int64_t max_relative = batches.empty() ? 0 : batches.back().last_offset - base;
  auto time_path = names::time_index_file(dir, base);
  if (!std::filesystem::exists(time_path)) {
    out << "timeindex: missing " << time_path.filename().string() << "\n";
    ++problems;
  } else if (auto times = storage::time_index::load(time_path, max_relative); !times) {
    out << "timeindex: " << time_path.filename().string() << ": " << times.error().message()
        << "\n";
    ++problems;
  } else {
    int bad = 0;
    for (const auto& e : times->entries()) {
      // The entry's timestamp must be the largest seen up to its offset.
      int64_t max_ts = -1;
      bool found = false;
      for (const auto& b : batches) {
        if (b.last_offset > base + e.relative_offset) {
          break;
        }
        max_ts = std::max(max_ts, b.max_timestamp);
        found = found || b.last_offset == base + e.relative_offset;
      }
      if (!found || max_ts != e.timestamp) {
        out << fmt::format("timeindex: entry timestamp {} offset {} does not match the log\n",
                           e.timestamp, base + e.relative_offset);
        ++bad;
      }
    }
    out << fmt::format("timeindex: {} entries, {}\n", times->entries().size(),
                       bad == 0 ? "ok" : fmt::format("{} mismatched", bad));
    problems += bad;
  }
  return problems;
}

int dump_index(const std::filesystem::path& path, int64_t base, std::ostream& out) {
  bool is_time = path.extension() == names::time_index_suffix;
  auto f = file::open(path, file::mode::read_only);
  if (!f) {
    out << path.string() << ": " << f.error().message() << "\n";
    return 1;
  }
  auto size = f->size();
  std::vector<std::byte> bytes(size ? *size : 0);
  auto n = f->read_at(0, bytes);
  if (!n) {
    out << path.string() << ": " << n.error().message() << "\n";
    return 1;
  }
  size_t entry = is_time ? storage::time_index::entry_size : storage::offset_index::entry_size;
  out << "Dumping " << path.string() << "\n";
  for (size_t i = 0; i + entry <= bytes.size(); i += entry) {
    if (is_time) {
      out << fmt::format("timestamp: {} offset: {}\n", be::load<int64_t>(&bytes[i]),
                         base + be::load<int32_t>(&bytes[i + 8]));
    } else {
      out << fmt::format("offset: {} position: {}\n", base + be::load<int32_t>(&bytes[i]),
                         be::load<uint32_t>(&bytes[i + 4]));
    }
  }
  if (bytes.size() % entry != 0) {
    out << fmt::format("trailing {} bytes: not a whole entry\n", bytes.size() % entry);
    return 2;
  }
  return 0;
}

}  // namespace

int run_dump_log(const std::filesystem::path& path, const dump_options& options,
                 std::ostream& out) {
  auto name = path.filename().string();
  auto base = names::parse_base_offset(name);
  if (!base) {
    out << path.string() << ": not a segment file (expected <20-digit offset>.log)\n";
    return 1;
  }
  if (path.extension() == names::index_suffix || path.extension() == names::time_index_suffix) {
    return dump_index(path, *base, out);
  }
  auto f = file::open(path, file::mode::read_only);
  if (!f) {
    out << path.string() << ": " << f.error().message() << "\n";
    return 1;
  }
  auto size = f->size();
  if (!size) {
    out << path.string() << ": " << size.error().message() << "\n";
    return 1;
  }
  out << "Dumping " << path.string() << "\n";
  out << fmt::format("Starting offset: {}\n", *base);
  int problems = 0;
  std::vector<batch_seen> batches;
  std::vector<std::byte> buf;
  uint64_t pos = 0;
  while (pos < *size) {
    std::array<std::byte, L::header_size> head{};
    auto n = f->read_at(pos, head);
    if (!n || *n < L::header_size) {
      out << fmt::format("position: {} truncated: {} bytes, less than a batch header\n", pos,
                         *size - pos);
      ++problems;
      break;
    }
    auto h = protocol::batch_header::decode(head);
    if (h.batch_length < static_cast<int32_t>(L::header_size - L::length_prefix) ||
        h.total_size() > *size - pos) {
      out << fmt::format("position: {} truncated or garbage: batch length {} with {} bytes left\n",
                         pos, h.batch_length, *size - pos);
      ++problems;
      break;
    }
    buf.resize(h.total_size());
    n = f->read_at(pos, buf);
    if (!n || *n != buf.size()) {
      out << fmt::format("position: {} read failed\n", pos);
      ++problems;
      break;
    }
    auto valid = protocol::validate_batch(buf, buf.size(), protocol::batch_origin::stored);
    out << fmt::format(
        "baseOffset: {} lastOffset: {} count: {} baseSequence: {} producerId: {} "
        "producerEpoch: {} isTransactional: {} isControl: {} position: {} "
        "CreateTime: {} maxTimestamp: {} timestampType: {} size: {} magic: {} "
        "compresscodec: {} crc: {} isvalid: {}{}\n",
        h.base_offset, h.last_offset(), h.records_count, h.base_sequence, h.producer_id,
        h.producer_epoch, h.transactional(), h.control(), pos, h.base_timestamp, h.max_timestamp,
        h.log_append_time() ? "LogAppendTime" : "CreateTime", h.total_size(), h.magic,
        protocol::compression_name(h.codec()), h.crc, valid.has_value(),
        valid ? "" : " (" + valid.error().message() + ")");
    if (!valid) {
      ++problems;
    }
    if (!batches.empty() && h.base_offset <= batches.back().last_offset) {
      out << fmt::format("position: {} offsets do not rise after {}\n", pos,
                         batches.back().last_offset);
      ++problems;
    }
    if (options.print_records && valid && h.codec() != protocol::compression::none) {
      out << "| records not printed: compressed with " << protocol::compression_name(h.codec())
          << "\n";
    } else if (options.print_records && valid) {
      if (auto records = protocol::decode_records(buf)) {
        int64_t i = 0;
        for (const auto& r : *records) {
          out << fmt::format("| offset: {} CreateTime: {} key: {} payload: {}", h.base_offset + i,
                             h.base_timestamp + r.timestamp_delta,
                             r.null_key ? "null" : printable(r.key),
                             r.null_value ? "null" : printable(r.value));
          for (const auto& [k, v] : r.headers) {
            out << fmt::format(" header: {}={}", printable(k), printable(v));
          }
          out << "\n";
          ++i;
        }
      } else {
        out << "| records not printed: " << records.error().message() << "\n";
      }
    }
    batches.push_back({pos, h.base_offset, h.last_offset(), h.max_timestamp});
    pos += h.total_size();
  }
  problems += check_indexes(path.parent_path(), *base, *size, batches, out);
  out << fmt::format("{} batches, {} bytes, {}\n", batches.size(), *size,
                     problems == 0 ? "ok" : fmt::format("{} problems", problems));
  return problems == 0 ? 0 : 2;
}

}  // namespace brook::app
