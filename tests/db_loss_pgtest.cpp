// The database connection dropping mid-run (a server restart or an operator terminating the
// sessions) is reconnected, the windows held at that moment are redone from their checkpoints,
// and the run finishes exactly; it never lingers holding windows (issue: a process that logged
// "not connected" for minutes after a restart).
#include <csignal>

#include "tests/support/rest_streams.hpp"

namespace tributary::testing {
namespace {

TEST_F(RestConnectors, TerminatedDatabaseSessionsAreReconnectedAndTheRunFinishesExactly) {
  start_mock(small_data(PageStyle::Offset, 600));
  mock::HttpFaultRule slow;
  slow.path_prefix = "/items";
  slow.delay_ms = 40;  // pages arrive slowly enough for the sessions to be cut mid-run
  slow.times = 1000;
  mock_->add_fault(slow);
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

}  // namespace
}  // namespace tributary::testing
