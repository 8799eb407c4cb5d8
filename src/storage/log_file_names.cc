#include "storage/log_file_names.h"

#include <fmt/format.h>

#include <charconv>

namespace brook::storage::names {

std::string partition_directory(std::string_view topic, int32_t partition) {
  return fmt::format("{}-{}", topic, partition);
}

std::optional<topic_partition> parse_partition_directory(std::string_view name) {
  auto dash = name.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == name.size()) {
    return std::nullopt;
  }
  auto digits = name.substr(dash + 1);
  int32_t p = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), p);
  if (ec != std::errc{} || end != digits.data() + digits.size() || p < 0 ||
      (digits.size() > 1 && digits[0] == '0')) {
    return std::nullopt;
  }
  return topic_partition{std::string(name.substr(0, dash)), p};
}

std::string base_offset_name(int64_t base_offset) {
  return fmt::format("{:020d}", base_offset);
}

std::filesystem::path log_file(const std::filesystem::path& dir, int64_t base_offset) {
  return dir / (base_offset_name(base_offset) + std::string(log_suffix));
}
std::filesystem::path index_file(const std::filesystem::path& dir, int64_t base_offset) {
  return dir / (base_offset_name(base_offset) + std::string(index_suffix));
}
std::filesystem::path time_index_file(const std::filesystem::path& dir, int64_t base_offset) {
  return dir / (base_offset_name(base_offset) + std::string(time_index_suffix));
}

std::filesystem::path txn_index_file(const std::filesystem::path& dir, int64_t base_offset) {
  return dir / (base_offset_name(base_offset) + std::string(txn_index_suffix));
}
std::filesystem::path producer_snapshot_file(const std::filesystem::path& dir, int64_t offset) {
  return dir / (base_offset_name(offset) + std::string(producer_snapshot_suffix));
}

std::optional<int64_t> parse_base_offset(std::string_view file_name) {
  if (file_name.size() < 20) {
    return std::nullopt;
  }
  int64_t v = 0;
  auto [end, ec] = std::from_chars(file_name.data(), file_name.data() + 20, v);
  if (ec != std::errc{} || end != file_name.data() + 20 || v < 0) {
    return std::nullopt;
  }
  return v;
}

std::filesystem::path cleaned_file(const std::filesystem::path& dir, int64_t base_offset) {
  auto p = log_file(dir, base_offset);
  p += cleaned_suffix;
  return p;
}

std::filesystem::path swap_file(const std::filesystem::path& dir, int64_t base_offset) {
  auto p = log_file(dir, base_offset);
  p += swap_suffix;
  return p;
}

std::optional<int64_t> parse_log_file(std::string_view file_name) {
  if (file_name.size() != 20 + log_suffix.size() || !file_name.ends_with(log_suffix)) {
    return std::nullopt;
  }
  return parse_base_offset(file_name);
}

std::optional<int64_t> parse_producer_snapshot_file(std::string_view file_name) {
  if (file_name.size() != 20 + producer_snapshot_suffix.size() ||
      !file_name.ends_with(producer_snapshot_suffix)) {
    return std::nullopt;
  }
  return parse_base_offset(file_name);
}

}  // namespace brook::storage::names
