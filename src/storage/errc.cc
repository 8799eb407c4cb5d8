#include "storage/errc.h"

#include <string>

namespace brook::storage {
namespace {
class category : public std::error_category {
 public:
  const char* name() const noexcept override { return "storage"; }
  std::string message(int e) const override {
    switch (static_cast<errc>(e)) {
      case errc::offset_out_of_range:
        return "offset out of range";
      case errc::batch_too_large:
        return "record batch larger than max.message.bytes";
      case errc::empty_append:
        return "append of an empty buffer";
      case errc::log_failed:
        return "log failed after an I/O error on flush; reopen it to recover";
      case errc::log_closed:
        return "log closed";
      case errc::bad_index:
        return "index file malformed";
      case errc::bad_file_name:
        return "file name is not a Brook segment name";
      case errc::bad_directory_name:
        return "directory name is not <topic>-<partition>";
      case errc::invalid_config:
        return "invalid storage configuration";
      case errc::offsets_not_rising:
        return "batch offsets do not rise";
      case errc::out_of_order_sequence:
        return "producer sequence number out of order";
      case errc::invalid_producer_epoch:
        return "producer epoch below the producer's current epoch";
      case errc::invalid_sequence:
        return "batch with a producer id has no base sequence";
      case errc::bad_snapshot:
        return "producer state snapshot malformed";
      case errc::data_dir_locked:
        return "the data directory is locked by another process";
      case errc::corrupt_segment:
        return "a sealed segment does not parse (left as it is)";
      case errc::cleaning_stopped:
        return "the log cleaner was stopped";
      case errc::cleaner_map_too_small:
        return "the log cleaner's map cannot hold one batch of keys "
               "(storage.log_cleaner_map_bytes)";
      case errc::control_batch_refused:
        return "control batches (transaction markers) are written by the broker only";
      case errc::transaction_refused:
        return "the producer's transaction does not hold the partition (any longer)";
    }
    return "storage error";
  }
};
}  // namespace

const std::error_category& storage_category() {
  static const category c;
  return c;
}
std::error_code make_error_code(errc e) {
  return {static_cast<int>(e), storage_category()};
}

}  // namespace brook::storage
