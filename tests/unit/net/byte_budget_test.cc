// byte_budget and budget_lease: growth under the limit, refusal past it unless the holder
// holds everything counted, and bytes given back when a lease goes.
#include "net/byte_budget.h"

#include <gtest/gtest.h>

namespace brook::net {
namespace {

TEST(ByteBudget, LeasesGrowUnderTheLimitAndGiveBackWhenTheyGo) {
  auto budget = std::make_shared<byte_budget>(100);
  {
    budget_lease a(budget);
    EXPECT_TRUE(a.try_grow(60));
    budget_lease b(budget);
    EXPECT_TRUE(b.try_grow(40));
    EXPECT_EQ(budget->used(), 100u);
    EXPECT_FALSE(b.try_grow(1));  // full, and b does not hold everything
    EXPECT_EQ(b.held(), 40u);
  }
  EXPECT_EQ(budget->used(), 0u);
}

TEST(ByteBudget, ALeaseHoldingEverythingMayPassTheLimit) {
  auto budget = std::make_shared<byte_budget>(100);
  budget_lease big(budget);
  EXPECT_TRUE(big.try_grow(80));
  EXPECT_TRUE(big.try_grow(900));  // alone: one request larger than the budget proceeds
  budget_lease small(budget);
  EXPECT_FALSE(small.try_grow(1));
  budget_lease moved = std::move(big);
  EXPECT_EQ(budget->used(), 980u);
  moved = budget_lease();  // released on assignment
  EXPECT_EQ(budget->used(), 0u);
  EXPECT_TRUE(small.try_grow(1));
}

TEST(ByteBudget, WithoutABudgetEverythingFits) {
  budget_lease none;
  EXPECT_TRUE(none.try_grow(size_t{1} << 40));
}

}  // namespace
}  // namespace brook::net
