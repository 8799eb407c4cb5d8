// Test helpers for record batches: build a batch whose records say which batch they belong
// to, so a test can check that what it reads back is exactly what it wrote.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "protocol/record_batch.h"
#include "storage/partition_log.h"

namespace brook::test {

// A batch of `count` records with values "<tag>-<i>" padded to `value_bytes`.
std::string make_batch(const std::string& tag, int count = 1, size_t value_bytes = 16,
                       int64_t timestamp = 1'700'000'000'000);

std::span<std::byte> bytes_of(std::string& s);

// Reads [position, position+length) of a file range into memory.
std::string read_range(const storage::file_range& range);

// Every batch of a log from `from` to the high watermark, read through partition_log::read.
std::vector<std::string> read_all_batches(const storage::partition_log& log, int64_t from = -1);

// The value of the first record of a batch.
std::string first_value(const std::string& batch);

// Appends raw bytes to a file (to fake torn writes and garbage).
void append_to_file(const std::filesystem::path& path, const std::string& bytes);
// Overwrites one byte of a file.
void flip_byte(const std::filesystem::path& path, uint64_t position);
uint64_t file_size(const std::filesystem::path& path);

}  // namespace brook::test
