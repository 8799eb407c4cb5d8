// The one place that builds and parses on-disk names, Kafka's layout:
//   <data>/<topic>-<partition>/<20-digit base offset>.log | .index | .timeindex | .txnindex
//   <data>/<topic>-<partition>/<20-digit offset>.snapshot   (producer state)
// Zero-padded base offsets make `ls` list segments in offset order.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace brook::storage::names {

constexpr std::string_view log_suffix = ".log";
constexpr std::string_view index_suffix = ".index";
constexpr std::string_view time_index_suffix = ".timeindex";
constexpr std::string_view producer_snapshot_suffix = ".snapshot";  // producer-snapshot.md
constexpr std::string_view txn_index_suffix = ".txnindex";  // aborted transactions, transactions.md
constexpr std::string_view corrupt_suffix = ".corrupt";     // quarantined bytes, see recovery
// The log cleaner's files, next to the segment they replace (formats/log.md#compaction):
// `<base>.log.cleaned` while written (deleted on open), `<base>.log.swap` once complete
// and durable (renamed over `<base>.log` on open, if a crash came first).
constexpr std::string_view cleaned_suffix = ".cleaned";
constexpr std::string_view swap_suffix = ".swap";
constexpr std::string_view clean_shutdown_file = ".brook-clean-shutdown";
constexpr std::string_view log_start_offset_file = "log-start-offset";
// The offset the log cleaner has cleaned up to (formats/log.md#compaction).
constexpr std::string_view cleaner_checkpoint_file = "cleaner-offset-checkpoint";

std::string partition_directory(std::string_view topic, int32_t partition);
struct topic_partition {
  std::string topic;
  int32_t partition = 0;
};
// Parses "<topic>-<partition>"; nullopt for any other name.
std::optional<topic_partition> parse_partition_directory(std::string_view name);

// "00000000000000000042" for 42.
std::string base_offset_name(int64_t base_offset);
std::filesystem::path log_file(const std::filesystem::path& dir, int64_t base_offset);
std::filesystem::path index_file(const std::filesystem::path& dir, int64_t base_offset);
std::filesystem::path time_index_file(const std::filesystem::path& dir, int64_t base_offset);
// The aborted transactions whose markers are in the segment at `base_offset`.
std::filesystem::path txn_index_file(const std::filesystem::path& dir, int64_t base_offset);
// The producer state snapshot taken at log end offset `offset`: "<20 digits>.snapshot".
std::filesystem::path producer_snapshot_file(const std::filesystem::path& dir, int64_t offset);
// "<20 digits>.log.cleaned" and "<20 digits>.log.swap".
std::filesystem::path cleaned_file(const std::filesystem::path& dir, int64_t base_offset);
std::filesystem::path swap_file(const std::filesystem::path& dir, int64_t base_offset);
// Parses "<20 digits>.log"; nullopt for anything else.
std::optional<int64_t> parse_log_file(std::string_view file_name);
// Parses "<20 digits>.snapshot"; nullopt for anything else.
std::optional<int64_t> parse_producer_snapshot_file(std::string_view file_name);
// The base offset a segment file name (any suffix) starts with, if it has one.
std::optional<int64_t> parse_base_offset(std::string_view file_name);

}  // namespace brook::storage::names
