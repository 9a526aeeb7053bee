#include "cli/status_report.hpp"

#include <iomanip>

#include "core/text.hpp"

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

// A table row: each cell padded to its width, then one space.
struct Row {
  std::ostream& out;
  Row& left(const std::string& text, int width) {
    out << std::left << std::setw(width) << text << ' ';
    return *this;
  }
  Row& right(const std::string& text, int width) {
    out << std::right << std::setw(width) << text << ' ';
    return *this;
  }
  void end(const std::string& tail = "") { out << tail << '\n'; }
};

}  // namespace

std::string tally_text(const state::WindowTally& t) {
  if (t.total == 0) return "-";
  auto text = std::to_string(t.done + t.done_with_rejects) + "/" + std::to_string(t.total) + " done";
  if (t.done_with_rejects > 0) text += " (" + std::to_string(t.done_with_rejects) + " with rejects)";
  if (t.failed > 0) text += ", " + std::to_string(t.failed) + " failed";
  return text;
}

void print_runs(std::ostream& out, const std::vector<state::RunRow>& runs,
                const std::map<long long, state::WindowTally>& tallies) {
  Row{out}.right("RUN", 5).left("CONNECTOR", 11).left("MODE", 8).left("STATUS", 17).left("WINDOWS", 34)
      .left("STREAMS", 24).left("RANGE", 45).left("CREATED", 20).end("ERROR");
  for (const auto& r : runs) {
    auto tally = tallies.find(r.run_id);
    Row{out}.right(std::to_string(r.run_id), 5).left(r.spec.connector, 11).left(r.spec.mode, 8)
        .left(to_string(r.status), 17).left(tally == tallies.end() ? "-" : tally_text(tally->second), 34)
        .left(join(r.spec.streams), 24)
        .left(short_time(r.spec.range.start) + " .. " + short_time(r.spec.range.end), 45)
        .left(r.created_at, 20).end(r.last_error);
  }
}

void print_run(std::ostream& out, const state::RunRow& run, const std::vector<state::WindowRow>& windows) {
  out << "run " << run.run_id << ": " << run.spec.connector << " " << run.spec.mode << " "
      << join(run.spec.streams) << " " << to_string(run.spec.range) << ", status " << to_string(run.status)
      << (run.last_error.empty() ? "" : " (" + run.last_error + ")") << "\n";
  Row{out}.right("WINDOW", 7).left("STREAM", 12).left("RANGE", 45).left("STATUS", 17).right("PAGES", 6)
      .right("RECORDS", 8).right("CHANGED", 8).right("RECON", 6).right("REJECTED", 8).right("EXPECTED", 9)
      .right("VERIFIED", 9).left("BY", 14).right("ATTEMPTS", 8).end("LAST ERROR");
  for (const auto& w : windows) {
    Row{out}.right(std::to_string(w.window_id), 7).left(w.stream, 12).left(to_string(w.window), 45)
        .left(to_string(w.status), 17).right(std::to_string(w.pages_loaded), 6)
        .right(std::to_string(w.records_loaded), 8).right(std::to_string(w.rows_changed), 8)
        .right(std::to_string(w.records_reconciled), 6).right(std::to_string(w.records_rejected), 8)
        .right(opt(w.expected_count), 9).right(opt(w.verified_count), 9).left(w.guarantee.empty() ? "-" : w.guarantee, 14)
        .right(std::to_string(w.attempts), 8).end(w.last_error);
  }
}

void print_rejects(std::ostream& out, const std::vector<state::RejectRow>& rejects) {
  Row{out}.right("RUN", 5).right("WINDOW", 7).left("STREAM", 12).left("RANGE", 45).right("PAGE", 5)
      .right("RECORD", 6).left("ID", 14).end("REASON / TEXT");
  for (const auto& r : rejects) {
    Row{out}.right(std::to_string(r.run_id), 5).right(std::to_string(r.window_id), 7).left(r.stream, 12)
        .left(r.window, 45).right(std::to_string(r.page_number), 5).right(std::to_string(r.record_index), 6)
        .left(r.record_id.empty() ? "-" : r.record_id, 14).end(one_line(r.reason + " | " + r.excerpt, 240));
  }
}

namespace {
std::string opt_time(const std::optional<Timestamp>& t) { return t ? format_utc(*t) : "-"; }

// "3d 4h", "2h 5m", "40s": how far behind now, to the two largest units.
std::string behind(const Duration& d) {
  long long s = d.total_seconds();
  if (s < 0) return "0s";
  if (s >= 86'400) return std::to_string(s / 86'400) + "d " + std::to_string(s % 86'400 / 3'600) + "h";
  if (s >= 3'600) return std::to_string(s / 3'600) + "h " + std::to_string(s % 3'600 / 60) + "m";
  if (s >= 60) return std::to_string(s / 60) + "m " + std::to_string(s % 60) + "s";
  return std::to_string(s) + "s";
}
}  // namespace

void print_streams(std::ostream& out, const std::vector<state::StreamStatus>& streams, const Timestamp& now) {
  Row{out}.left("CONNECTOR", 11).left("ACCOUNT", 16).left("STREAM", 14).left("HIGH-WATER MARK", 21).left("LAG", 8)
      .left("LAST SYNC", 21).right("FAILED", 6).right("OPEN", 5).end();
  for (const auto& s : streams) {
    Row{out}.left(s.id.connector, 11).left(s.id.account.empty() ? "-" : s.id.account, 16).left(s.id.stream, 14)
        .left(opt_time(s.mark), 21).left(s.mark ? behind(now - *s.mark) : "-", 8).left(opt_time(s.last_sync), 21)
        .right(std::to_string(s.failed), 6).right(std::to_string(s.open), 5).end();
  }
  for (const auto& s : streams) {
    if (!s.deletion_gap) continue;
    out << "warning: " << s.id.stream << ": deletions from " << format_utc(s.deletion_gap->start) << " to "
        << format_utc(s.deletion_gap->end) << " could not be read; rows deleted then are unmarked in raw "
        << "(docs/operations.md, \"Deletions\")\n";
  }
}

void print_windows(std::ostream& out, const std::vector<state::WindowRow>& windows) {
  Row{out}.right("RUN", 5).right("WINDOW", 7).left("STREAM", 12).left("RANGE", 45).right("PAGES", 6)
      .right("ATTEMPTS", 8).end("LAST ERROR");
  for (const auto& w : windows) {
    Row{out}.right(std::to_string(w.run_id), 5).right(std::to_string(w.window_id), 7).left(w.stream, 12)
        .left(to_string(w.window), 45).right(std::to_string(w.pages_loaded), 6).right(std::to_string(w.attempts), 8)
        .end(one_line(w.last_error, 240));
  }
}

}  // namespace tributary::cli
