// Tests of the generic REST mock's deletions (mock/rest/): remove() and restore(), the
// GET /items/deleted feed (since/until window, offset paging, errors, auth, faults) and the
// /__admin controls, over real HTTP on 127.0.0.1.
#include <gtest/gtest.h>
#include <httplib.h>
#include <simdjson.h>

#include <algorithm>
#include <thread>

#include "mock/common/rfc3339.hpp"
#include "mock/rest/rest_mock.hpp"

namespace qm = tributary::mock;

namespace {

constexpr std::int64_t kMicrosPerMilli = 1000;

std::vector<int> ids_of(simdjson::dom::array rows) {
  std::vector<int> out;
  for (auto row : rows) out.push_back(static_cast<int>(row["id"].get_int64().value()));
  return out;
}

// Polls the clock until a millisecond later than `us` has begun, so the next change the mock
// stamps gets a later deletion or update time than `us`.
void wait_past_millisecond_of(std::int64_t us) {
  std::int64_t next = (us / kMicrosPerMilli + 1) * kMicrosPerMilli;
  while (qm::now_utc_us() < next) std::this_thread::yield();
}

class MockRestDeleted : public ::testing::Test {
 protected:
  void SetUp() override { start(options(30)); }

  static qm::RestMockOptions options(int records) {
    qm::RestMockOptions o;
    o.records = records;
    return o;
  }

  void start(qm::RestMockOptions o) {
    cli_.reset();
    mock_ = std::make_unique<qm::RestMock>(o);
    mock_->start();
    cli_ = std::make_unique<httplib::Client>(mock_->base_url());
    cli_->set_url_encode(false);  // targets go out exactly as written
  }

  httplib::Result get(const std::string& target, httplib::Headers headers = {}) { return cli_->Get(target, headers); }
  httplib::Result post(const char* path, const std::string& body) { return cli_->Post(path, body, "application/json"); }

  // Removes `ids` in one call and returns the deletion time the mock gave them.
  std::int64_t remove_now(const std::vector<int>& ids) {
    mock_->remove(ids);
    return deleted_at(ids.front());
  }

  std::int64_t deleted_at(int id) const {
    for (const auto& r : mock_->deleted()) {
      if (r.id == id) return *qm::parse_rfc3339_us(r.updated_at_utc);
    }
    ADD_FAILURE() << "id " << id << " is not deleted";
    return 0;
  }

  // Ids of GET /items/deleted?<query>, checking the 200 and that `total` equals `total`.
  std::vector<int> feed(const std::string& query, std::int64_t total) {
    auto r = get("/items/deleted?" + query);
    EXPECT_EQ(r->status, 200) << query << " " << r->body;
    auto doc = parser_.parse(r->body);
    EXPECT_EQ(doc["total"].get_int64().value(), total) << query;
    return ids_of(doc["deleted"].get_array());
  }

  qm::RestRecord record(int id) const {
    for (const auto& r : mock_->records()) {
      if (r.id == id) return r;
    }
    ADD_FAILURE() << "id " << id << " is not live";
    return {};
  }

  std::string name_of(int id) {
    return std::string(parser_.parse(record(id).json)["name"].get_string().value());
  }

  std::vector<int> live_ids() const {
    std::vector<int> out;
    for (const auto& r : mock_->records()) out.push_back(r.id);
    return out;
  }

  std::unique_ptr<qm::RestMock> mock_;
  std::unique_ptr<httplib::Client> cli_;
  simdjson::dom::parser parser_;
};

const std::string kEpoch = "since=1970-01-01T00:00:00Z";

}  // namespace

TEST_F(MockRestDeleted, RemovedRecordsLeaveItemsAndCountsAndJoinTheFeed) {
  std::int64_t before = qm::now_utc_us() / kMicrosPerMilli * kMicrosPerMilli;
  mock_->remove({5, 17, 0, 99});  // 0 and 99 are unknown: ignored
  std::int64_t after = qm::now_utc_us();
  auto deleted = mock_->deleted();
  ASSERT_EQ(deleted.size(), 2u);
  EXPECT_EQ(deleted[0].id, 5);
  EXPECT_EQ(deleted[1].id, 17);
  EXPECT_EQ(deleted[0].updated_at_utc, deleted[1].updated_at_utc);  // one instant per call
  std::int64_t t = deleted_at(5);
  EXPECT_EQ(t % kMicrosPerMilli, 0);
  EXPECT_GE(t, before);
  EXPECT_LE(t, after);
  EXPECT_EQ(deleted[0].json, R"({"id":5,"deleted_at":")" + deleted[0].updated_at_utc + "\"}");

  auto live = live_ids();
  EXPECT_EQ(live.size(), 28u);
  EXPECT_EQ(std::count(live.begin(), live.end(), 5) + std::count(live.begin(), live.end(), 17), 0);
  auto page = parser_.parse(get("/items?limit=100")->body);
  EXPECT_EQ(page["total"].get_int64().value(), 28);
  auto served = ids_of(page["items"].get_array());
  std::sort(served.begin(), served.end());
  EXPECT_EQ(served, live);
  EXPECT_EQ(get("/items/count")->body, R"({"count":28})");
  EXPECT_EQ(parser_.parse(get("/__admin/records/items")->body).get_array().size(), 28u);
  std::string at = deleted[0].updated_at_utc;
  EXPECT_EQ(get("/items/deleted?since=" + at)->body,
            R"({"deleted":[{"id":5,"deleted_at":")" + at + R"("},{"id":17,"deleted_at":")" + at + R"("}],"total":2})");

  mock_->remove({5});  // already removed: keeps its first deletion time
  mock_->touch({17});  // a removed record cannot be touched back into /items
  EXPECT_EQ(deleted_at(5), t);
  EXPECT_EQ(live_ids().size(), 28u);
}

TEST_F(MockRestDeleted, FeedWindowIsSinceInclusiveUntilExclusiveOrderedByTimeThenId) {
  std::int64_t t1 = remove_now({7});
  wait_past_millisecond_of(t1);
  std::int64_t t2 = remove_now({9, 4});
  wait_past_millisecond_of(t2);
  std::int64_t t3 = remove_now({2});
  ASSERT_LT(t1, t2);
  ASSERT_LT(t2, t3);
  auto at = [](std::int64_t us) { return qm::format_rfc3339_ms(us); };
  EXPECT_EQ(feed(kEpoch, 4), (std::vector<int>{7, 4, 9, 2}));  // by deletion time, ties by id
  EXPECT_EQ(feed("since=" + at(t1), 4), (std::vector<int>{7, 4, 9, 2}));
  EXPECT_EQ(feed("since=" + at(t1 + kMicrosPerMilli), 3), (std::vector<int>{4, 9, 2}));
  EXPECT_EQ(feed("since=" + at(t2), 3), (std::vector<int>{4, 9, 2}));
  EXPECT_EQ(feed("since=" + at(t1) + "&until=" + at(t2), 1), (std::vector<int>{7}));
  EXPECT_EQ(feed("since=" + at(t2) + "&until=" + at(t3), 2), (std::vector<int>{4, 9}));
  EXPECT_EQ(feed("since=" + at(t3) + "&until=" + at(t3), 0), std::vector<int>{});
  EXPECT_EQ(feed("since=" + at(t3 + kMicrosPerMilli), 0), std::vector<int>{});
  // An offset other than Z names the same instant (a '+' must be sent as %2B).
  std::string plus_one = qm::format_rfc3339_ms(t2 + 3600LL * 1000000).substr(0, 23) + "%2B01:00";
  EXPECT_EQ(feed("since=" + plus_one, 3), (std::vector<int>{4, 9, 2}));
  // The /items filters do not apply to the feed.
  EXPECT_EQ(feed(kEpoch + "&updated_since=2999-01-01T00:00:00Z", 4).size(), 4u);
}

TEST_F(MockRestDeleted, FeedPagesWithOffsetAndLimitAndClampsTheLimitSilently) {
  qm::RestMockOptions o = options(30);
  o.default_limit = 4;
  o.max_limit = 5;
  start(o);
  std::vector<int> gone = {3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 1};
  mock_->remove(gone);  // one instant: id order
  std::sort(gone.begin(), gone.end());
  std::vector<int> walked;
  for (int offset = 0; offset < 20; offset += 5) {
    auto page = feed(kEpoch + "&limit=5&offset=" + std::to_string(offset), 11);
    walked.insert(walked.end(), page.begin(), page.end());
  }
  EXPECT_EQ(walked, gone);
  EXPECT_EQ(feed(kEpoch, 11), std::vector<int>(gone.begin(), gone.begin() + 4));   // default_limit
  EXPECT_EQ(feed(kEpoch + "&limit=1000", 11).size(), 5u);                          // max_limit
  EXPECT_EQ(feed(kEpoch + "&offset=10&limit=5", 11), std::vector<int>{30});
  EXPECT_EQ(feed(kEpoch + "&offset=11", 11), std::vector<int>{});
}

TEST_F(MockRestDeleted, RestoreBringsARecordBackTouchedAndTakesItOffTheFeed) {
  std::string name = name_of(8);
  std::int64_t t = remove_now({8, 11});
  wait_past_millisecond_of(t);
  mock_->restore({8, 12, 0});  // 12 is live and 0 unknown: both ignored
  auto live = live_ids();
  EXPECT_EQ(live.size(), 29u);
  const qm::RestRecord back = record(8);
  EXPECT_GT(*qm::parse_rfc3339_us(back.updated_at_utc), t);
  EXPECT_EQ(name_of(8), name + " (rev 1)");
  EXPECT_EQ(name_of(12).find("(rev"), std::string::npos);
  EXPECT_EQ(feed(kEpoch, 1), std::vector<int>{11});
  EXPECT_EQ(mock_->deleted().size(), 1u);
  // The restored record is the newest change, so it comes last in /items.
  auto page = parser_.parse(get("/items?limit=100&updated_since=" + back.updated_at_utc)->body);
  EXPECT_EQ(ids_of(page["items"].get_array()), std::vector<int>{8});
  EXPECT_EQ(get("/items/count")->body, R"({"count":29})");
}

TEST_F(MockRestDeleted, MissingOrBadParametersAre400) {
  mock_->remove({1});
  auto missing = get("/items/deleted");
  EXPECT_EQ(missing->status, 400);
  EXPECT_EQ(missing->body, R"({"error":"missing parameter 'since'"})");
  EXPECT_EQ(get("/items/deleted?until=2030-01-01T00:00:00Z")->status, 400);
  for (const char* bad : {"since=yesterday", "since=", "since=2024-01-01T00:00:00", "since=2024-01-01"}) {
    auto r = get(std::string("/items/deleted?") + bad);
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_EQ(r->body, R"({"error":"invalid parameter 'since'"})") << bad;
  }
  EXPECT_EQ(get("/items/deleted?" + kEpoch + "&until=soon")->body, R"({"error":"invalid parameter 'until'"})");
  EXPECT_EQ(get("/items/deleted?" + kEpoch + "&limit=0")->body, R"({"error":"invalid parameter 'limit'"})");
  EXPECT_EQ(get("/items/deleted?" + kEpoch + "&offset=-1")->body, R"({"error":"invalid parameter 'offset'"})");
}

TEST_F(MockRestDeleted, AdminRemoveRestoreAndDeletedRecords) {
  EXPECT_EQ(post("/__admin/remove", R"({"ids":[2,3]})")->status, 200);
  EXPECT_EQ(live_ids().size(), 28u);
  auto records = parser_.parse(get("/__admin/records/deleted")->body);
  EXPECT_EQ(ids_of(records.get_array()), (std::vector<int>{2, 3}));
  EXPECT_EQ(post("/__admin/restore", R"({"ids":[3]})")->status, 200);
  EXPECT_EQ(feed(kEpoch, 1), std::vector<int>{2});
  EXPECT_NE(name_of(3).find("(rev 1)"), std::string::npos);
  for (const char* path : {"/__admin/remove", "/__admin/restore"}) {
    EXPECT_EQ(post(path, R"({"ids":["2"]})")->status, 400) << path;
    EXPECT_EQ(post(path, R"({"ids":[2],"at":"now"})")->status, 400) << path;
    EXPECT_EQ(post(path, "{}")->status, 400) << path;
  }
  EXPECT_EQ(mock_->deleted().size(), 1u);
}

TEST_F(MockRestDeleted, FeedIsBehindAuthAndGoesThroughFaultsAndTheLog) {
  qm::RestMockOptions o = options(10);
  o.auth = qm::RestAuth::Bearer;
  start(o);
  mock_->remove({4});
  mock_->touch_on_request(1, {6});
  const httplib::Headers auth = {{"Authorization", "Bearer rest-dev-token"}};
  auto anonymous = get("/items/deleted");  // auth comes before parameter checks
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(anonymous->body, R"({"error":"unauthorized"})");
  EXPECT_EQ(anonymous->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(get("/items/deleted?" + kEpoch, {{"Authorization", "Bearer nope"}})->status, 401);
  EXPECT_EQ(get("/items/deleted?" + kEpoch, auth)->status, 200);

  qm::HttpFaultRule fault;
  fault.path_prefix = "/items/deleted";
  fault.status = 503;
  mock_->add_fault(fault);
  auto faulted = get("/items/deleted?" + kEpoch, auth);
  EXPECT_EQ(faulted->status, 503);
  EXPECT_EQ(faulted->body, R"({"error":"service_unavailable"})");
  EXPECT_EQ(get("/items/deleted?" + kEpoch, auth)->status, 200);
  // Feed requests are not page requests: the hook waits for the first GET /items.
  EXPECT_EQ(name_of(6).find("(rev"), std::string::npos);
  EXPECT_EQ(get("/items?limit=1", auth)->status, 200);  // the fault's prefix spares /items
  EXPECT_NE(name_of(6).find("(rev 1)"), std::string::npos);

  auto s = mock_->stats();
  EXPECT_EQ(s.requests, 6);
  EXPECT_EQ(s.faults_served, 1);
  EXPECT_EQ(s.by_status[401], 2);
  EXPECT_EQ(s.by_status[503], 1);
  EXPECT_EQ(s.targets[0], "/items/deleted");
  EXPECT_EQ(s.targets[4], "/items/deleted?" + kEpoch);
}
