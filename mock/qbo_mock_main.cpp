// tributary-mock-qbo: the QBO mock as a process, for the demo script and CLI tests.
// Prints "tributary-mock-qbo listening on http://HOST:PORT", optionally writes the port to a
// file (atomically), and serves until SIGTERM or SIGINT.
#include <CLI/CLI.hpp>
#include <malloc.h>

#include "mock/common/process_main.hpp"
#include "mock/qbo_mock.hpp"

namespace tmock = tributary::mock;

namespace {

void add_flags(CLI::App& app, tmock::ProcessFlags& f, tmock::QboMockOptions& o) {
  tmock::add_process_flags(app, f);
  app.add_option("--realm", o.realm_id, "company (realm) id")->capture_default_str();
  app.add_option("--client-id", o.client_id)->capture_default_str();
  app.add_option("--client-secret", o.client_secret);
  app.add_option("--refresh-token", o.initial_refresh_token, "initial refresh token")->capture_default_str();
  app.add_option("--seed", o.seed, "data generator seed")->capture_default_str();
  app.add_option("--customers", o.customers)->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--invoices", o.invoices)->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--items", o.items)->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--data-start", o.data_start_utc, "first LastUpdatedTime, UTC")->capture_default_str();
  app.add_option("--data-end", o.data_end_utc, "end (exclusive) of LastUpdatedTime, UTC")->capture_default_str();
  app.add_option("--token-ttl", o.access_token_ttl_seconds, "access token lifetime, seconds")
      ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--rpm", o.max_requests_per_minute, "requests per interval (a minute) per realm, 0 = unlimited")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--rate-interval-ms", o.rate_interval_ms, "length of the moving window --rpm counts in")
      ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--latency-ms", o.latency_ms, "delay of every admitted data API answer")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--concurrency", o.max_concurrent_requests, "requests in flight per realm, 0 = unlimited")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--cdc-max-objects", o.cdc_max_objects, "objects one CDC answer holds at most")
      ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--request-log", o.request_log_path, "append a line per data API request: arrival and answer "
                                                      "times (ms), status, User-Agent");
  app.add_flag("--no-rotate", [&o](std::int64_t) { o.rotate_refresh_tokens = false; },
               "keep the same refresh token on every refresh");
}

}  // namespace

int main(int argc, char** argv) {
  // Answers of a few MB are built and freed on every request: keep that memory in the heap
  // instead of mapping and unmapping it each time (page faults were half of a busy mock's CPU).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  CLI::App app{"Local mock of the QuickBooks Online Accounting API"};
  tmock::ProcessFlags flags;
  tmock::QboMockOptions options;
  add_flags(app, flags, options);
  CLI11_PARSE(app, argc, argv);
  return tmock::run_mock_process("tributary-mock-qbo", flags, [&](const auto& announce_and_wait) {
    tmock::QboMock mock(options);
    int port = mock.start(flags.host, flags.port);
    announce_and_wait(mock.base_url(), port);
    mock.stop();
  });
}
