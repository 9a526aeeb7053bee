// tributary-mock-rest: the generic REST mock as a process, for demos and CLI tests.
// Prints "tributary-mock-rest listening on http://HOST:PORT", optionally writes the port to a
// file (atomically), and serves until SIGTERM or SIGINT.
#include <CLI/CLI.hpp>

#include "mock/common/process_main.hpp"
#include "mock/rest/rest_mock.hpp"

namespace tmock = tributary::mock;

namespace {

// CLI11 validator and setter for an enum parsed by `parse`.
template <typename Enum, typename Parse>
void add_enum_option(CLI::App& app, const char* flag, Enum& target, Parse parse, const char* choices) {
  app.add_option_function<std::string>(
         flag,
         [&target, parse, flag](const std::string& text) {
           auto value = parse(text);
           if (!value) throw CLI::ValidationError(flag, "unknown value '" + text + "'");
           target = *value;
         },
         choices)
      ->default_str(tmock::to_string(target));
}

void add_flags(CLI::App& app, tmock::ProcessFlags& f, tmock::RestMockOptions& o) {
  tmock::add_process_flags(app, f);
  add_enum_option(app, "--auth", o.auth, tmock::parse_rest_auth, "none|bearer|api_key_header|api_key_query|basic");
  app.add_option("--token", o.token, "bearer token accepted")->capture_default_str();
  app.add_option("--api-key", o.api_key, "API key accepted (header X-API-Key or ?api_key=)")->capture_default_str();
  app.add_option("--user", o.user, "basic auth user")->capture_default_str();
  app.add_option("--password", o.password, "basic auth password")->capture_default_str();
  add_enum_option(app, "--style", o.style, tmock::parse_page_style, "offset|page|cursor|next_url|page_json");
  app.add_option("--records", o.records)->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--seed", o.seed, "data generator seed")->capture_default_str();
  app.add_option("--data-start", o.data_start_utc, "first updated_at (RFC 3339 or YYYY-MM-DD, UTC)")
      ->capture_default_str();
  app.add_option("--data-end", o.data_end_utc, "end (exclusive) of updated_at")->capture_default_str();
  app.add_option("--default-limit", o.default_limit)->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--max-limit", o.max_limit, "larger limits are clamped")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_flag("--split-link-headers", o.split_link_headers, "page style: one Link header line per link");
  app.add_flag("--repeat-next-token", o.repeat_next_token, "pages after the first hand back the token they got");
  app.add_flag("--short-pages", o.short_pages, "pages hold (limit + 1) / 2 records although more exist");
  app.add_option("--total-lies-by", o.total_lies_by, "added to total, X-Total-Count and /items/count")
      ->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Configurable generic REST API mock for paginator and auth tests"};
  tmock::ProcessFlags flags;
  tmock::RestMockOptions options;
  add_flags(app, flags, options);
  CLI11_PARSE(app, argc, argv);
  return tmock::run_mock_process("tributary-mock-rest", flags, [&](const auto& announce_and_wait) {
    tmock::RestMock mock(options);
    int port = mock.start(flags.host, flags.port);
    announce_and_wait(mock.base_url(), port);
    mock.stop();
  });
}
