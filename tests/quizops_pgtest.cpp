// The internal QuizOps API through config/quizops.yaml: cursor paging, a composite key, a
// full-refresh stream, and a killed-and-resumed run, against a real PostgreSQL.
#include <gtest/gtest.h>
#include <signal.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include "mock/quizops/quizops_mock.hpp"
#include "tests/support/database.hpp"
#include "tests/support/process.hpp"

namespace tributary::testing {
namespace {

class Quizops : public ::testing::Test {
 protected:
  void SetUp() override {
    reset_database();
    mock_ = std::make_unique<mock::QuizopsMock>();
    mock_->start();
  }

  EnvOverrides env() const {
    return {{"QUIZOPS_BASE_URL", mock_->base_url()}, {"QUIZOPS_TOKEN", "quizops-dev-token"},
            {"QUIZOPS_RETRY_BASE_MS", "20"}, {"TRIBUTARY_DB_URL", test_db_url()}};
  }

  std::vector<std::string> backfill_args(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args{"backfill", "--config", std::string(TRIBUTARY_SOURCE_DIR) + "/config/quizops.yaml",
                                  "--start", "2024-01-01", "--end", "2024-04-01"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  // The mock keys answers "attempt|question"; tributary stores composite keys as a JSON array.
  long long mismatches(const std::string& kind, const std::string& table) const {
    std::vector<std::string> ids, payloads;
    for (const auto& r : mock_->records(kind)) {
      auto bar = r.key.find('|');
      ids.push_back(bar == std::string::npos ? r.key
                                             : "[\"" + r.key.substr(0, bar) + "\",\"" + r.key.substr(bar + 1) + "\"]");
      payloads.push_back(r.json);
    }
    return mismatches_against(table, ids, payloads);
  }

  std::unique_ptr<mock::QuizopsMock> mock_;
};

TEST_F(Quizops, BackfillLoadsEveryStreamExactly) {
  auto r = run(TRIBUTARY_BINARY, backfill_args(), env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mismatches("quizzes", "raw.quizops_quizzes"), 0);
  EXPECT_EQ(mismatches("attempts", "raw.quizops_attempts"), 0);
  EXPECT_EQ(mismatches("answers", "raw.quizops_answers"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM raw.quizops_answers"), 10000);
  // quizzes is full refresh: one window; attempts and answers: 13 weekly windows each.
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows WHERE stream = 'quizzes'"), 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows WHERE stream = 'answers'"), 13);
  EXPECT_EQ(text("SELECT DISTINCT account FROM raw.quizops_attempts"), "quizops");
  // Window bounds reach the API as half-open RFC 3339 parameters.
  bool saw_window = false;
  for (const auto& t : mock_->stats().targets) {
    saw_window = saw_window || t.find("updated_since=2024-01-08T00%3A00%3A00.000000Z&updated_before=2024-01-15T00%3A00%3A00.000000Z") != std::string::npos;
  }
  EXPECT_TRUE(saw_window);
  EXPECT_EQ(r.err.find("quizops-dev-token"), std::string::npos);
}

TEST_F(Quizops, ReRunChangesNothing) {
  ASSERT_EQ(run(TRIBUTARY_BINARY, backfill_args({"--stream", "attempts"}), env()).exit_code, 0);
  auto rows = scalar("SELECT count(*) FROM raw.quizops_attempts");
  auto again = run(TRIBUTARY_BINARY, backfill_args({"--stream", "attempts"}), env());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find(", 0 raw rows inserted or changed"), std::string::npos) << again.out;
  EXPECT_EQ(scalar("SELECT count(*) FROM raw.quizops_attempts"), rows);
}

TEST_F(Quizops, KilledAndResumedEndsWithExactlyTheSourcesRows) {
  mock::HttpFaultRule slow;
  slow.delay_ms = 10;
  slow.times = 1'000'000;
  mock_->add_fault(slow);
  // Two streams with different page sizes in the file (answers 500, attempts 100).
  auto pid = spawn(TRIBUTARY_BINARY, backfill_args({"--stream", "answers", "--stream", "attempts", "--workers", "2"}),
                   env(), "/dev/null", "/dev/null");
  wait_for_committed_pages(10);
  kill(pid, SIGKILL);
  ASSERT_EQ(wait_exit(pid, std::chrono::seconds(10)), 128 + SIGKILL);
  EXPECT_EQ(text("SELECT status FROM state.runs"), "running");
  EXPECT_LT(scalar("SELECT count(*) FROM raw.quizops_answers"), 10000);
  // Every committed page is there with its checkpoint, and nothing else.
  for (const std::string stream : {"answers", "attempts"}) {
    EXPECT_EQ(scalar("SELECT count(*) FROM state.windows w WHERE w.stream = '" + stream + "' AND w.records_loaded <> "
                     "(SELECT count(*) FROM raw.quizops_" + stream + " r WHERE r.extract_window_start_utc = w.window_start_utc)"),
              0) << stream;
  }

  auto r = run(TRIBUTARY_BINARY, {"resume", "--run", "1"}, env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mismatches("answers", "raw.quizops_answers"), 0);
  EXPECT_EQ(mismatches("attempts", "raw.quizops_attempts"), 0);
  EXPECT_EQ(text("SELECT status FROM state.runs"), "done");
  // Resumed pages kept each stream's own page size.
  EXPECT_EQ(text("SELECT string_agg(DISTINCT page_size::text, ',') FROM raw.quizops_answers"), "500");
  EXPECT_EQ(text("SELECT string_agg(DISTINCT page_size::text, ',') FROM raw.quizops_attempts"), "100");
}

TEST_F(Quizops, AWrongTokenIsAnAuthErrorWithNothingWritten) {
  auto e = env();
  e["QUIZOPS_TOKEN"] = "wrong-token";
  auto r = run(TRIBUTARY_BINARY, backfill_args({"--stream", "attempts"}), e);
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("HTTP 401"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Not authenticated"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("wrong-token"), std::string::npos);
  EXPECT_EQ(scalar("SELECT count(*) FROM raw.quizops_attempts"), 0);
}

}  // namespace
}  // namespace tributary::testing

namespace tributary::testing {
namespace {

class QuizopsInspect : public Quizops {
 protected:
  std::string config() const { return std::string(TRIBUTARY_SOURCE_DIR) + "/config/quizops.yaml"; }
};

TEST_F(QuizopsInspect, CheckValidatesOfflineAndConnectFetchesOnePagePerStreamWithoutWriting) {
  auto offline = run(TRIBUTARY_BINARY, {"check", "--config", config()}, env());
  ASSERT_EQ(offline.exit_code, 0) << offline.err;
  EXPECT_NE(offline.out.find("ok, rest connector 'quizops' with 3 stream(s)"), std::string::npos) << offline.out;
  EXPECT_EQ(mock_->stats().requests, 0);

  auto online = run(TRIBUTARY_BINARY, {"check", "--config", config(), "--connect"}, env());
  ASSERT_EQ(online.exit_code, 0) << online.err;
  EXPECT_NE(online.out.find("quizzes: 20 record(s) on the first page of the full pass"), std::string::npos) << online.out;
  EXPECT_NE(online.out.find("attempts: "), std::string::npos) << online.out;
  EXPECT_NE(online.out.find("answers: "), std::string::npos) << online.out;
  EXPECT_EQ(mock_->stats().requests, 3);
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_namespace WHERE nspname IN ('raw', 'state')"), 0);
}

TEST_F(QuizopsInspect, CheckListsEveryProblemWithItsLine) {
  auto path = std::string("/tmp/tributary-check-") + std::to_string(getpid()) + ".yaml";
  {
    std::ofstream f(path);
    f << "kind: rest\n"
         "base_url: http://localhost\n"
         "auth: {kind: bearer, token: \"${QUIZOPS_NOT_SET}\"}\n"
         "streams:\n"
         "  a: {path: /a, primary_key: /id, table: raw.a, records: data, cursor: {field: /t, format: epoch_minutes}}\n"
         "  b: {path: /b, primary_key: /id, table: raw.b, paginator: {kind: pages}}\n";
  }
  auto r = run(TRIBUTARY_BINARY, {"check", "--config", path}, env());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find(path + ":3:29: environment variable QUIZOPS_NOT_SET is not set"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(path + ":5:58: 'records' must be a JSON pointer"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(path + ":5:92: unknown time format 'epoch_minutes'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(path + ":6:67: unknown paginator kind 'pages'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("4 problem(s)"), std::string::npos) << r.err;  // two of them in stream a
  std::remove(path.c_str());
}

TEST_F(QuizopsInspect, StreamsListsModesTablesGuaranteesAndCursors) {
  auto r = run(TRIBUTARY_BINARY, {"streams", "--config", config()}, env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("quizzes         full_refresh  raw.quizops_quizzes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("answers         incremental   raw.quizops_answers"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("/updated_at (iso8601)"), std::string::npos) << r.out;
  // How each stream's windows are proven complete: offset paging is swept, cursor tokens trusted.
  EXPECT_NE(r.out.find("GUARANTEE"), std::string::npos) << r.out;
  auto line_of = [&](const std::string& stream) {
    auto at = r.out.find("\n" + stream + " ");
    return at == std::string::npos ? std::string() : r.out.substr(at, r.out.find('\n', at + 1) - at);
  };
  EXPECT_NE(line_of("quizzes").find(" sweep "), std::string::npos) << r.out;
  EXPECT_NE(line_of("answers").find(" source_cursor "), std::string::npos) << r.out;
}

}  // namespace
}  // namespace tributary::testing
