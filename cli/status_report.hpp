#pragma once
#include <ostream>
#include <vector>

#include "state/types.hpp"

namespace tributary::cli {

void print_runs(std::ostream& out, const std::vector<state::RunRow>& runs);
void print_run(std::ostream& out, const state::RunRow& run, const std::vector<state::WindowRow>& windows);

}  // namespace tributary::cli
