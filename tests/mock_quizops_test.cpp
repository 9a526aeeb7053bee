// Tests of the QuizOps mock (mock/quizops/) and the mock/common pieces it is built from:
// FastAPI-style auth and validation, keyset cursors, window boundaries, faults, admin
// endpoints, over real HTTP on 127.0.0.1.
#include <gtest/gtest.h>
#include <httplib.h>
#include <simdjson.h>

#include <chrono>
#include <map>
#include <set>

#include "mock/common/base64.hpp"
#include "mock/common/keyset.hpp"
#include "mock/common/rfc3339.hpp"
#include "mock/quizops/quizops_mock.hpp"

namespace qm = tributary::mock;

namespace {

const char* const kToken = "quizops-dev-token";
constexpr std::int64_t kDayUs = 86400LL * 1000000;

qm::QuizopsMockOptions small_data() {
  qm::QuizopsMockOptions o;
  o.quizzes = 12;
  o.attempts = 300;
  o.answers = 1200;
  return o;
}

// One page of /attempts or /answers, reduced to what the tests compare.
struct ChangesPage {
  int status = 0;
  std::vector<std::string> keys;  // id, or attempt_id|question_id
  std::vector<std::int64_t> updated_us;
  std::map<std::string, std::string> json_by_key;
  std::optional<std::string> next_cursor;
};

std::string key_of(simdjson::dom::object o) {
  std::string_view id;
  if (!o["id"].get(id)) return std::string(id);
  return std::string(o["attempt_id"].get_string().value()) + "|" + std::string(o["question_id"].get_string().value());
}

ChangesPage parse_changes(const httplib::Result& r) {
  ChangesPage page;
  page.status = r->status;
  if (r->status != 200) return page;
  simdjson::dom::parser p;
  auto doc = p.parse(r->body);
  for (simdjson::dom::object o : doc["data"].get_array()) {
    page.keys.push_back(key_of(o));
    page.updated_us.push_back(*qm::parse_rfc3339_us(o["updated_at"].get_string().value()));
    page.json_by_key[page.keys.back()] = simdjson::minify(o);
  }
  std::string_view next;
  if (!doc["next_cursor"].get(next)) page.next_cursor = std::string(next);
  return page;
}

class MockQuizopsHttp : public ::testing::Test {
 protected:
  void SetUp() override { start(small_data()); }

  void start(const qm::QuizopsMockOptions& options) {
    cli_.reset();
    mock_ = std::make_unique<qm::QuizopsMock>(options);
    mock_->start();
    cli_ = std::make_unique<httplib::Client>(mock_->base_url());
  }

  httplib::Result get(const std::string& path, const httplib::Params& params = {}, const std::string& token = kToken) {
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    return cli_->Get(path, params, h);
  }

  ChangesPage changes(const std::string& kind, httplib::Params params) { return parse_changes(get("/" + kind, params)); }

  // Follows next_cursor to the end; `between_pages(n)` runs after page n (1-based).
  std::vector<ChangesPage> walk(const std::string& kind, httplib::Params params,
                                const std::function<void(int)>& between_pages = {}) {
    std::vector<ChangesPage> pages;
    for (std::optional<std::string> cursor;;) {
      httplib::Params p = params;
      if (cursor) p.emplace("cursor", *cursor);
      pages.push_back(changes(kind, p));
      EXPECT_EQ(pages.back().status, 200);
      if (pages.back().status != 200 || !pages.back().next_cursor || pages.size() > 1000) return pages;
      cursor = pages.back().next_cursor;
      if (between_pages) between_pages(static_cast<int>(pages.size()));
    }
  }

  static std::vector<std::string> keys_of(const std::vector<ChangesPage>& pages) {
    std::vector<std::string> out;
    for (const auto& p : pages) out.insert(out.end(), p.keys.begin(), p.keys.end());
    return out;
  }

  // Keys of records with from <= updated_at < before, per the C++ API.
  std::set<std::string> expected(const std::string& kind, std::int64_t from, std::int64_t before) const {
    std::set<std::string> out;
    for (const auto& r : mock_->records(kind)) {
      std::int64_t t = *qm::parse_rfc3339_us(r.updated_at_utc);
      if (t >= from && t < before) out.insert(r.key);
    }
    return out;
  }

  std::unique_ptr<qm::QuizopsMock> mock_;
  std::unique_ptr<httplib::Client> cli_;
};

}  // namespace

// ---- pure parts (mock/common) ------------------------------------------------------------

TEST(MockQuizopsTimestamps, ParsesRfc3339WithMicrosecondsAndOffsets) {
  std::int64_t base = *qm::parse_rfc3339_us("2024-03-01T10:00:00Z");
  EXPECT_EQ(qm::parse_rfc3339_us("2024-03-01T10:00:00.123456Z"), base + 123456);
  EXPECT_EQ(qm::parse_rfc3339_us("2024-03-01T10:00:00.5+00:00"), base + 500000);
  EXPECT_EQ(qm::parse_rfc3339_us("2024-03-01T11:30:00+01:30"), base);
  EXPECT_EQ(qm::parse_rfc3339_us("2024-03-01T10:00:00.123456789Z"), base + 123456);  // truncated
  EXPECT_FALSE(qm::parse_rfc3339_us("2024-03-01T10:00:00 00:00"));  // '+' decoded to a space
  EXPECT_FALSE(qm::parse_rfc3339_us("2024-03-01T10:00:00"));        // no offset
  EXPECT_FALSE(qm::parse_rfc3339_us("2024-02-30T10:00:00Z"));
  EXPECT_FALSE(qm::parse_rfc3339_us("2024-03-01T10:00:00.Z"));
  EXPECT_EQ(qm::format_rfc3339_us(base + 7), "2024-03-01T10:00:00.000007Z");
  EXPECT_EQ(qm::format_rfc3339_ms(base + 123999), "2024-03-01T10:00:00.123Z");
  EXPECT_EQ(qm::format_python_isoformat(base), "2024-03-01T10:00:00+00:00");
  EXPECT_EQ(qm::format_python_isoformat(base + 10), "2024-03-01T10:00:00.000010+00:00");
  EXPECT_EQ(qm::parse_time_option_us("2024-03-01"), base - 10 * 3600LL * 1000000);
}

TEST(MockQuizopsCursor, RoundTripsAndRejectsGarble) {
  qm::KeysetPosition p{1709287200123456, "a|b"};
  std::string c = qm::encode_keyset_cursor(p);
  EXPECT_EQ(c.find_first_of("+/="), std::string::npos);
  EXPECT_EQ(qm::decode_keyset_cursor(c), p);
  EXPECT_FALSE(qm::decode_keyset_cursor(""));
  EXPECT_FALSE(qm::decode_keyset_cursor("not a cursor"));
  EXPECT_FALSE(qm::decode_keyset_cursor(qm::base64url_encode("k1|12|key")));  // no check value
  std::string text = *qm::base64url_decode(c);
  text[4] = text[4] == '7' ? '8' : '7';  // another position, stale check value
  EXPECT_FALSE(qm::decode_keyset_cursor(qm::base64url_encode(text)));
  EXPECT_FALSE(qm::decode_keyset_cursor(c + "A"));
}

// ---- auth, health, validation ------------------------------------------------------------

TEST_F(MockQuizopsHttp, HealthIsOpenAndTheApiWantsTheBearerToken) {
  auto health = get("/health", {}, "");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, R"({"status":"ok"})");
  for (const std::string token : {"", "wrong-token"}) {
    for (const char* path : {"/quizzes", "/attempts", "/answers"}) {
      auto r = get(path, {}, token);
      EXPECT_EQ(r->status, 401) << path;
      EXPECT_EQ(r->body, R"({"detail":"Not authenticated"})");
      EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer");
    }
  }
  auto lower = cli_->Get("/quizzes", {{"Authorization", std::string("bearer ") + kToken}});
  EXPECT_EQ(lower->status, 200);  // the scheme is case-insensitive
  EXPECT_EQ(get("/nope")->body, R"({"detail":"Not Found"})");
}

TEST_F(MockQuizopsHttp, QuizzesAreARootArrayOrderedByIdWithLimitAndOffset) {
  std::vector<std::string> ids;
  for (int offset = 0;; offset += 5) {
    auto r = get("/quizzes", {{"limit", "5"}, {"offset", std::to_string(offset)}});
    ASSERT_EQ(r->status, 200);
    simdjson::dom::parser p;
    simdjson::dom::array arr = p.parse(r->body).get_array();
    if (arr.size() == 0) break;
    for (auto q : arr) {
      ids.emplace_back(q["id"].get_string().value());
      EXPECT_EQ(q["question_count"].get_int64().value() >= 5, true);
    }
  }
  EXPECT_EQ(ids.size(), 12u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  simdjson::dom::parser p;
  EXPECT_EQ(p.parse(get("/quizzes")->body).get_array().size(), 12u);  // default limit 50
}

TEST_F(MockQuizopsHttp, ValidationErrorsAreFastApi422s) {
  EXPECT_EQ(get("/quizzes", {{"limit", "201"}})->body,
            R"({"detail":[{"loc":["query","limit"],"msg":"ensure this value is less than or equal to 200","type":"value_error.number.not_le"}]})");
  auto both = get("/attempts", {{"limit", "0"}, {"updated_since", "yesterday"}});
  EXPECT_EQ(both->status, 422);
  EXPECT_EQ(both->body,
            R"({"detail":[{"loc":["query","updated_since"],"msg":"invalid datetime format","type":"value_error.datetime"},)"
            R"({"loc":["query","limit"],"msg":"ensure this value is greater than or equal to 1","type":"value_error.number.not_ge"}]})");
  EXPECT_EQ(get("/answers", {{"limit", "501"}})->status, 422);
  EXPECT_EQ(get("/answers", {{"limit", "500"}})->status, 200);
  EXPECT_EQ(get("/quizzes", {{"offset", "x"}})->status, 422);
  // An unencoded '+' reaches the server as a space: 422, while %2B works.
  httplib::Headers h{{"Authorization", std::string("Bearer ") + kToken}};
  cli_->set_url_encode(false);  // send the '+' raw, as a careless client would
  EXPECT_EQ(cli_->Get("/attempts?updated_since=2024-01-02T00:00:00+00:00", h)->status, 422);
  EXPECT_EQ(cli_->Get("/attempts?updated_since=2024-01-02T00:00:00%2B00:00", h)->status, 200);
  for (const char* bad : {"garbage", "", "azF8MTIzfA"}) {
    auto r = get("/attempts", {{"cursor", bad}});
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_EQ(r->body, R"({"detail":"invalid cursor"})");
  }
}

// ---- paging and windows ------------------------------------------------------------------

TEST_F(MockQuizopsHttp, CursorWalkVisitsEveryAttemptOnceInKeysetOrder) {
  auto pages = walk("attempts", {{"limit", "37"}});
  auto keys = keys_of(pages);
  EXPECT_EQ(keys.size(), 300u);
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()), expected("attempts", INT64_MIN, INT64_MAX));
  EXPECT_EQ(pages.size(), 9u);  // 8 x 37 + 4: the last page carries next_cursor null, no empty page
  EXPECT_EQ(pages.back().keys.size(), 4u);
  std::vector<std::pair<std::int64_t, std::string>> order;
  for (const auto& p : pages) {
    for (std::size_t i = 0; i < p.keys.size(); ++i) order.emplace_back(p.updated_us[i], p.keys[i]);
  }
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
}

TEST_F(MockQuizopsHttp, AnswersHaveUniqueCompositeKeysAndTiesAreBrokenByKey) {
  start(qm::QuizopsMockOptions{});  // the default 20 quizzes, 2000 attempts, 10000 answers
  auto keys = keys_of(walk("answers", {{"limit", "500"}}));
  EXPECT_EQ(keys.size(), 10000u);
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), 10000u);

  // The first day holds attempt 1's answers, all saved at exactly 2024-01-01T00:00:00Z: pages of
  // 2 split that tie, and the walk must still return each exactly once.
  httplib::Params day{{"updated_since", "2024-01-01T00:00:00Z"}, {"updated_before", "2024-01-02T00:00:00Z"}, {"limit", "2"}};
  auto small = keys_of(walk("answers", day));
  std::int64_t start = *qm::parse_rfc3339_us("2024-01-01T00:00:00Z");
  auto want = expected("answers", start, start + kDayUs);
  EXPECT_EQ(small.size(), want.size());
  EXPECT_EQ(std::set<std::string>(small.begin(), small.end()), want);
  int on_start = 0;
  for (const auto& r : mock_->records("answers")) on_start += r.updated_at_utc == "2024-01-01T00:00:00.000000Z";
  EXPECT_GE(on_start, 5);
}

TEST_F(MockQuizopsHttp, WindowsAreHalfOpenAtRecordsOnMidnights) {
  std::map<std::int64_t, int> on_midnight;
  for (const auto& r : mock_->records("attempts")) {
    std::int64_t t = *qm::parse_rfc3339_us(r.updated_at_utc);
    if (t % kDayUs == 0) on_midnight[t] += 1;
  }
  ASSERT_GE(on_midnight.size(), 3u);
  std::int64_t m = std::next(on_midnight.begin())->first;  // not the range start
  auto window = [&](std::int64_t from, std::int64_t before) {
    auto keys = keys_of(walk("attempts", {{"updated_since", qm::format_rfc3339_us(from)},
                                          {"updated_before", qm::format_rfc3339_us(before)}, {"limit", "500"}}));
    return std::set<std::string>(keys.begin(), keys.end());
  };
  auto day_before = window(m - kDayUs, m), day_of = window(m, m + kDayUs);
  EXPECT_EQ(day_before, expected("attempts", m - kDayUs, m));
  EXPECT_EQ(day_of, expected("attempts", m, m + kDayUs));
  for (const auto& r : mock_->records("attempts")) {
    if (*qm::parse_rfc3339_us(r.updated_at_utc) != m) continue;
    EXPECT_TRUE(day_of.count(r.key));
    EXPECT_FALSE(day_before.count(r.key));
  }
  // The same instant written with an offset selects the same records.
  auto offset_form = keys_of(walk("attempts", {{"updated_since", qm::format_rfc3339_us(m).substr(0, 10) + "T01:00:00+01:00"},
                                               {"updated_before", qm::format_rfc3339_us(m + kDayUs)}}));
  EXPECT_EQ(std::set<std::string>(offset_form.begin(), offset_form.end()), day_of);
}

// Touches two records already returned and two not yet, after page 2 of a walk.
TEST_F(MockQuizopsHttp, TouchedRecordsMoveToTheEndAndNoUnchangedRecordIsSkipped) {
  auto before = keys_of(walk("attempts", {{"limit", "500"}}));
  ASSERT_EQ(before.size(), 300u);
  const std::vector<std::string> touched{before[3], before[60], before[200], before[250]};
  auto run = [&](httplib::Params params) {
    std::map<std::string, int> seen;
    std::vector<std::string> order;
    for (const auto& p : walk("attempts", params, [&](int page) {
           if (page == 2) mock_->touch("attempts", touched);
         })) {
      for (const auto& k : p.keys) {
        seen[k] += 1;
        order.push_back(k);
      }
    }
    return std::make_pair(seen, order);
  };
  auto [open_seen, open_order] = run({{"limit", "50"}});
  for (const auto& k : before) {
    bool is_touched = std::find(touched.begin(), touched.end(), k) != touched.end();
    if (!is_touched) {
      EXPECT_EQ(open_seen[k], 1) << k;
    }
  }
  EXPECT_EQ(open_seen[before[3]], 2);  // before the touch, and again at its new place
  EXPECT_EQ(open_seen[before[60]], 2);
  EXPECT_EQ(open_seen[before[200]], 1);
  EXPECT_EQ(std::set<std::string>(open_order.end() - 4, open_order.end()),
            std::set<std::string>(touched.begin(), touched.end()));

  // A closed window on fresh data: touched records leave it, and still no unchanged record
  // is skipped.
  start(small_data());
  auto [closed_seen, closed_order] = run({{"limit", "50"}, {"updated_before", "2024-04-01T00:00:00Z"}});
  for (const auto& k : before) {
    bool is_touched = std::find(touched.begin(), touched.end(), k) != touched.end();
    if (!is_touched) {
      EXPECT_EQ(closed_seen[k], 1) << k;
    }
  }
  EXPECT_EQ(closed_seen.count(before[250]), 0u);
  EXPECT_EQ(closed_order.size(), 300u - 2u);
}

TEST_F(MockQuizopsHttp, TouchChangesThePayloadAndUpdatedAt) {
  auto old_records = mock_->records("answers");
  const auto& victim = old_records[5];
  auto before_touch = qm::now_utc_us();
  mock_->touch("answers", {victim.key, "no-such|key"});
  auto now = mock_->records("answers");
  EXPECT_NE(now[5].json, victim.json);
  EXPECT_GE(*qm::parse_rfc3339_us(now[5].updated_at_utc), before_touch);
  EXPECT_EQ(now[6].json, old_records[6].json);
  EXPECT_THROW(mock_->touch("bogus", {}), std::invalid_argument);
  EXPECT_THROW(mock_->records("bogus"), std::invalid_argument);
}

TEST_F(MockQuizopsHttp, RepeatCursorOnceHandsTheGivenCursorBack) {
  auto first = changes("answers", {{"limit", "10"}});
  ASSERT_TRUE(first.next_cursor);
  mock_->repeat_cursor_once();
  EXPECT_EQ(changes("answers", {{"limit", "10"}}).next_cursor, first.next_cursor);  // no cursor: flag kept
  auto repeated = changes("answers", {{"limit", "10"}, {"cursor", *first.next_cursor}});
  EXPECT_EQ(repeated.next_cursor, first.next_cursor);
  EXPECT_EQ(repeated.keys.size(), 10u);
  auto again = changes("answers", {{"limit", "10"}, {"cursor", *first.next_cursor}});
  EXPECT_EQ(again.keys, repeated.keys);
  EXPECT_NE(again.next_cursor, first.next_cursor);  // only once
}

// ---- faults, stats, admin ----------------------------------------------------------------

TEST_F(MockQuizopsHttp, InjectedStatusesHaveFastApiBodiesAndFollowSkipAndTimes) {
  qm::HttpFaultRule throttle;
  throttle.path_prefix = "/attempts";
  throttle.skip = 1;
  throttle.status = 429;
  throttle.retry_after_seconds = 3;
  mock_->add_fault(throttle);
  qm::HttpFaultRule crash;
  crash.path_prefix = "/attempts";
  crash.status = 500;
  crash.times = 2;
  mock_->add_fault(crash);
  EXPECT_EQ(get("/answers")->status, 200);  // other prefix
  std::vector<int> statuses;
  for (int i = 0; i < 5; ++i) {
    auto r = get("/attempts", {{"limit", "1"}});
    statuses.push_back(r->status);
    if (r->status == 429) {
      EXPECT_EQ(r->body, R"({"detail":"Too Many Requests"})");
      EXPECT_EQ(r->get_header_value("Retry-After"), "3");
    }
    if (r->status == 500) {
      EXPECT_EQ(r->body, "Internal Server Error");
    }
  }
  EXPECT_EQ(statuses, (std::vector<int>{200, 429, 500, 500, 200}));
  auto s = mock_->stats();
  EXPECT_EQ(s.requests, 6);
  EXPECT_EQ(s.faults_served, 3);
  EXPECT_EQ(s.by_status[200], 3);
  EXPECT_EQ(s.targets.at(1), "/attempts?limit=1");
}

TEST_F(MockQuizopsHttp, DelayDropAndMalformedFaults) {
  qm::HttpFaultRule slow;
  slow.delay_ms = 150;
  mock_->add_fault(slow);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(get("/quizzes")->status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(150));

  qm::HttpFaultRule drop;
  drop.drop_connection = true;
  mock_->add_fault(drop);
  EXPECT_FALSE(get("/attempts"));

  qm::HttpFaultRule bad;
  bad.malformed_json = true;
  mock_->add_fault(bad);
  auto m = get("/attempts");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 200);
  simdjson::dom::parser p;
  EXPECT_NE(p.parse(m->body).error(), simdjson::SUCCESS);
  EXPECT_EQ(get("/attempts")->status, 200);
}

TEST_F(MockQuizopsHttp, AdminEndpointsSteerTheMock) {
  auto post = [&](const char* path, const std::string& body) { return cli_->Post(path, body, "application/json"); };
  simdjson::dom::parser p;
  EXPECT_EQ(p.parse(cli_->Get("/__admin/records/quizzes")->body).get_array().size(), 12u);
  EXPECT_EQ(p.parse(cli_->Get("/__admin/records/answers")->body).get_array().size(), 1200u);
  EXPECT_EQ(cli_->Get("/__admin/records/bogus")->status, 400);

  EXPECT_EQ(post("/__admin/fault", R"({"status":503,"retry_after_seconds":2,"path_prefix":"/quizzes"})")->status, 200);
  auto r = get("/quizzes");
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->get_header_value("Retry-After"), "2");
  EXPECT_EQ(post("/__admin/fault", R"({"bogus":1})")->status, 400);
  EXPECT_EQ(post("/__admin/fault", R"({"status":"oops"})")->status, 400);

  std::string key = mock_->records("attempts").at(0).key;
  EXPECT_EQ(post("/__admin/touch", R"({"kind":"attempts","keys":[")" + key + R"("]})")->status, 200);
  EXPECT_GT(mock_->records("attempts").at(0).updated_at_utc, "2024-04-01");
  EXPECT_EQ(post("/__admin/touch", R"({"kind":"attempts"})")->status, 400);

  EXPECT_EQ(post("/__admin/repeat-cursor-once", "")->status, 200);
  auto first = changes("attempts", {{"limit", "5"}});
  EXPECT_EQ(changes("attempts", {{"limit", "5"}, {"cursor", *first.next_cursor}}).next_cursor, first.next_cursor);

  auto stats = p.parse(cli_->Get("/__admin/stats")->body);
  EXPECT_EQ(stats["by_status"]["503"].get_int64().value(), 1);
  EXPECT_EQ(stats["faults_served"].get_int64().value(), 1);
  EXPECT_EQ(stats["targets"].get_array().size(), static_cast<std::size_t>(stats["requests"].get_int64().value()));
}

// ---- data ---------------------------------------------------------------------------------

TEST(MockQuizopsData, IsDeterministicShapedAndOnBoundaries) {
  qm::QuizopsMock a(small_data()), b(small_data());
  auto other_options = small_data();
  other_options.seed = 43;
  qm::QuizopsMock other(other_options);
  EXPECT_EQ(a.records("attempts")[7].json, b.records("attempts")[7].json);
  EXPECT_NE(a.records("attempts")[7].json, other.records("attempts")[7].json);

  simdjson::dom::parser p;
  int midnights = 0, open_attempts = 0, anonymous = 0;
  for (const auto& r : a.records("attempts")) {
    simdjson::dom::object o = p.parse(r.json);
    EXPECT_EQ(o["id"].get_string().value().size(), 36u);
    EXPECT_EQ(o["updated_at"].get_string().value(), r.updated_at_utc);
    EXPECT_GE(r.updated_at_utc, "2024-01-01T00:00:00.000000Z");
    EXPECT_LT(r.updated_at_utc, "2024-04-01T00:00:00.000000Z");
    midnights += r.updated_at_utc.find("T00:00:00.000000Z") != std::string::npos;
    open_attempts += o["submitted_at"].is_null();
    anonymous += o["username"].is_null();
    if (o["submitted_at"].is_null()) {
      EXPECT_TRUE(o["score"].is_null());
    }
  }
  EXPECT_GE(midnights, 5);
  EXPECT_GT(open_attempts, 0);
  EXPECT_GT(anonymous, 0);
  int answers_on_later_midnights = 0;
  for (const auto& r : a.records("answers")) {
    answers_on_later_midnights += r.updated_at_utc.find("T00:00:00.000000Z") != std::string::npos &&
                                  r.updated_at_utc != "2024-01-01T00:00:00.000000Z";
  }
  EXPECT_GE(answers_on_later_midnights, 8);
  simdjson::dom::object answer = p.parse(a.records("answers")[0].json);
  EXPECT_EQ(answer["id"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_LE(answer["chosen_index"].get_int64().value(), 3);

  auto py = small_data();
  py.python_isoformat = true;
  qm::QuizopsMock python(py);
  bool whole_second_seen = false;
  for (const auto& r : python.records("attempts")) {
    if (r.updated_at_utc != "2024-01-01T00:00:00.000000Z") continue;
    whole_second_seen = r.json.find(R"("updated_at":"2024-01-01T00:00:00+00:00")") != std::string::npos;
  }
  EXPECT_TRUE(whole_second_seen);

  auto bad = small_data();
  bad.answers = 1000000;
  EXPECT_THROW(qm::QuizopsMock{bad}, std::invalid_argument);
  bad = small_data();
  bad.data_end_utc = "2023-01-01";
  EXPECT_THROW(qm::QuizopsMock{bad}, std::invalid_argument);
}
