#pragma once
// A round's random choices, drawn from its seed before it runs.
#include <algorithm>
#include <array>
#include <chrono>
#include <string>
#include <vector>

#include "tests/chaos/chaos.hpp"

namespace tributary::chaos {

// The mocks' data spans a week more than the backfill on each side, so the range's edges are
// real filters.
inline constexpr const char* kDataStart = "2023-12-25T00:00:00Z";
inline constexpr const char* kDataEnd = "2024-02-12T00:00:00Z";
// The connectors' http timeout during the campaign; "slow" faults answer 500 ms after it.
inline constexpr int kTimeoutMs = 1500;

// Fires after `pages` more committed pages of its target, or `delay` after it is armed.
struct Trigger {
  int pages = 0;
  std::chrono::milliseconds delay{0};
};

enum class KillTarget { Qbo, Rest, Both };

struct KillEvent {
  Trigger when;
  KillTarget target = KillTarget::Both;
};

struct Mutation {
  int on_query = 0, count = 0;  // QboMock::mutate_during_paging
};

struct RestTouch {
  int nth = 0;  // RestMock::touch_on_request
  std::vector<int> ids;
};

struct RoundPlan {
  mock::QboMockOptions qbo;
  mock::RestMockOptions rest;
  std::vector<mock::FaultRule> qbo_faults;
  std::vector<mock::HttpFaultRule> rest_faults;
  Mutation invoice_mutation, customer_mutation;
  std::vector<RestTouch> rest_touches;
  std::vector<int> bad_ids;  // REST records served with a \u0000 escape: quarantined, never loaded
  std::vector<KillEvent> kills;  // in order; each armed when the previous one fired
  int pg_restart_after_pages = 0;  // 0: no restart this round
  std::chrono::milliseconds pg_down{0};
  std::vector<int> expire_tokens_after_pages;  // QuickBooks access tokens expire at these page counts
  bool resume_by_run_id = true;  // else the same backfill command continues the run
};

RoundPlan plan_round(int round, std::uint64_t seed);
std::string describe(const RoundPlan& p);

}  // namespace tributary::chaos
