// acl_bench: the cost of one authorizer check (acl_authorizer::permits) against the number
// of ACL bindings, in a temporary data directory: 0, 100, 5,000 and 50,000 bindings on other
// topics, plus 100 prefixed ones, checked for a topic none of them names (the produce path's
// question). Google Benchmark; prints ns per check.
//   build/release/bench/acl_bench
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>
#include <vector>

#include "security/acl_authorizer.h"

namespace {

using namespace brook::security;

void check(benchmark::State& state) {
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("brook-acl-bench-" + std::to_string(::getpid()) + "-" + std::to_string(state.range(0)));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto acls = acl_authorizer::open(dir, {{"User:admin"}, true}).value();
  std::vector<acl_binding> bindings;
  for (int64_t i = 0; i < state.range(0); ++i) {
    bindings.push_back({resource_type::topic, "other-topic-" + std::to_string(i),
                        pattern_type::literal, "User:user-" + std::to_string(i), "*",
                        acl_operation::read, acl_permission::allow});
  }
  for (int i = 0; i < 100 && state.range(0) > 0; ++i) {
    bindings.push_back({resource_type::topic, "team-" + std::to_string(i) + "-",
                        pattern_type::prefixed, "User:team-" + std::to_string(i), "*",
                        acl_operation::write, acl_permission::allow});
  }
  if (!bindings.empty() && !acls->create(bindings)) {
    state.SkipWithError("cannot create the bindings");
    return;
  }
  const principal who{"User", "ANONYMOUS"};
  const acl_resource topic{resource_type::topic, "bench-produce-orders"};
  for (auto _ : state) {
    benchmark::DoNotOptimize(acls->permits(who, "/127.0.0.1", acl_operation::write, topic));
  }
  state.SetLabel(std::to_string(bindings.size()) + " bindings");
  acls.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(check)->Arg(0)->Arg(100)->Arg(5000)->Arg(50000);

}  // namespace

BENCHMARK_MAIN();
