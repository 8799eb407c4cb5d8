#include "base/clock.h"

#include <fmt/format.h>

namespace brook {

int64_t epoch_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

int64_t wall_clock_ms() {
  return epoch_ms(std::chrono::system_clock::now());
}

std::string format_iso8601(int64_t ms) {
  using namespace std::chrono;
  sys_time<milliseconds> t{milliseconds(ms)};
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss<milliseconds> time{t - day};
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z",
                     static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()), time.hours().count(), time.minutes().count(),
                     time.seconds().count(), time.subseconds().count());
}

namespace {

// Reads ISO-8601 text left to right.
class iso8601_reader {
 public:
  explicit iso8601_reader(std::string_view text) : _text(text) {}

  bool at_end() const { return _pos == _text.size(); }
  // The next character, or '\0' at the end.
  char peek() const { return at_end() ? '\0' : _text[_pos]; }
  void skip() { ++_pos; }

  // Exactly `digits` decimal digits.
  std::optional<int64_t> number(size_t digits) {
    if (_pos + digits > _text.size()) {
      return std::nullopt;
    }
    int64_t out = 0;
    for (size_t i = 0; i < digits; ++i) {
      char c = _text[_pos + i];
      if (c < '0' || c > '9') {
        return std::nullopt;
      }
      out = out * 10 + (c - '0');
    }
    _pos += digits;
    return out;
  }

  bool expect(char c) {
    if (!at_end() && _text[_pos] == c) {
      ++_pos;
      return true;
    }
    return false;
  }

  // One or more digits as milliseconds: the first three count, the rest are dropped.
  std::optional<int64_t> fraction_ms() {
    int64_t ms = 0;
    size_t n = 0;
    while (!at_end() && peek() >= '0' && peek() <= '9') {
      if (n < 3) {
        ms = ms * 10 + (peek() - '0');
      }
      ++n;
      ++_pos;
    }
    if (n == 0) {
      return std::nullopt;
    }
    for (; n < 3; ++n) {
      ms *= 10;
    }
    return ms;
  }

 private:
  std::string_view _text;
  size_t _pos = 0;
};

}  // namespace

std::optional<int64_t> parse_iso8601(std::string_view text) {
  iso8601_reader r(text);
  auto y = r.number(4);
  if (!y || !r.expect('-')) {
    return std::nullopt;
  }
  auto mo = r.number(2);
  if (!mo || !r.expect('-')) {
    return std::nullopt;
  }
  auto d = r.number(2);
  if (!d) {
    return std::nullopt;
  }
  int64_t h = 0, mi = 0, s = 0, ms = 0;
  if (r.peek() == 'T' || r.peek() == 't' || r.peek() == ' ') {
    r.skip();
    auto hh = r.number(2);
    if (!hh || !r.expect(':')) {
      return std::nullopt;
    }
    auto mm = r.number(2);
    if (!mm) {
      return std::nullopt;
    }
    h = *hh;
    mi = *mm;
    if (r.expect(':')) {
      auto ss = r.number(2);
      if (!ss) {
        return std::nullopt;
      }
      s = *ss;
      if (r.expect('.')) {
        auto f = r.fraction_ms();
        if (!f) {
          return std::nullopt;
        }
        ms = *f;
      }
    }
  }
  int64_t offset_minutes = 0;
  if (r.expect('Z') || r.expect('z')) {
    // UTC
  } else if (r.peek() == '+' || r.peek() == '-') {
    int64_t sign = r.peek() == '-' ? -1 : 1;
    r.skip();
    auto oh = r.number(2);
    r.expect(':');
    auto om = r.number(2);
    if (!oh || !om || *oh > 23 || *om > 59) {
      return std::nullopt;
    }
    offset_minutes = sign * (*oh * 60 + *om);
  }
  if (!r.at_end() || h > 23 || mi > 59 || s > 59) {
    return std::nullopt;
  }
  std::chrono::year_month_day ymd{std::chrono::year(static_cast<int>(*y)),
                                  std::chrono::month(static_cast<unsigned>(*mo)),
                                  std::chrono::day(static_cast<unsigned>(*d))};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  int64_t day_count = std::chrono::sys_days(ymd).time_since_epoch().count();
  return ((day_count * 24 + h) * 60 + mi - offset_minutes) * 60'000 + s * 1000 + ms;
}

}  // namespace brook
