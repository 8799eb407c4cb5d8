#include "storage/producer_state.h"

#include <algorithm>
#include <limits>

#include "base/big_endian.h"
#include "base/crc32c.h"
#include "base/file.h"
#include "storage/errc.h"
#include "storage/log_file_names.h"

namespace brook::storage {
namespace {

constexpr int32_t max_sequence = std::numeric_limits<int32_t>::max();

// The snapshot layout, doc/formats/producer-snapshot.md.
namespace snapshot_layout {
constexpr int16_t version = 2;    // 1: without the open transaction's first offset
constexpr size_t version_at = 0;  // int16
constexpr size_t crc_at = 2;      // uint32, CRC-32C of [crc_covers_from, end)
constexpr size_t offset_at = 6;   // int64, the log end offset it was taken at
constexpr size_t count_at = 14;   // int32, producer entries that follow
constexpr size_t header_size = 18;
constexpr size_t crc_covers_from = offset_at;
// producer id int64, epoch int16, batch count int32 (v2: then 8 more, the open transaction's
// first offset int64, between the epoch and the count)
constexpr size_t entry_header_size = 14;
// first sequence, last sequence int32; first offset, last offset, max timestamp int64
constexpr size_t batch_size = 32;
// Far above any real snapshot (about 174 bytes a producer); a larger file is not ours.
constexpr uint64_t max_file_bytes = 1ull << 30;
}  // namespace snapshot_layout
namespace S = snapshot_layout;

// Kafka's ProducerStateManager.inSequence: `next` follows `last`, wrapping to 0.
bool in_sequence(int32_t last, int32_t next) {
  return static_cast<int64_t>(next) == static_cast<int64_t>(last) + 1 ||
         (next == 0 && last == max_sequence);
}

int32_t add_sequence(int32_t sequence, int64_t increment) {
  // Kafka's DefaultRecordBatch.incrementSequence.
  if (sequence > max_sequence - increment) {
    return static_cast<int32_t>(increment - (max_sequence - sequence) - 1);
  }
  return static_cast<int32_t>(sequence + increment);
}

// Where a producer stands partway through checking one append.
struct position {
  int64_t producer_id;
  int16_t epoch;
  int32_t last_sequence;  // -1: no batch in this epoch yet
};

class writer {
 public:
  template <typename T>
  void put(T v) {
    size_t at = _out.size();
    _out.resize(at + sizeof(T));
    be::store(reinterpret_cast<std::byte*>(_out.data() + at), v);
  }
  std::string& bytes() { return _out; }

 private:
  std::string _out;
};

class reader {
 public:
  explicit reader(std::span<const std::byte> bytes, size_t at) : _bytes(bytes), _at(at) {}
  template <typename T>
  bool get(T& v) {
    if (_bytes.size() - _at < sizeof(T)) {
      return false;
    }
    v = be::load<T>(_bytes.data() + _at);
    _at += sizeof(T);
    return true;
  }
  size_t remaining() const { return _bytes.size() - _at; }

 private:
  std::span<const std::byte> _bytes;
  size_t _at;
};

}  // namespace

int32_t last_sequence_of(const protocol::batch_header& batch) {
  return add_sequence(batch.base_sequence, batch.last_offset_delta);
}

result<producer_check> producer_state::check(const protocol::batch_header& batch) const {
  return check(std::span(&batch, 1));
}

result<producer_check> producer_state::check(
    std::span<const protocol::batch_header> batches) const {
  std::vector<position> pending;  // producers with a batch accepted earlier in this append
  size_t fresh = 0;
  size_t duplicates = 0;
  producer_check out;
  for (const auto& b : batches) {
    if (b.producer_id < 0) {
      ++fresh;
      continue;
    }
    if (b.base_sequence < 0) {
      return errc::invalid_sequence;
    }
    int32_t last = last_sequence_of(b);
    std::optional<position> current;
    auto p = std::find_if(pending.begin(), pending.end(),
                          [&](const position& x) { return x.producer_id == b.producer_id; });
    if (p != pending.end()) {
      current = *p;
    } else if (const auto* e = find(b.producer_id)) {
      if (b.producer_epoch == e->producer_epoch) {
        auto d = std::find_if(e->batches.begin(), e->batches.end(), [&](const producer_batch& x) {
          return x.first_sequence == b.base_sequence && x.last_sequence == last;
        });
        if (d != e->batches.end()) {
          if (duplicates == 0) {
            out.original = *d;
          } else {
            out.original.last_sequence = d->last_sequence;
            out.original.last_offset = d->last_offset;
            out.original.max_timestamp = std::max(out.original.max_timestamp, d->max_timestamp);
          }
          ++duplicates;
          continue;
        }
      }
      current = position{b.producer_id, e->producer_epoch,
                         e->batches.empty() ? -1 : e->batches.back().last_sequence};
    }

    if (!current) {
      // An unknown producer starts at 0 (Kafka before KIP-360).
      if (b.base_sequence != 0) {
        return errc::out_of_order_sequence;
      }
    } else if (b.producer_epoch < current->epoch) {
      return errc::invalid_producer_epoch;
    } else if (b.producer_epoch > current->epoch) {
      // A new epoch restarts the sequence.
      if (b.base_sequence != 0) {
        return errc::out_of_order_sequence;
      }
    } else if (!in_sequence(current->last_sequence, b.base_sequence)) {
      return errc::out_of_order_sequence;
    }

    position next{b.producer_id, b.producer_epoch, last};
    if (p != pending.end()) {
      *p = next;
    } else {
      pending.push_back(next);
    }
    ++fresh;
  }
  if (duplicates > 0 && fresh > 0) {
    // Part of the append is in the log and part is not: no single answer fits it.
    return errc::out_of_order_sequence;
  }
  out.duplicate = duplicates > 0;
  return out;
}

bool producer_state::apply(const protocol::batch_header& batch) {
  if (batch.producer_id < 0 || batch.base_sequence < 0 || batch.control()) {
    return false;
  }
  auto [it, created] = _producers.try_emplace(batch.producer_id);
  auto& e = it->second;
  if (created) {
    e.producer_id = batch.producer_id;
    e.producer_epoch = batch.producer_epoch;
    e.batches.reserve(batches_kept);
  } else if (e.producer_epoch != batch.producer_epoch) {
    e.producer_epoch = batch.producer_epoch;
    e.batches.clear();
  }
  if (e.batches.size() >= batches_kept) {
    e.batches.erase(e.batches.begin());
  }
  e.batches.push_back(producer_batch{batch.base_sequence, last_sequence_of(batch),
                                     batch.base_offset, batch.last_offset(), batch.max_timestamp});
  if (batch.transactional() && e.txn_first_offset < 0) {
    e.txn_first_offset = batch.base_offset;
    return true;
  }
  return false;
}

status producer_state::check_marker(const protocol::batch_header& marker) const {
  if (marker.producer_id < 0) {
    return errc::invalid_sequence;
  }
  if (const auto* e = find(marker.producer_id); e && marker.producer_epoch < e->producer_epoch) {
    return errc::invalid_producer_epoch;
  }
  return {};
}

std::optional<completed_txn> producer_state::apply_marker(const protocol::batch_header& marker,
                                                          protocol::control_type type) {
  if (marker.producer_id < 0) {
    return std::nullopt;
  }
  auto [it, created] = _producers.try_emplace(marker.producer_id);
  auto& e = it->second;
  if (created) {
    e.producer_id = marker.producer_id;
    e.producer_epoch = marker.producer_epoch;
  } else if (marker.producer_epoch > e.producer_epoch) {
    // The coordinator fenced the producer: its batches at the old epoch are refused.
    e.producer_epoch = marker.producer_epoch;
    e.batches.clear();
  }
  if (e.txn_first_offset < 0) {
    return std::nullopt;
  }
  completed_txn done{marker.producer_id, e.txn_first_offset, marker.base_offset,
                     type == protocol::control_type::abort};
  e.txn_first_offset = -1;
  return done;
}

std::vector<std::pair<int64_t, int64_t>> producer_state::open_transactions() const {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const auto& [id, e] : _producers) {
    if (e.txn_first_offset >= 0) {
      out.emplace_back(e.txn_first_offset, id);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

const producer_entry* producer_state::find(int64_t producer_id) const {
  auto it = _producers.find(producer_id);
  return it == _producers.end() ? nullptr : &it->second;
}

std::vector<producer_entry> producer_state::entries() const {
  std::vector<producer_entry> out;
  out.reserve(_producers.size());
  for (const auto& [id, e] : _producers) {
    out.push_back(e);
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.producer_id < b.producer_id; });
  return out;
}

std::string producer_state::encode(int64_t offset) const {
  writer w;
  w.put(S::version);
  w.put(uint32_t{0});  // the CRC, filled in below
  w.put(offset);
  w.put(static_cast<int32_t>(_producers.size()));
  for (const auto& e : entries()) {
    w.put(e.producer_id);
    w.put(e.producer_epoch);
    w.put(e.txn_first_offset);
    w.put(static_cast<int32_t>(e.batches.size()));
    for (const auto& b : e.batches) {
      w.put(b.first_sequence);
      w.put(b.last_sequence);
      w.put(b.first_offset);
      w.put(b.last_offset);
      w.put(b.max_timestamp);
    }
  }
  auto& bytes = w.bytes();
  auto* data = reinterpret_cast<std::byte*>(bytes.data());
  uint32_t crc =
      crc32c::value(std::span<const std::byte>(data, bytes.size()).subspan(S::crc_covers_from));
  be::store(data + S::crc_at, crc);
  return std::move(bytes);
}

result<producer_state> producer_state::decode(std::span<const std::byte> bytes, int64_t offset) {
  if (bytes.size() < S::header_size) {
    return errc::bad_snapshot;
  }
  const auto version = be::load<int16_t>(bytes.data() + S::version_at);
  if ((version != 1 && version != S::version) ||
      be::load<uint32_t>(bytes.data() + S::crc_at) !=
          crc32c::value(bytes.subspan(S::crc_covers_from)) ||
      be::load<int64_t>(bytes.data() + S::offset_at) != offset) {
    return errc::bad_snapshot;
  }
  int32_t count = be::load<int32_t>(bytes.data() + S::count_at);
  // The smallest entry: v1 has no transaction field and at least one batch; v2 may have none.
  const uint64_t min_entry =
      version >= 2 ? S::entry_header_size + 8 : S::entry_header_size + S::batch_size;
  if (count < 0 || static_cast<uint64_t>(count) * min_entry > bytes.size()) {
    return errc::bad_snapshot;
  }
  producer_state state;
  state._producers.reserve(static_cast<size_t>(count));
  reader r(bytes, S::header_size);
  for (int32_t i = 0; i < count; ++i) {
    producer_entry e;
    int32_t batches = 0;
    if (!r.get(e.producer_id) || !r.get(e.producer_epoch) ||
        (version >= 2 && !r.get(e.txn_first_offset)) || !r.get(batches) || e.producer_id < 0 ||
        batches < (version >= 2 ? 0 : 1) || static_cast<size_t>(batches) > batches_kept ||
        e.txn_first_offset < -1 || e.txn_first_offset >= offset) {
      return errc::bad_snapshot;
    }
    int64_t previous_last = -1;
    for (int32_t j = 0; j < batches; ++j) {
      producer_batch b;
      if (!r.get(b.first_sequence) || !r.get(b.last_sequence) || !r.get(b.first_offset) ||
          !r.get(b.last_offset) || !r.get(b.max_timestamp)) {
        return errc::bad_snapshot;
      }
      // Offsets rise inside the log below the snapshot's offset, and a batch spans as many
      // sequence numbers as offsets.
      int64_t span = b.last_offset - b.first_offset;
      if (b.first_sequence < 0 || b.last_sequence < 0 || b.first_offset <= previous_last ||
          span < 0 || b.last_offset >= offset || span > max_sequence ||
          add_sequence(b.first_sequence, span) != b.last_sequence) {
        return errc::bad_snapshot;
      }
      previous_last = b.last_offset;
      e.batches.push_back(b);
    }
    int64_t id = e.producer_id;
    if (!state._producers.emplace(id, std::move(e)).second) {
      return errc::bad_snapshot;  // the same producer twice
    }
  }
  if (r.remaining() != 0) {
    return errc::bad_snapshot;
  }
  return state;
}

status producer_state::write_snapshot(const std::filesystem::path& dir, int64_t offset) const {
  return write_file_atomically(names::producer_snapshot_file(dir, offset), encode(offset));
}

result<producer_state> producer_state::read_snapshot(const std::filesystem::path& dir,
                                                     int64_t offset) {
  auto f = file::open(names::producer_snapshot_file(dir, offset), file::mode::read_only);
  if (!f) {
    return f.error();
  }
  auto size = f->size();
  if (!size) {
    return size.error();
  }
  if (*size > S::max_file_bytes) {
    return errc::bad_snapshot;
  }
  std::vector<std::byte> bytes(*size);
  auto n = f->read_at(0, bytes);
  if (!n) {
    return n.error();
  }
  if (*n != bytes.size()) {
    return errc::bad_snapshot;  // shrank while being read
  }
  return decode(bytes, offset);
}

}  // namespace brook::storage
