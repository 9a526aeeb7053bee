#include "engine/run_metrics.hpp"

#include "core/error.hpp"
#include "pg/pg.hpp"
#include "state/stream_state.hpp"

namespace tributary::engine {
namespace {

constexpr const char* kRunFigures = R"(
SELECT count(*) FILTER (WHERE status IN ('done', 'done_with_rejects')), count(*) FILTER (WHERE status = 'failed'),
       count(*) FILTER (WHERE status IN ('pending', 'running')),
       coalesce(sum(records_loaded), 0), coalesce(sum(pages_loaded), 0), coalesce(sum(rows_changed), 0),
       coalesce(sum(records_rejected), 0),
       coalesce(sum(extract(epoch FROM finished_at_utc - started_at_utc))
                FILTER (WHERE status IN ('done', 'done_with_rejects')), 0),
       count(*) FILTER (WHERE status IN ('done', 'done_with_rejects') AND started_at_utc IS NOT NULL)
FROM state.windows WHERE run_id = $1)";

double epoch(const Timestamp& t) {
  static const Timestamp start(boost::gregorian::date(1970, 1, 1));
  return static_cast<double>((t - start).total_milliseconds()) / 1000.0;
}

Metric gauge(std::string name, std::string help) { return {std::move(name), std::move(help), "gauge", {}}; }
Metric counter(std::string name, std::string help) { return {std::move(name), std::move(help), "counter", {}}; }

}  // namespace

std::vector<Metric> run_metrics(pqxx::connection_base& conn, const RunMetricsInput& in) {
  std::vector<Metric> out;
  const std::map<std::string, std::string> run{{"connector", in.connector}, {"run", std::to_string(in.run_id)}};
  try {
    pqxx::read_transaction txn(conn);
    auto r = txn.exec_params1(kRunFigures, in.run_id);
    auto windows = gauge("tributary_run_windows", "Windows of the run by state.");
    for (auto [state, i] : std::vector<std::pair<const char*, int>>{{"done", 0}, {"failed", 1}, {"open", 2}}) {
      auto labels = run;
      labels["state"] = state;
      windows.samples.push_back({labels, r[i].as<double>()});
    }
    out.push_back(windows);
    auto add = [&](Metric m, double v) {
      m.samples.push_back({run, v});
      out.push_back(std::move(m));
    };
    add(counter("tributary_run_records_fetched_total", "Records fetched by the run, all processes."), r[3].as<double>());
    add(counter("tributary_run_pages_total", "Pages committed by the run, all processes."), r[4].as<double>());
    add(counter("tributary_run_rows_changed_total", "Raw rows inserted or changed by the run."), r[5].as<double>());
    add(counter("tributary_run_records_quarantined_total", "Records the run quarantined."), r[6].as<double>());
    Metric durations{"tributary_run_window_seconds", "How long the run's done windows took.", "summary", {}};
    durations.samples.push_back({run, r[7].as<double>(), "_sum"});
    durations.samples.push_back({run, r[8].as<double>(), "_count"});
    out.push_back(durations);
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "reading the run's figures for the metrics file");
  }
  if (in.stats != nullptr) {
    auto requests = counter("tributary_requests_total", "Requests this process sent, by outcome.");
    for (auto [status, value] : std::vector<std::pair<const char*, long>>{
             {"2xx", in.stats->answered_2xx.load()}, {"4xx", in.stats->answered_4xx.load()},
             {"429", in.stats->throttled.load()}, {"5xx", in.stats->answered_5xx.load()},
             {"error", in.stats->transport_errors.load()}}) {
      auto labels = run;
      labels["status"] = status;
      requests.samples.push_back({labels, static_cast<double>(value)});
    }
    out.push_back(requests);
    auto add = [&](Metric m, double v) {
      m.samples.push_back({run, v});
      out.push_back(std::move(m));
    };
    add(counter("tributary_retries_total", "Requests this process retried."), static_cast<double>(in.stats->retries.load()));
    add(counter("tributary_limit_decreases_total", "Rate or concurrency decreases after a 429."),
        static_cast<double>(in.stats->limit_decreases.load()));
    add(counter("tributary_response_bytes_total", "Response body bytes this process received."),
        static_cast<double>(in.stats->bytes.load()));
  }
  auto duration = gauge("tributary_run_seconds", "Seconds this process has worked on the run.");
  duration.samples.push_back({run, in.run_seconds});
  out.push_back(duration);
  if (in.exit_code) {
    auto code = gauge("tributary_run_exit_code", "The exit code the run ended with (README, Exit codes).");
    code.samples.push_back({run, static_cast<double>(*in.exit_code)});
    out.push_back(code);
  }
  auto mark = gauge("tributary_stream_high_water_mark_timestamp_seconds",
                    "The stream's high-water mark: everything updated before it is in raw.");
  auto success = gauge("tributary_stream_last_success_timestamp_seconds", "When a window of the stream last finished done.");
  auto failed = gauge("tributary_stream_failed_windows", "Failed windows of the stream no later window has covered.");
  for (const auto& s : state::stream_statuses(conn)) {
    if (s.id.connector != in.connector) continue;
    std::map<std::string, std::string> labels{{"connector", s.id.connector}, {"account", s.id.account},
                                              {"stream", s.id.stream}};
    if (s.mark) mark.samples.push_back({labels, epoch(*s.mark)});
    if (s.last_done) success.samples.push_back({labels, epoch(*s.last_done)});
    failed.samples.push_back({labels, static_cast<double>(s.failed)});
  }
  out.push_back(mark);
  out.push_back(success);
  out.push_back(failed);
  return out;
}

}  // namespace tributary::engine
