// expected<T, E>: holds a value or an error, and hands each back (by reference, or moved
// out); expected<void, E> is success or an error; an error of the same type as the value
// is told apart by unexpected(). result<T> is expected<T, std::error_code>: made from an
// errc, its error() is an empty code when it holds a value.
#include "base/expected.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include "base/result.h"

namespace brook {
namespace {

// A module's errc, as storage::errc is.
enum class test_errc { refused = 1 };

class test_category : public std::error_category {
 public:
  const char* name() const noexcept override { return "test"; }
  std::string message(int) const override { return "refused"; }
};

std::error_code make_error_code(test_errc e) {
  static const test_category category;
  return {static_cast<int>(e), category};
}
}  // namespace
}  // namespace brook

template <>
struct std::is_error_code_enum<brook::test_errc> : std::true_type {};

namespace brook {
namespace {

struct failure {
  int code = 0;
  std::string message;
};

expected<int, failure> half(int n) {
  if (n % 2 != 0) {
    return unexpected(failure{22, std::to_string(n) + " is odd"});
  }
  return n / 2;
}

TEST(Expected, HoldsAValue) {
  auto r = half(10);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r.value(), 5);
  EXPECT_EQ(*r, 5);
  *r = 7;
  EXPECT_EQ(r.value(), 7);
}

TEST(Expected, HoldsAnError) {
  auto r = half(3);
  ASSERT_FALSE(r.has_value());
  EXPECT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(r.error().code, 22);
  EXPECT_EQ(r.error().message, "3 is odd");
}

TEST(Expected, ErrorOfTheValueTypeIsToldApartByUnexpected) {
  expected<std::string, std::string> value = std::string("text");
  expected<std::string, std::string> error = unexpected(std::string("no such thing"));
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(*value, "text");
  ASSERT_FALSE(error.has_value());
  EXPECT_EQ(error.error(), "no such thing");
}

TEST(Expected, ErrorConvertsFromWhatConstructsIt) {
  expected<int, std::string> r = unexpected("a C string");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "a C string");
}

TEST(Expected, MovesTheValueAndTheErrorOut) {
  expected<std::unique_ptr<int>, std::string> owned = std::make_unique<int>(4);
  std::unique_ptr<int> p = std::move(owned).value();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 4);

  expected<int, std::unique_ptr<std::string>> failed =
      unexpected(std::make_unique<std::string>("gone"));
  std::unique_ptr<std::string> e = std::move(failed).error();
  EXPECT_EQ(*e, "gone");
}

TEST(Expected, ArrowReachesTheValue) {
  expected<std::string, int> r = std::string("abc");
  EXPECT_EQ(r->size(), 3U);
}

TEST(Expected, VoidIsSuccessOrAnError) {
  expected<void, std::string> done;
  EXPECT_TRUE(done.has_value());
  expected<void, std::string> refused = unexpected(std::string("must be true or false"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error(), "must be true or false");
}

TEST(Expected, ValueOfAFailedResultAsserts) {
  auto r = half(1);
  EXPECT_DEATH((void)r.value(), "value\\(\\) of a failed result");
}

TEST(Expected, ErrorOfASuccessfulResultAsserts) {
  auto r = half(2);
  EXPECT_DEATH((void)r.error(), "error\\(\\) of a successful result");
}

TEST(Result, IsMadeFromAnErrcOrAnErrorCode) {
  result<int> from_errc = test_errc::refused;
  ASSERT_FALSE(from_errc);
  EXPECT_EQ(from_errc.error(), test_errc::refused);
  EXPECT_EQ(from_errc.error().message(), "refused");
  result<int> from_code = std::make_error_code(std::errc::io_error);
  EXPECT_EQ(from_code.error(), std::errc::io_error);
}

TEST(Result, ErrorIsEmptyWhenThereIsAValue) {
  result<int> r = 3;
  EXPECT_EQ(*r, 3);
  EXPECT_FALSE(r.error());
  status ok;
  EXPECT_TRUE(ok);
  EXPECT_FALSE(ok.error());
}

TEST(Result, IsAnExpectedOfErrorCode) {
  result<std::string> r = unexpected(std::make_error_code(std::errc::invalid_argument));
  const expected<std::string, std::error_code>& e = r;
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error(), std::errc::invalid_argument);
}

TEST(Result, AnEmptyErrorCodeAsserts) {
  EXPECT_DEATH((void)result<int>(std::error_code{}), "a result error must be a real error");
}

}  // namespace
}  // namespace brook
