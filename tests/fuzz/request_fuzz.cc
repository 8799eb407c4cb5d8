// libFuzzer target: Kafka request decoding. The input is one request frame as the
// connection sees it after the 4-byte size prefix: a request header, then the body.
//
// For every input:
//   1. decode_request_header must not crash; on success the body is the rest.
//   2. The body is decoded as the header's API and version with the generated
//      `<api>_request::decode` (every API of the catalog, through the table below).
//   3. If it decodes, it must round-trip: encode it, decode that, and get an equal
//      message; and encoding the second message must give the same bytes again.
//   4. The record batches of every `records` field go through validate_batch and
//      decode_records (the latter even when the CRC is wrong, so mutated records reach
//      the record parser and the decompressors).
// A broken property aborts with a message; libFuzzer saves the input as a reproducer.
//
// The API list comes from `fuzz_apis.h`, which tests/fuzz/CMakeLists.txt writes from the
// schema file names; LLVMFuzzerInitialize checks it against the generated api_catalog.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <type_traits>
#include <vector>

#include "fuzz_apis.h"
#include "protocol/messages/api_catalog.h"
#include "protocol/record_batch.h"
#include "protocol/request_header.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"

namespace brook::protocol {
namespace {

// Far above the seeds, low enough that a mutated length cannot make one input slow.
constexpr size_t max_batch_size = size_t{1} << 20;

[[noreturn]] void property_failed(const char* what, int16_t api_key, int16_t version) {
  std::fprintf(stderr, "request_fuzz: %s (api key %d, version %d)\n", what, api_key, version);
  std::abort();
}

// Runs every batch of one `records` field through the batch checks. A batch whose CRC
// is wrong is still decoded and stepped over; any other error ends the walk.
void check_records(const record_data& records) {
  auto bytes = records.memory;
  while (!bytes.empty()) {
    auto header = validate_batch(bytes, max_batch_size);
    (void)decode_records(bytes, max_batch_size);
    if (!header && header.error() != make_error_code(batch_errc::bad_crc)) {
      return;
    }
    size_t size = header ? header->total_size() : batch_header::decode(bytes).total_size();
    bytes = bytes.subspan(size);
  }
}

// The `records` fields of a request, for the checks above and for the round-trip
// comparison: a decoded record_data is a view, equal only to a view of the same bytes,
// so the comparison first checks the contents and then points both views at one copy.
// Requests without such a field need nothing here. A new request schema with a
// `records` field fails the round trip until it is added.
template <typename Request, typename F>
void for_each_records(Request& m, F&& f) {
  if constexpr (std::is_same_v<Request, produce_request>) {
    for (auto& topic : m.topic_data) {
      for (auto& partition : topic.partition_data) {
        f(partition.records);
      }
    }
  }
}

bool same_bytes(std::span<const std::byte> a, std::span<const std::byte> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// Makes `second`'s record views point where `first`'s do, after checking that they hold
// the same bytes. The two messages have equal shapes by then (their encodings match).
template <typename Request>
void align_records(Request& first, Request& second, int16_t version) {
  std::vector<record_data*> firsts;
  for_each_records(first, [&](record_data& r) { firsts.push_back(&r); });
  size_t i = 0;
  for_each_records(second, [&](record_data& r) {
    if (i >= firsts.size()) {
      property_failed("round trip changed the number of records fields", Request::api_key, version);
    }
    const record_data& a = *firsts[i++];
    if (a.is_null != r.is_null || !same_bytes(a.memory, r.memory)) {
      property_failed("round trip changed a records field", Request::api_key, version);
    }
    r.memory = a.memory;
  });
}

template <typename Request>
void fuzz_body(std::span<const std::byte> body, int16_t version) {
  auto first = Request::decode(body, version);
  if (!first) {
    return;
  }
  for_each_records(*first, [](const record_data& r) { check_records(r); });

  wire_writer w1;
  first->encode(w1, version);
  if (!w1.splices().empty()) {
    property_failed("a decoded request encoded file slices", Request::api_key, version);
  }
  std::vector<std::byte> encoded = w1.take_buffer();
  auto second = Request::decode(encoded, version);
  if (!second) {
    property_failed("a re-encoded request does not decode", Request::api_key, version);
  }
  wire_writer w2;
  second->encode(w2, version);
  if (!same_bytes(encoded, w2.buffer())) {
    property_failed("encode(decode(encode(m))) differs from encode(m)", Request::api_key, version);
  }
  align_records(*first, *second, version);
  if (!(*first == *second)) {
    property_failed("decode(encode(m)) != m", Request::api_key, version);
  }
}

struct fuzzed_api {
  int16_t key;
  int16_t min_version;
  int16_t max_version;
  int16_t flexible_from;
  void (*fuzz)(std::span<const std::byte> body, int16_t version);
};

#define BROOK_FUZZED_API(name)                                                                  \
  fuzzed_api{name##_request::api_key, name##_request::min_version, name##_request::max_version, \
             name##_request::flexible_from, &fuzz_body<name##_request>},
constexpr fuzzed_api fuzzed_apis[] = {BROOK_FUZZ_APIS(BROOK_FUZZED_API)};
#undef BROOK_FUZZED_API

const fuzzed_api* find_fuzzed_api(int16_t key) {
  for (const auto& api : fuzzed_apis) {
    if (api.key == key) {
      return &api;
    }
  }
  return nullptr;
}

// The table above and the catalog come from the same schema files; if they ever
// disagree, the fuzzer would silently skip an API, so it refuses to start.
void check_table_matches_catalog() {
  auto catalog = all_api_schemas();
  bool ok = catalog.size() == std::size(fuzzed_apis);
  for (const auto& s : catalog) {
    const fuzzed_api* api = find_fuzzed_api(s.key);
    if (api == nullptr || api->min_version != s.min_version || api->max_version != s.max_version ||
        api->flexible_from != s.flexible_from) {
      std::fprintf(stderr, "request_fuzz: api %d (%.*s) missing or different in fuzz_apis.h\n",
                   s.key, static_cast<int>(s.name.size()), s.name.data());
      ok = false;
    }
  }
  if (!ok) {
    std::fprintf(stderr,
                 "request_fuzz: the API table does not match api_catalog; "
                 "re-run cmake\n");
    std::abort();
  }
}

}  // namespace
}  // namespace brook::protocol

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  brook::protocol::check_table_matches_catalog();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace brook::protocol;
  std::span<const std::byte> frame(reinterpret_cast<const std::byte*>(data), size);
  auto header = decode_request_header(frame);
  if (!header) {
    return 0;
  }
  if (header->body_offset > frame.size()) {
    std::fprintf(stderr, "request_fuzz: header body offset past the frame\n");
    std::abort();
  }
  if (const fuzzed_api* api = find_fuzzed_api(header->api_key)) {
    api->fuzz(frame.subspan(header->body_offset), header->api_version);
  }
  return 0;
}
