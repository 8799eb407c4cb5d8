#include "protocol/request_header.h"

#include "protocol/errc.h"
#include "protocol/messages/api_catalog.h"
#include "protocol/wire_reader.h"

namespace brook::protocol {

namespace {
bool request_header_is_flexible(int16_t api_key, int16_t api_version) {
  const api_schema* s = find_api_schema(api_key);
  return s != nullptr && api_version <= s->max_version && s->flexible(api_version);
}
}  // namespace

result<request_header> decode_request_header(std::span<const std::byte> frame) {
  wire_reader r(frame);
  request_header h;
  h.api_key = r.read_int16();
  h.api_version = r.read_int16();
  h.correlation_id = r.read_int32();
  // client_id is a non-compact nullable string even in header v2.
  if (r.next_is_null_string(false)) {
    h.client_id.reset();
  } else {
    r.read_string(h.client_id.emplace(), false);
  }
  if (r.failed()) {
    return protocol_errc::malformed;
  }
  if (request_header_is_flexible(h.api_key, h.api_version)) {
    uint32_t count = r.read_uvarint();
    for (uint32_t i = 0; i < count && !r.failed(); ++i) {
      r.read_uvarint();  // tag
      uint32_t size = r.read_uvarint();
      r.sub_reader(size);  // no header tags are known: skipped
    }
    if (r.failed()) {
      return protocol_errc::malformed;
    }
  }
  h.body_offset = r.position();
  return h;
}

bool response_header_is_flexible(int16_t api_key, int16_t api_version) {
  if (api_key == api_versions_key) {
    return false;
  }
  return request_header_is_flexible(api_key, api_version);
}

void begin_response(wire_writer& w, int16_t api_key, int16_t api_version, int32_t correlation_id) {
  w.write_int32(0);  // size, patched by finish_response
  w.write_int32(correlation_id);
  if (response_header_is_flexible(api_key, api_version)) {
    w.write_uvarint(0);  // no tagged fields
  }
}

void finish_response(wire_writer& w) {
  w.patch_int32(0, static_cast<int32_t>(w.total_size() - 4));
}

}  // namespace brook::protocol
