// Bridges from callback APIs to the HTTP handlers' coroutines.
//   auto results = co_await await_callback<std::vector<produce_result>>(
//       [&](auto done) { backend.produce(topic, records, done); });
// The callback may run on any thread; the coroutine resumes on its own executor.
//   auto x = co_await run_blocking(pool, [&] { return consumer.poll(...); });
// runs a blocking call on `pool` and resumes on the coroutine's executor.
#pragma once

#include <functional>
#include <memory>
#include <type_traits>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace brook::http {

// The lambdas below are named before each co_await: GCC 12 mishandles temporaries that
// have destructors inside a co_await expression (it may destroy a copy it never made).
template <typename T, typename Start>
boost::asio::awaitable<T> await_callback(Start start) {
  auto ex = co_await boost::asio::this_coro::executor;
  auto initiation = [ex, start = std::move(start)](auto handler) mutable {
    auto h = std::make_shared<decltype(handler)>(std::move(handler));
    std::function<void(T)> done = [ex, h](T value) {
      boost::asio::post(ex, [h, v = std::move(value)]() mutable { (*h)(std::move(v)); });
    };
    start(std::move(done));
  };
  co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(T)>(
      std::move(initiation), boost::asio::use_awaitable);
}

template <typename F>
boost::asio::awaitable<std::invoke_result_t<F>> run_blocking(boost::asio::thread_pool& pool, F f) {
  using T = std::invoke_result_t<F>;
  auto start = [&pool, f = std::move(f)](std::function<void(T)> done) {
    boost::asio::post(pool, [f, done = std::move(done)]() mutable { done(f()); });
  };
  co_return co_await await_callback<T>(std::move(start));
}

}  // namespace brook::http
