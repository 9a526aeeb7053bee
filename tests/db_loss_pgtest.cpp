// The database connection dropping mid-run (a server restart or an operator terminating the
// sessions) is reconnected, the windows held at that moment are redone from their checkpoints,
// and the run finishes exactly; it never lingers holding windows (issue: a process that logged
// "not connected" for minutes after a restart).
#include <unistd.h>

#include <csignal>
#include <pqxx/pqxx>

#include "tests/support/rest_streams.hpp"

namespace tributary::testing {
namespace {

TEST_F(RestConnectors, TerminatedDatabaseSessionsAreReconnectedAndTheRunFinishesExactly) {
  start_mock(small_data(PageStyle::Offset, 600));
  slow_pages(40);  // slowly enough for the sessions to be cut mid-run
  auto config = write_config("loss.yaml", rest_connector_file("", offset_stream()));
  auto err_path = (dir_ / "loss.err").string();
  auto pid = spawn(binary(), {"backfill", "--config", config, "--start", kStart, "--end", kEnd, "--chunk-days", "2",
                              "--workers", "2"},
                   env(), "/dev/null", err_path);
  wait_for_committed_pages(4);
  // Every session but ours, as an operator or a server restart would end them.
  auto terminated = scalar("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'");
  EXPECT_GE(terminated, 2);
  int code = wait_exit(pid, std::chrono::seconds(120));
  auto err = slurp(err_path);
  ASSERT_EQ(code, 0) << err;
  EXPECT_NE(err.find("lost its database connection"), std::string::npos) << err;
  EXPECT_NE(err.find("database connection re-established"), std::string::npos) << err;
  expect_exact_load(600, false);  // a window redone from its checkpoint may read a page twice
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows WHERE status <> 'done'"), 0);
  EXPECT_EQ(text("SELECT status FROM state.runs"), "done");
}

// A claim whose commit reached the server while its reply was lost with the connection: the
// worker never learnt it holds the window. After reconnecting it gives back what its id holds
// instead of leaving the window leased (a campaign round ended "interrupted" that way, exit 130).
TEST_F(RestConnectors, AClaimCommittedAsTheConnectionDroppedIsGivenBackAndDone) {
  start_mock(small_data(PageStyle::Offset, 600));
  slow_pages(60);
  auto config = write_config("lost_claim.yaml", rest_connector_file("", offset_stream()));
  auto err_path = (dir_ / "lost_claim.err").string();
  auto pid = spawn(binary(), {"backfill", "--config", config, "--start", kStart, "--end", kEnd, "--chunk-days", "2",
                              "--workers", "1"},
                   env(), "/dev/null", err_path);
  wait_for_committed_pages(2);
  // The only worker's id (random per process: state/claim_identity.hpp), read from its claim.
  std::string worker;
  {
    pqxx::connection conn(test_db_url());
    pqxx::work txn(conn);
    auto held = txn.exec("SELECT claimed_by FROM state.windows WHERE status = 'running' AND claimed_by IS NOT NULL");
    ASSERT_EQ(held.size(), 1u) << "one worker holds one window";
    worker = held[0][0].as<std::string>();
  }
  {
    // The lost claim: the last pending window, running under the worker's id, lease 10 minutes.
    pqxx::connection conn(test_db_url());
    pqxx::work txn(conn);
    auto claimed = txn.exec_params(
        "UPDATE state.windows SET status = 'running', claimed_by = $1, "
        "lease_expires_at_utc = now() + interval '10 minutes' WHERE window_id = "
        "(SELECT max(window_id) FROM state.windows WHERE status = 'pending')", worker);
    ASSERT_EQ(claimed.affected_rows(), 1u) << "the run ended before a window could be claimed for it";
    txn.commit();
  }
  EXPECT_GE(scalar("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() "
                   "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"), 1);
  int code = wait_exit(pid, std::chrono::seconds(120));
  auto err = slurp(err_path);
  ASSERT_EQ(code, 0) << err;
  EXPECT_NE(err.find("gave back"), std::string::npos) << err;
  expect_exact_load(600, false);
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows WHERE status <> 'done'"), 0);
}

}  // namespace
}  // namespace tributary::testing
