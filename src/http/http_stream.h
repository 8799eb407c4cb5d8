// http_stream: what a streaming route gets instead of a body read in advance: the request
// body as it arrives and a chunked response written as results are ready (the v3 produce
// streaming mode). Reads and writes may be outstanding at the same time; each kind one at
// a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

namespace brook::http {

class http_stream {
 public:
  virtual ~http_stream() = default;
  // The next bytes of the body; nullopt at its end. Sets failed() when the client broke
  // off, sent a malformed body, passed the body limit or timed out.
  virtual boost::asio::awaitable<std::optional<std::string>> read_some() = 0;
  // True while the body has more to come.
  virtual bool body_done() const = 0;
  // True when the request was sent with chunked transfer encoding (a stream of records)
  // rather than with a Content-Length.
  virtual bool chunked_request() const = 0;
  virtual bool failed() const = 0;
  // Why the body could not be read (body_limit, timeout, malformed), when failed().
  virtual std::string failure() const = 0;

  // Starts a chunked response; write_chunk then sends each piece as it comes.
  virtual boost::asio::awaitable<bool> begin_chunked(unsigned status,
                                                     std::string_view content_type) = 0;
  virtual boost::asio::awaitable<bool> write_chunk(std::string_view data) = 0;
  virtual boost::asio::awaitable<bool> end_chunked() = 0;
  // A whole response at once (instead of the three above).
  // `body` is a reference: callers pass a named string (GCC 12 mishandles class-type
  // temporaries inside co_await expressions).
  virtual boost::asio::awaitable<bool> write_whole(unsigned status, std::string_view content_type,
                                                   std::string& body) = 0;
};

}  // namespace brook::http
