#include "cli/status_report.hpp"

#include <iomanip>

namespace tributary::cli {
namespace {

std::string opt(const std::optional<long long>& v) { return v ? std::to_string(*v) : "-"; }

std::string short_time(const Timestamp& t) {
  auto s = format_utc(t);
  return s.substr(11, 8) == "00:00:00" ? s.substr(0, 10) : s;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

}  // namespace

void print_runs(std::ostream& out, const std::vector<state::RunRow>& runs) {
  out << std::left << std::setw(6) << "RUN" << std::setw(12) << "CONNECTOR" << std::setw(9) << "MODE"
      << std::setw(8) << "STATUS" << std::setw(24) << "STREAMS" << std::setw(25) << "RANGE"
      << "CREATED  ERROR\n";
  for (const auto& r : runs) {
    out << std::left << std::setw(6) << r.run_id << std::setw(12) << r.spec.connector << std::setw(9)
        << r.spec.mode << std::setw(8) << to_string(r.status) << std::setw(24) << join(r.spec.streams)
        << std::setw(25) << (short_time(r.spec.range.start) + ".." + short_time(r.spec.range.end))
        << r.created_at << (r.last_error.empty() ? "" : "  " + r.last_error) << "\n";
  }
}

void print_run(std::ostream& out, const state::RunRow& run, const std::vector<state::WindowRow>& windows) {
  out << "run " << run.run_id << ": " << run.spec.connector << " " << run.spec.mode << " "
      << join(run.spec.streams) << " " << to_string(run.spec.range) << ", status " << to_string(run.status)
      << (run.last_error.empty() ? "" : " (" + run.last_error + ")") << "\n";
  out << std::left << std::setw(8) << "WINDOW" << std::setw(11) << "STREAM" << std::setw(44) << "RANGE"
      << std::setw(9) << "STATUS" << std::right << std::setw(6) << "PAGES" << std::setw(9) << "RECORDS"
      << std::setw(7) << "RECON" << std::setw(9) << "EXPECTED" << std::setw(9) << "VERIFIED"
      << std::setw(9) << "ATTEMPTS" << "  LAST ERROR\n";
  for (const auto& w : windows) {
    out << std::left << std::setw(8) << w.window_id << std::setw(11) << w.stream << std::setw(44)
        << to_string(w.window) << std::setw(9) << to_string(w.status) << std::right << std::setw(6)
        << w.pages_loaded << std::setw(9) << w.records_loaded << std::setw(7) << w.records_reconciled
        << std::setw(9) << opt(w.expected_count) << std::setw(9) << opt(w.verified_count) << std::setw(9)
        << w.attempts << "  " << w.last_error << "\n";
  }
}

}  // namespace tributary::cli
