// tributary-mock-quizops: the QuizOps mock as a process, for the demo script and CLI tests.
// Prints "tributary-mock-quizops listening on http://HOST:PORT", optionally writes the port to
// a file (atomically), and serves until SIGTERM or SIGINT.
#include <CLI/CLI.hpp>

#include "mock/common/process_main.hpp"
#include "mock/quizops/quizops_mock.hpp"

namespace tmock = tributary::mock;

namespace {

void add_flags(CLI::App& app, tmock::ProcessFlags& f, tmock::QuizopsMockOptions& o) {
  tmock::add_process_flags(app, f);
  app.add_option("--token", o.token, "the bearer token accepted")->capture_default_str();
  app.add_option("--seed", o.seed, "data generator seed")->capture_default_str();
  app.add_option("--quizzes", o.quizzes)->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--attempts", o.attempts)->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--answers", o.answers)->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--data-start", o.data_start_utc, "first updated_at (RFC 3339 or YYYY-MM-DD, UTC)")
      ->capture_default_str();
  app.add_option("--data-end", o.data_end_utc, "end (exclusive) of updated_at")->capture_default_str();
  app.add_flag("--python-isoformat", o.python_isoformat,
               "render timestamps as Python's isoformat(): +00:00, no fraction on whole seconds");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Local mock of the QuizOps FastAPI service"};
  tmock::ProcessFlags flags;
  tmock::QuizopsMockOptions options;
  add_flags(app, flags, options);
  CLI11_PARSE(app, argc, argv);
  return tmock::run_mock_process("tributary-mock-quizops", flags, [&](const auto& announce_and_wait) {
    tmock::QuizopsMock mock(options);
    int port = mock.start(flags.host, flags.port);
    announce_and_wait(mock.base_url(), port);
    mock.stop();
  });
}
