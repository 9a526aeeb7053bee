// Bad input, as a table: every command with missing, malformed or contradictory arguments, an
// unreadable or invalid file, an unreachable database, wrong credentials for the API, and a
// database whose schema is newer than the binary. Each must print one clear error line naming
// what is wrong and where, exit with the documented code, and write nothing. (QuickBooks-specific
// cases of backfill: tests/cli_errors_pgtest.cpp.)
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "sql/sql.hpp"
#include "state/migrations.hpp"
#include "tests/support/rest_streams.hpp"

namespace tributary::testing {
namespace {

// A loopback port nothing listens on: bound, then closed (so no other test holds it either).
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("cannot bind a loopback socket");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

void execute(const std::string& sql) {
  pqxx::connection conn(test_db_url());
  pqxx::work txn(conn);
  txn.exec(sql);
  txn.commit();
}

struct BadCase {
  std::vector<std::string> args;  // {valid}, {invalid}, {broken}, {dir}, {missing} name files
  int code;
  std::string needle;             // must be in the error line
  bool unreachable_db = false;
};

class BadInput : public RestPgTest {
 protected:
  void SetUp() override {
    RestPgTest::SetUp();
    start_mock(small_data(PageStyle::Offset, 40));
    files_["{valid}"] = write_config("valid.yaml", rest_connector_file("", offset_stream()));
    // Line 17, column 5: a stream key tributary does not know.
    files_["{invalid}"] = write_config("invalid.yaml", rest_connector_file("", offset_stream("colour: blue\n")));
    files_["{broken}"] = write_config("broken.yaml", "kind: rest\nstreams: [items\n");
    files_["{dir}"] = (dir_ / "a-directory.yaml").string();
    std::filesystem::create_directories(files_["{dir}"]);
    files_["{missing}"] = (dir_ / "missing.yaml").string();
  }

  std::vector<std::string> resolved(const std::vector<std::string>& args) const {
    std::vector<std::string> out;
    for (const auto& a : args) out.push_back(with_files(a));
    return out;
  }

  // Writes nothing anywhere: no run, no raw table, no request to the API.
  void expect_nothing_written(const std::string& what) {
    EXPECT_EQ(scalar(std::string("SELECT count(*) FROM pg_class WHERE oid = to_regclass('") + kRestTable + "')"), 0)
        << what;
    if (scalar("SELECT count(*) FROM pg_class WHERE oid = to_regclass('state.runs')") > 0) {
      EXPECT_EQ(scalar("SELECT count(*) FROM state.runs"), 0) << what;
    }
    EXPECT_EQ(mock_->stats().requests, 0) << what;
  }

  std::string with_files(std::string text) const {
    for (const auto& [name, path] : files_) {
      for (auto at = text.find(name); at != std::string::npos; at = text.find(name, at + path.size())) {
        text.replace(at, name.size(), path);
      }
    }
    return text;
  }

  // Exactly one "tributary: error:" line, and `needle` on stderr; nothing on stdout.
  static void expect_one_error_line(const ProcessResult& r, const std::string& needle, const std::string& what) {
    std::regex line("(^|\n)tributary: error: [^\n]*");
    auto lines = std::distance(std::sregex_iterator(r.err.begin(), r.err.end(), line), std::sregex_iterator());
    EXPECT_EQ(lines, 1) << what << "\n" << r.err;
    // check prints each problem of a file on its own FILE:LINE:COL line before the error line.
    EXPECT_NE(r.err.find(needle), std::string::npos) << what << "\n" << r.err;
    EXPECT_EQ(r.out, "") << what;
  }

  void run_table(const std::vector<BadCase>& cases) {
    const std::string unreachable = "postgresql://etl@127.0.0.1:" + std::to_string(closed_port()) + "/none";
    for (const auto& c : cases) {
      std::string what;
      for (const auto& a : c.args) what += a + " ";
      EnvOverrides env;
      if (c.unreachable_db) env["TRIBUTARY_DB_URL"] = unreachable;
      auto r = tributary(resolved(c.args), env);
      EXPECT_EQ(r.exit_code, c.code) << what << "\n" << r.err;
      expect_one_error_line(r, with_files(c.needle), what);
      expect_nothing_written(what);
    }
  }

  std::map<std::string, std::string> files_;
};

TEST_F(BadInput, BackfillRefusesBadArgumentsAndFilesBeforeWritingAnything) {
  // (end before start, unparseable dates, unknown streams, unreachable databases: cli_errors_pgtest)
  run_table({
      {{"backfill", "--start", kStart, "--end", kEnd}, 2, "--config is required"},
      {{"backfill", "--config", "{valid}", "--start", kStart, "--end", kEnd, "--workers", "0"}, 2, "--workers"},
      {{"backfill", "--config", "{valid}", "--start", kStart, "--end", kEnd, "--chunk-days", "week"}, 2, "--chunk-days"},
      {{"backfill", "--config", "{valid}", "--start", kStart, "--end", kEnd, "--frobnicate"}, 2, "--frobnicate"},
      {{"backfill", "--config", "{valid}", "--start", "2024-02-30", "--end", kEnd}, 2, "--start: cannot parse '2024-02-30'"},
      {{"backfill", "--config", "{dir}", "--start", kStart, "--end", kEnd}, 3, "{dir}: is a directory, not a connector file"},
      {{"backfill", "--config", "{invalid}", "--start", kStart, "--end", kEnd}, 3, "{invalid}:17:5: unknown key 'colour' in stream 'items'"},
      {{"backfill", "--config", "{broken}", "--start", kStart, "--end", kEnd}, 3, "{broken}:3:1: YAML syntax error"},
  });
}

TEST_F(BadInput, ResumeStatusAndRejectsRefuseBadRunsAndUnreachableDatabases) {
  run_table({
      {{"resume"}, 2, "--run is required"},
      {{"resume", "--run", "seven"}, 2, "--run"},
      {{"resume", "--run", "42"}, 2, "--run: no run 42 in state.runs"},
      {{"resume", "--run", "1", "--workers", "0"}, 2, "--workers"},
      {{"resume", "--run", "1"}, 4, "cannot connect to PostgreSQL etl@127.0.0.1:", true},
      {{"status", "--run", "seven"}, 2, "--run"},
      {{"status", "--run", "42"}, 2, "--run: no run 42 in state.runs"},
      {{"status", "--limit", "0"}, 2, "--limit"},
      {{"status", "--frobnicate"}, 2, "--frobnicate"},
      {{"status"}, 4, "cannot connect to PostgreSQL etl@127.0.0.1:", true},
      {{"rejects", "--run", "x"}, 2, "--run"},
      {{"rejects", "--run", "42"}, 2, "--run: no run 42 in state.runs"},
      {{"rejects"}, 4, "cannot connect to PostgreSQL etl@127.0.0.1:", true},
  });
}

TEST_F(BadInput, CheckStreamsAndMigrateRefuseBadArgumentsAndFiles) {
  run_table({
      {{"check"}, 2, "--config is required"},
      {{"check", "--config", "{missing}"}, 3, "{missing}: connector file not found"},
      {{"check", "--config", "{dir}"}, 3, "{dir}: is a directory, not a connector file"},
      {{"check", "--config", "{invalid}"}, 3, "1 problem(s) in {invalid}"},
      {{"check", "--config", "{valid}", "--connect", "--start", kEnd, "--end", kStart}, 2, "must be after start"},
      {{"check", "--config", "{valid}", "--connect", "--start", "soon"}, 2, "--start: cannot parse 'soon'"},
      {{"streams"}, 2, "--config is required"},
      {{"streams", "--config", "{broken}"}, 3, "{broken}:3:1: YAML syntax error"},
      {{"streams", "--config", "{dir}"}, 3, "{dir}: is a directory, not a connector file"},
      {{"migrate", "--frobnicate"}, 2, "--frobnicate"},
      {{"migrate", "--config", "{invalid}"}, 3, "{invalid}:17:5: unknown key 'colour' in stream 'items'"},
      {{"migrate"}, 4, "cannot connect to PostgreSQL etl@127.0.0.1:", true},
  });
}

TEST_F(BadInput, CheckConnectWithWrongApiCredentialsExits5AfterOneRequest) {
  auto options = small_data(PageStyle::Offset, 40);
  options.auth = RestAuth::Bearer;
  options.token = "the-right-token";
  start_mock(options);
  auto config = write_config("bearer.yaml", rest_connector_file("{kind: bearer, token: \"${REST_SECRET}\"}", offset_stream()));
  auto r = tributary({"check", "--config", config, "--connect", "--start", kStart, "--end", kEnd},
                     {{"REST_SECRET", "not-the-token"}});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  expect_one_error_line(r, "HTTP 401 from GET " + base_url() + "/items", "check --connect");
  EXPECT_EQ(r.err.find("not-the-token"), std::string::npos) << r.err;
  EXPECT_EQ(mock_->stats().requests, 1);
}

// A newer tributary migrated this database: this one must not write into a schema it does not
// know (nor "upgrade" it with its older migrations), whatever the command.
TEST_F(BadInput, ADatabaseMigratedByANewerTributaryIsRefusedByEveryCommand) {
  ASSERT_EQ(tributary({"migrate"}).exit_code, 0);
  const auto known = *state::migration_number(std::string(sql::migrations().back().name));
  const auto future = "migrations/" + std::to_string(known + 1) + "_from_a_newer_tributary.sql";
  execute("INSERT INTO state.schema_migrations (version) VALUES ('" + future + "')");
  const auto ledger = scalar("SELECT count(*) FROM state.schema_migrations");
  const auto refusal = "the database's schema is version " + std::to_string(known + 1) +
                       ", newer than this tributary (knows up to " + std::to_string(known) + "): upgrade tributary";
  run_table({
      {{"migrate"}, 4, refusal},
      {{"migrate", "--config", "{valid}"}, 4, refusal},
      {{"backfill", "--config", "{valid}", "--start", kStart, "--end", kEnd}, 4, refusal},
      {{"resume", "--run", "1"}, 4, refusal},
      {{"status"}, 4, refusal},
      {{"status", "--run", "1"}, 4, refusal},
      {{"rejects"}, 4, refusal},
  });
  EXPECT_EQ(scalar("SELECT count(*) FROM state.schema_migrations"), ledger);

  // Only the newer version recorded: nothing of this binary's migrations is applied either.
  reset_database();
  execute("CREATE SCHEMA state; CREATE TABLE state.schema_migrations (version text PRIMARY KEY, "
         "applied_at_utc timestamptz NOT NULL DEFAULT now()); INSERT INTO state.schema_migrations VALUES ('" +
         future + "')");
  run_table({{{"migrate"}, 4, refusal}});
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_class WHERE oid = to_regclass('state.windows')"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM state.schema_migrations"), 1);
}

}  // namespace
}  // namespace tributary::testing
