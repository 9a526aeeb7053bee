#pragma once
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "state/reject_store.hpp"
#include "state/stream_state.hpp"
#include "state/types.hpp"

namespace tributary::cli {

// The runs list; WINDOWS says how many are done (with rejects among them) and failed.
void print_runs(std::ostream& out, const std::vector<state::RunRow>& runs,
                const std::map<long long, state::WindowTally>& tallies);
// "9/10 done (2 with rejects), 1 failed"; "-" for a run without windows.
std::string tally_text(const state::WindowTally& tally);
void print_run(std::ostream& out, const state::RunRow& run, const std::vector<state::WindowRow>& windows);
void print_rejects(std::ostream& out, const std::vector<state::RejectRow>& rejects);
// Per stream: high-water mark, how far it lags `now`, last sync, failed windows still to retry.
void print_streams(std::ostream& out, const std::vector<state::StreamStatus>& streams, const Timestamp& now);
// Windows of any runs, with their run and last error.
void print_windows(std::ostream& out, const std::vector<state::WindowRow>& windows);

}  // namespace tributary::cli
