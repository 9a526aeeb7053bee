// What a long run shows: a live progress line under the logs on a terminal (run under a
// pseudo-terminal here), and JSON log lines carrying run, stream and window ids.
#include <pty.h>
#include <poll.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "tests/support/rest_streams.hpp"

namespace tributary::testing {
namespace {

class Progress : public RestConnectors {
 protected:
  void slow_source() {
    start_mock(small_data(PageStyle::Offset, 200));
    slow_pages(80);
  }
  std::vector<std::string> backfill_args(const std::vector<std::string>& extra = {}) {
    auto config = write_config("progress.yaml", rest_connector_file("", offset_stream()));
    std::vector<std::string> args{binary(), "backfill", "--config", config, "--start", kStart, "--end", kEnd,
                                  "--chunk-days", "1", "--workers", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
};

// Runs `args` on a pseudo-terminal; what it wrote and its exit code.
std::pair<std::string, int> run_on_terminal(const std::vector<std::string>& args, const EnvOverrides& env,
                                            std::chrono::seconds timeout) {
  // Everything the child needs is built before the fork: after it, the child may not allocate.
  auto envs = child_environment(env);
  std::vector<char*> envp;
  for (auto& e : envs) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int master = -1;
  pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid == 0) {
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO: the child closed its terminal
    out.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  if (std::chrono::steady_clock::now() >= deadline) kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  close(master);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)};
}

TEST_F(Progress, ATerminalShowsOneLiveLineUnderTheLogs) {
  slow_source();
  auto [out, code] = run_on_terminal(backfill_args(), env(), std::chrono::seconds(180));
  ASSERT_EQ(code, 0) << out;
  auto drawn = out.find("\r\033[Kwindows ");
  ASSERT_NE(drawn, std::string::npos) << "no progress line drawn:\n" << out;
  EXPECT_NE(out.find(" done | ", drawn), std::string::npos) << out;
  EXPECT_NE(out.find("/10 done"), std::string::npos) << "ten daily windows:\n" << out;
  // Cleared before the summary, which stands on a line of its own.
  // The line is cleared at the end and not drawn again: the summary stands alone.
  auto cleared = out.rfind("\r\033[K");
  auto rest = out.substr(cleared + 4);
  EXPECT_NE(rest.rfind("windows ", 0), 0u) << ::testing::PrintToString(rest);
  EXPECT_NE(rest.find("run 1: 10/10 windows done"), std::string::npos) << ::testing::PrintToString(rest);
  EXPECT_EQ(rest.find("\r\nwindows "), std::string::npos) << ::testing::PrintToString(rest);
}

TEST_F(Progress, OffATerminalProgressIsAPeriodicLogLineAndJsonLogsCarryIds) {
  slow_source();
  auto args = backfill_args({"--log-format", "json"});
  args.erase(args.begin());
  auto r = run(binary(), args, env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("\033["), std::string::npos) << "no terminal codes off a terminal";
  simdjson::dom::parser parser;
  std::istringstream lines(r.err);
  int windows_seen = 0, lines_seen = 0;
  for (std::string line; std::getline(lines, line);) {
    ++lines_seen;
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(line).get(doc), simdjson::SUCCESS) << "not JSON: " << line;
    std::string_view message, level;
    ASSERT_EQ(doc["message"].get(message), simdjson::SUCCESS) << line;
    ASSERT_EQ(doc["level"].get(level), simdjson::SUCCESS) << line;
    int64_t window = 0, run_id = 0;
    std::string_view stream;
    if (doc["window"].get(window) == simdjson::SUCCESS) {
      ++windows_seen;
      EXPECT_EQ(doc["run"].get(run_id), simdjson::SUCCESS) << line;
      EXPECT_EQ(doc["stream"].get(stream), simdjson::SUCCESS) << line;
      EXPECT_EQ(stream, "items") << line;
    }
  }
  EXPECT_GT(lines_seen, 10);
  EXPECT_GE(windows_seen, 10) << "each window's lines name it";
}

}  // namespace
}  // namespace tributary::testing

namespace tributary::testing {
namespace {

TEST_F(Progress, TheMetricsFileIsValidPrometheusTextWithTheRunsAndStreamsFigures) {
  start_mock(small_data(PageStyle::Offset, 200));
  auto path = (dir_ / "tributary.prom").string();
  auto args = backfill_args({"--metrics-file", path});
  args.erase(args.begin());
  auto r = run(binary(), args, env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto text = slurp(path);
  ASSERT_FALSE(text.empty()) << "no metrics file at " << path;
  // promtool reads the metrics on its stdin; it lints names, types and HELP as well as syntax.
  auto check = run("/bin/sh", {"-c", "promtool check metrics < '" + path + "'"}, {}, std::chrono::seconds(60));
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err << text;
  const std::string run1 = R"({connector="generic",run="1"})";
  EXPECT_NE(text.find("tributary_run_records_fetched_total" + run1 + " 200\n"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(tributary_run_windows{connector="generic",run="1",state="done"} 10)"), std::string::npos) << text;
  EXPECT_NE(text.find("tributary_run_exit_code" + run1 + " 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(tributary_requests_total{connector="generic",run="1",status="2xx"} )"), std::string::npos);
  // The mark: 2024-01-11T00:00:00Z.
  EXPECT_NE(text.find(R"(tributary_stream_high_water_mark_timestamp_seconds{account="acme",connector="generic",stream="items"} 1704931200)"),
            std::string::npos)
      << text;
  EXPECT_EQ(std::filesystem::directory_iterator(dir_) == std::filesystem::directory_iterator(), false);
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << "a temporary file left: " << entry.path();
  }
}

}  // namespace
}  // namespace tributary::testing
