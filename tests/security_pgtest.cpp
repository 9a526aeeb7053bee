// Secrets stay secret, end to end: a backfill with distinctive credentials (bearer token, API
// key in the query, basic password, a `secret_params` value, a param read from a variable the
// file marks secret) at the most verbose log level, succeeding and failing, leaves none of them
// in the output, the error output, any column of any state table or any raw row; the values are
// still sent. And tributary runs as the least-privilege role of sql/roles.sql.
#include <fstream>
#include <sstream>

#include "tests/support/rest_streams.hpp"

namespace tributary::testing {
namespace {

const std::string kToken = "tok-SEC9-bearer-a1b2c3";
const std::string kApiKey = "key-SEC9-query-d4e5f6";
const std::string kPassword = "pw-SEC9-basic-0718aa";
const std::string kSignature = "sig/SEC9+param=bb29";  // URL-encodes differently: both forms are checked
const std::string kMarked = "var-SEC9-marked-cc3d";

struct SecretCase {
  const char* name;
  RestAuth mode;
  std::string auth_yaml;
  std::string credential;
};

const std::vector<SecretCase>& secret_cases() {
  static const std::vector<SecretCase> cases = {
      {"bearer", RestAuth::Bearer, "{kind: bearer, token: \"${REST_SECRET}\"}", kToken},
      {"api_key query", RestAuth::ApiKeyQuery, "{kind: api_key, in: query, name: api_key, value: \"${REST_SECRET}\"}",
       kApiKey},
      {"basic", RestAuth::Basic, "{kind: basic, username: rest-user, password: \"${REST_SECRET}\"}", kPassword},
  };
  return cases;
}

// Offset paging: a next link (next_url, link_header) echoes every param, and the stored
// position is not redacted (docs/connectors.md, §3).
std::string secret_stream() {
  return "path: /items\n"
         "params:\n"
         "  updated_since: \"{window_start}\"\n"
         "  updated_before: \"{window_end}\"\n"
         "  signature: \"${REST_SIGNATURE}\"\n"  // listed in secret_params
         "  tenant_key: \"tk-${REST_MARKED}\"\n"  // a variable listed in secret_variables
         "  auth_copy: \"${REST_SECRET}\"\n"      // the variable auth reads its secret from
         "secret_params: [signature]\n"
         "records: /items\nprimary_key: /id\n" +
         kCursor + "paginator: {kind: offset, total: /total}\n";
}

class Security : public RestConnectors {
 protected:
  mock::RestMockOptions with_credentials(RestAuth mode) const {
    auto o = small_data(PageStyle::Offset, 90);
    o.auth = mode;
    o.token = kToken;
    o.api_key = kApiKey;
    o.password = kPassword;
    return o;
  }

  std::string config_for(const SecretCase& c) const {
    return write_config("secret.yaml", rest_connector_file(c.auth_yaml, secret_stream(), "secret_variables: [REST_MARKED]\n"));
  }

  EnvOverrides secrets(const SecretCase& c) const {
    return {{"REST_SECRET", c.credential}, {"REST_SIGNATURE", kSignature}, {"REST_MARKED", kMarked}};
  }

  ProcessResult run_traced(const std::string& config, const EnvOverrides& env) const {
    return tributary({"--log-level", "trace", "backfill", "--config", config, "--start", kStart, "--end", kEnd,
                      "--workers", "1"},
                     env);
  }

  // Rows of every table in `schema` whose text (all columns, as PostgreSQL prints the row)
  // holds `needle`, as "table: n" lines; "" when none does.
  static std::string rows_holding(const std::string& schema, const std::string& needle) {
    pqxx::connection conn(test_db_url());
    pqxx::work txn(conn);
    std::string found;
    auto tables = txn.exec_params(
        "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables "
        "WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1",
        schema);
    for (const auto& t : tables) {
      auto table = t[0].as<std::string>();
      auto n = txn.exec_params1("SELECT count(*) FROM " + table + " AS r WHERE strpos(r::text, $1) > 0", needle)[0]
                   .as<long long>();
      if (n > 0) found += table + ": " + std::to_string(n) + "\n";
    }
    return found;
  }

  void expect_nowhere(const std::string& secret, const ProcessResult& r) const {
    for (const auto& form : {secret, url_encoded(secret)}) {
      SCOPED_TRACE(form);
      EXPECT_EQ(r.out.find(form), std::string::npos) << r.out;
      EXPECT_EQ(r.err.find(form), std::string::npos) << r.err;
      EXPECT_EQ(rows_holding("state", form), "");
      EXPECT_EQ(rows_holding("raw", form), "");
    }
  }

  void expect_no_secret_anywhere(const SecretCase& c, const ProcessResult& r) const {
    for (const auto& secret : {c.credential, kSignature, kMarked}) expect_nowhere(secret, r);
  }
};

TEST_F(Security, NoSecretIsLoggedOrStoredAndEveryOneIsStillSent) {
  for (const auto& c : secret_cases()) {
    SCOPED_TRACE(c.name);
    reset_database();
    start_mock(with_credentials(c.mode));
    auto r = run_traced(config_for(c), secrets(c));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_exact_load(90);
    // The most verbose level did log, and the checks below can find what is there.
    EXPECT_NE(r.err.find(" debug "), std::string::npos) << "no debug line at --log-level trace\n" << r.err;
    EXPECT_NE(rows_holding("raw", "updated_since"), "");
    EXPECT_NE(rows_holding("state", "items"), "");

    // Sent as configured: every request carries the real values.
    for (const auto& t : targets()) {
      EXPECT_NE(t.find("&signature=" + url_encoded(kSignature) + "&"), std::string::npos) << t;
      EXPECT_NE(t.find("&tenant_key=tk-" + kMarked + "&"), std::string::npos) << t;
      EXPECT_NE(t.find("&auth_copy=" + c.credential), std::string::npos) << t;
    }
    // Stored as ***: the request is still described, the secret values are not.
    EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable +
                     " WHERE request_payload->'params'->>'signature' = '***'"
                     " AND request_payload->'params'->>'tenant_key' = '***'"
                     " AND request_payload->'params'->>'auth_copy' = '***'"
                     " AND request_payload->'params'->>'updated_since' = '2024-01-01T00:00:00Z'"),
              90);
    expect_no_secret_anywhere(c, r);
  }
}

TEST_F(Security, AFailingRunShowsNoSecretInItsErrorsEither) {
  for (const auto& c : secret_cases()) {
    SCOPED_TRACE(c.name);
    reset_database();
    start_mock(with_credentials(c.mode));
    // Page 3 answers 400 (not retried): the window fails with an error in stderr and state.
    mock::HttpFaultRule client_error;
    client_error.path_prefix = "/items";
    client_error.skip = 2;
    client_error.status = 400;
    mock_->add_fault(client_error);
    auto r = run_traced(config_for(c), secrets(c));
    ASSERT_EQ(r.exit_code, 6) << r.err;
    EXPECT_NE(r.err.find("HTTP 400"), std::string::npos) << r.err;
    EXPECT_NE(rows_holding("state", "HTTP 400"), "") << "the error was stored";
    expect_no_secret_anywhere(c, r);

    // A wrong credential: refused (exit 5) with neither the wrong nor the right one shown.
    reset_database();
    auto wrong = secrets(c);
    wrong["REST_SECRET"] = "wrong-SEC9-credential-77ee";
    auto refused = run_traced(config_for(c), wrong);
    EXPECT_EQ(refused.exit_code, 5) << refused.err;
    expect_nowhere("wrong-SEC9-credential-77ee", refused);
    expect_no_secret_anywhere(c, refused);
  }
}

// ---------------------------------------------------------------------------------------------
// Least privilege: the owner migrates and runs sql/roles.sql; a login user granted
// tributary_writer runs the backfill and can do nothing else.

constexpr const char* kWriter = "tributary_test_etl";

class LeastPrivilege : public RestConnectors {
 protected:
  void SetUp() override {
    RestConnectors::SetUp();
    drop_writer();
  }
  void TearDown() override {
    drop_writer();
    RestConnectors::TearDown();
  }

  static void owner_exec(const std::string& sql) {
    pqxx::connection conn(test_db_url());
    pqxx::nontransaction(conn).exec(sql);
  }
  static void drop_writer() {
    owner_exec(std::string("DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = '") + kWriter +
               "') THEN EXECUTE 'DROP OWNED BY " + kWriter + "'; EXECUTE 'DROP ROLE " + kWriter + "'; END IF; END $$");
  }
  static std::string roles_sql() {
    std::ifstream in(source_dir() + "/sql/roles.sql");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // The test database, as the writer.
  static std::string writer_url() {
    pqxx::connection conn(test_db_url());
    return std::string("postgresql://") + kWriter + "@" + conn.hostname() + ":" + conn.port() + "/" + conn.dbname();
  }
  // What PostgreSQL answers the writer for `sql`: "" when it succeeds, else its error message.
  // (libpqxx 6 drops the SQLSTATE of some of these errors, so the message is what is compared.)
  static std::string as_writer(const std::string& sql) {
    pqxx::connection conn(writer_url());
    try {
      pqxx::nontransaction txn(conn);
      txn.exec(sql);
      return "";
    } catch (const std::exception& e) {
      return e.what();
    }
  }
  static bool refused(const std::string& answer) {
    return answer.find("permission denied") != std::string::npos || answer.find("must be owner") != std::string::npos;
  }
  // Who the writer's sessions act as: "session_user/current_user".
  static std::string writer_identity() {
    pqxx::connection conn(writer_url());
    pqxx::nontransaction txn(conn);
    auto row = txn.exec1("SELECT session_user || '/' || current_user");
    return row[0].as<std::string>();
  }
  void grant_writer() {
    owner_exec(roles_sql());
    owner_exec(roles_sql());  // idempotent: run after every migrate
    owner_exec(std::string("CREATE ROLE ") + kWriter + " LOGIN IN ROLE tributary_writer");
    owner_exec(std::string("ALTER ROLE ") + kWriter + " SET role TO tributary_writer");
  }
};

TEST_F(LeastPrivilege, TheWriterRoleRunsABackfillAndNothingElse) {
  start_mock(small_data(PageStyle::Offset, 90));
  auto config = write_config("lp.yaml", rest_connector_file("", offset_stream()));
  // The owner creates the schemas; raw.rest_items is left for the writer to create on first use.
  ASSERT_EQ(tributary({"migrate"}).exit_code, 0);
  grant_writer();
  EnvOverrides as_writer_env{{"TRIBUTARY_DB_URL", writer_url()}};
  ASSERT_EQ(writer_identity(), std::string(kWriter) + "/tributary_writer");

  auto r = backfill(config, kStart, kEnd, {}, as_writer_env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_exact_load(90);
  EXPECT_EQ(text(std::string("SELECT tableowner FROM pg_tables WHERE schemaname = 'raw' AND tablename = 'rest_items'")),
            "tributary_writer");
  auto again = backfill(config, kStart, kEnd, {}, as_writer_env);  // a second run re-extracts
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto status = tributary({"status", "--run", "1"}, as_writer_env);
  EXPECT_EQ(status.exit_code, 0) << status.err;

  // Nothing else: no DDL in state, no schema, no ledger edits, no other schema's tables.
  EXPECT_PRED1(refused, as_writer("CREATE TABLE state.evil (x int)"));
  EXPECT_PRED1(refused, as_writer("CREATE SCHEMA evil"));
  EXPECT_PRED1(refused, as_writer("DROP TABLE state.windows"));
  EXPECT_PRED1(refused, as_writer("INSERT INTO state.schema_migrations (version) VALUES ('x')"));
  EXPECT_PRED1(refused, as_writer("CREATE TABLE public.evil (x int)"));
  EXPECT_EQ(as_writer("SELECT count(*) FROM state.runs"), "");
  EXPECT_EQ(as_writer(std::string("UPDATE ") + kRestTable + " SET page_size = page_size"), "");
  // Schema changes are the owner's: migrate as the writer is refused with the database's code.
  EXPECT_EQ(tributary({"migrate"}, as_writer_env).exit_code, 4);
}

TEST_F(LeastPrivilege, TheWriterWritesRawTablesTheOwnerCreated) {
  start_mock(small_data(PageStyle::Offset, 90));
  auto config = write_config("lp.yaml", rest_connector_file("", offset_stream()));
  ASSERT_EQ(tributary({"migrate", "--config", config}).exit_code, 0);  // raw.rest_items too, owned by the owner
  grant_writer();
  auto r = backfill(config, kStart, kEnd, {}, {{"TRIBUTARY_DB_URL", writer_url()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_exact_load(90);
  EXPECT_PRED1(refused, as_writer(std::string("DROP TABLE ") + kRestTable)) << "only its owner may drop it";
  EXPECT_PRED1(refused, as_writer(std::string("TRUNCATE ") + kRestTable));
}

}  // namespace
}  // namespace tributary::testing
