#pragma once
#include <ostream>
#include <vector>

#include "state/reject_store.hpp"
#include "state/types.hpp"

namespace tributary::cli {

void print_runs(std::ostream& out, const std::vector<state::RunRow>& runs);
void print_run(std::ostream& out, const state::RunRow& run, const std::vector<state::WindowRow>& windows);
void print_rejects(std::ostream& out, const std::vector<state::RejectRow>& rejects);

}  // namespace tributary::cli
