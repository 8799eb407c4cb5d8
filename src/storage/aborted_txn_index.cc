#include "storage/aborted_txn_index.h"

#include <algorithm>

#include "base/big_endian.h"
#include "base/file.h"
#include "base/log.h"
#include "storage/log_file_names.h"

namespace brook::storage {

bool in_aborted(std::span<const aborted_txn> aborted, const protocol::batch_header& h) {
  return h.transactional() && !h.control() &&
         std::any_of(aborted.begin(), aborted.end(), [&h](const aborted_txn& t) {
           return t.producer_id == h.producer_id && t.first_offset <= h.base_offset &&
                  h.base_offset < t.last_offset;
         });
}

std::array<std::byte, aborted_txn_index::entry_size> aborted_txn_index::encode(
    const aborted_txn& txn) {
  std::array<std::byte, entry_size> out{};
  be::store(out.data(), int16_t{0});
  be::store(out.data() + 2, txn.producer_id);
  be::store(out.data() + 10, txn.first_offset);
  be::store(out.data() + 18, txn.last_offset);
  be::store(out.data() + 26, txn.last_stable_offset);
  return out;
}

std::optional<aborted_txn> aborted_txn_index::decode(std::span<const std::byte, entry_size> bytes) {
  if (be::load<int16_t>(bytes.data()) != 0) {
    return std::nullopt;
  }
  aborted_txn t{be::load<int64_t>(bytes.data() + 2), be::load<int64_t>(bytes.data() + 10),
                be::load<int64_t>(bytes.data() + 18), be::load<int64_t>(bytes.data() + 26)};
  if (t.producer_id < 0 || t.first_offset < 0 || t.last_offset < t.first_offset ||
      t.last_stable_offset < 0) {
    return std::nullopt;
  }
  return t;
}

status aborted_txn_index::load(std::span<const int64_t> segment_bases, int64_t keep_below) {
  _entries.clear();
  for (int64_t base : segment_bases) {
    auto path = names::txn_index_file(_dir, base);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      continue;
    }
    auto f = file::open(path, file::mode::read_write);
    if (!f) {
      return f.error();
    }
    auto size = f->size();
    if (!size) {
      return size.error();
    }
    std::vector<std::byte> bytes(*size);
    auto n = f->read_at(0, bytes);
    if (!n) {
      return n.error();
    }
    uint64_t kept = 0;
    for (uint64_t at = 0; at + entry_size <= *n; at += entry_size) {
      auto entry = decode(std::span<const std::byte, entry_size>(bytes.data() + at, entry_size));
      if (!entry || entry->last_offset < base || entry->last_offset >= keep_below ||
          (!_entries.empty() && entry->last_offset <= _entries.back().last_offset)) {
        break;
      }
      _entries.push_back(*entry);
      kept = at + entry_size;
    }
    if (kept != *size) {
      if (kept < *n && kept + entry_size <= *n) {
        log::info("{}: aborted transaction index {} cut from {} to {} bytes (replayed from {})",
                  _dir.string(), base, *size, kept, keep_below);
      }
      if (auto st = f->truncate(kept); !st) {
        return st;
      }
      if (auto st = f->datasync(); !st) {
        return st;
      }
    }
  }
  return {};
}

status aborted_txn_index::write(int64_t segment_base, const aborted_txn& txn) const {
  auto f = file::open(names::txn_index_file(_dir, segment_base), file::mode::create_read_write);
  if (!f) {
    return f.error();
  }
  auto size = f->size();
  if (!size) {
    return size.error();
  }
  // Whole entries only: a torn one left by a failed write is overwritten.
  uint64_t at = *size - *size % entry_size;
  auto bytes = encode(txn);
  if (auto st = f->write_at(at, bytes); !st) {
    return st;
  }
  return f->datasync();
}

std::vector<aborted_txn> aborted_txn_index::overlapping(int64_t from, int64_t to) const {
  std::vector<aborted_txn> out;
  auto it = std::lower_bound(_entries.begin(), _entries.end(), from,
                             [](const aborted_txn& t, int64_t o) { return t.last_offset < o; });
  for (; it != _entries.end(); ++it) {
    if (it->first_offset < to) {
      out.push_back(*it);
    }
    if (it->last_stable_offset >= to) {
      // Kafka's rule: every transaction open when this one ended had begun at or after its
      // last stable offset, so every later abort starting below `to` ended by here.
      break;
    }
  }
  return out;
}

void aborted_txn_index::forget_below(int64_t offset) {
  auto it = std::lower_bound(_entries.begin(), _entries.end(), offset,
                             [](const aborted_txn& t, int64_t o) { return t.last_offset < o; });
  _entries.erase(_entries.begin(), it);
}

}  // namespace brook::storage
