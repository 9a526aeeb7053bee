// Tests of the generic REST mock's later additions (mock/rest/): the json-server 1.0 page style
// (page_json), raw payloads (set_payload), touch hooks fired by the nth /items request
// (touch_on_request) and split Link header lines, over real HTTP on 127.0.0.1. The walks every
// style shares (every record once, short pages, repeated tokens) are in mock_rest_test.cpp.
#include <gtest/gtest.h>
#include <httplib.h>
#include <simdjson.h>

#include <algorithm>
#include <deque>
#include <stdexcept>

#include "mock/common/base64.hpp"
#include "mock/common/rfc3339.hpp"
#include "mock/rest/rest_mock.hpp"

namespace qm = tributary::mock;

namespace {

std::vector<int> ids_of(simdjson::dom::array rows) {
  std::vector<int> out;
  for (auto row : rows) out.push_back(static_cast<int>(row["id"].get_int64().value()));
  return out;
}

class MockRestMore : public ::testing::Test {
 protected:
  void start(qm::RestMockOptions options) {
    cli_.reset();
    mock_ = std::make_unique<qm::RestMock>(options);
    mock_->start();
    cli_ = std::make_unique<httplib::Client>(mock_->base_url());
    cli_->set_url_encode(false);
  }

  httplib::Result get(const std::string& target) { return cli_->Get(target); }
  httplib::Result post(const char* path, const std::string& body) { return cli_->Post(path, body, "application/json"); }

  // The page_json envelope of `target`, parsed by a parser of its own that the test keeps.
  simdjson::dom::element envelope(const std::string& target) {
    auto r = get(target);
    EXPECT_EQ(r->status, 200) << target << " " << r->body;
    return parsers_.emplace_back().parse(r->body);
  }

  // Ids in (updated_at, id) order, as every style serves them.
  std::vector<int> order() const {
    std::vector<std::pair<std::int64_t, int>> rows;
    for (const auto& r : mock_->records()) rows.emplace_back(*qm::parse_rfc3339_us(r.updated_at_utc), r.id);
    std::sort(rows.begin(), rows.end());
    std::vector<int> ids;
    for (const auto& row : rows) ids.push_back(row.second);
    return ids;
  }

  std::string name_of(int id) const {
    simdjson::dom::parser p;
    return std::string(p.parse(mock_->records().at(id - 1).json)["name"].get_string().value());
  }

  std::unique_ptr<qm::RestMock> mock_;
  std::unique_ptr<httplib::Client> cli_;
  simdjson::dom::parser parser_;             // for one-off parses
  std::deque<simdjson::dom::parser> parsers_;  // envelope()'s, never moved
};

qm::RestMockOptions page_json(int records) {
  qm::RestMockOptions o;
  o.style = qm::PageStyle::PageJson;
  o.records = records;
  return o;
}

std::vector<int> slice(const std::vector<int>& ids, std::size_t from, std::size_t count) {
  return {ids.begin() + static_cast<std::ptrdiff_t>(from),
          ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), from + count))};
}

}  // namespace

// ---- page_json (json-server 1.0) ------------------------------------------------------------

TEST_F(MockRestMore, PageJsonEnvelopeMatchesJsonServer) {
  start(page_json(25));
  auto ids = order();
  auto first = get("/items?_page=1&_per_page=10");
  EXPECT_EQ(first->body.rfind(R"({"first":1,"prev":null,"next":2,"last":3,"pages":3,"items":25,"data":[{"id":)", 0),
            0u)
      << first->body;
  EXPECT_FALSE(first->has_header("Link"));
  EXPECT_FALSE(first->has_header("X-Total-Count"));
  EXPECT_EQ(ids_of(parser_.parse(first->body)["data"].get_array()), slice(ids, 0, 10));

  auto middle = envelope("/items?_page=2&_per_page=10");
  EXPECT_EQ(middle["prev"].get_int64().value(), 1);
  EXPECT_EQ(middle["next"].get_int64().value(), 3);
  EXPECT_EQ(ids_of(middle["data"].get_array()), slice(ids, 10, 10));

  auto last = get("/items?_page=3&_per_page=10");
  auto doc = parser_.parse(last->body);
  EXPECT_EQ(doc["prev"].get_int64().value(), 2);
  EXPECT_TRUE(doc["next"].is_null());
  EXPECT_EQ(ids_of(doc["data"].get_array()), slice(ids, 20, 10));
  // Past the last page json-server answers the last page again, byte for byte.
  EXPECT_EQ(get("/items?_page=9&_per_page=10")->body, last->body);
  EXPECT_EQ(get("/items?_per_page=10&_page=2147483647")->body, last->body);
}

TEST_F(MockRestMore, PageJsonFiltersDefaultsAndTheUnpaginatedArray) {
  start(page_json(250));
  auto ids = order();
  auto all = get("/items");  // no _page: every matching record, beyond max_limit, no envelope
  EXPECT_EQ(ids_of(parser_.parse(all->body).get_array()), ids);
  EXPECT_EQ(get("/items?_per_page=0")->status, 200);  // json-server ignores _per_page without _page

  std::string window = "updated_since=2024-01-15T00:00:00Z&updated_before=2024-02-01T00:00:00Z";
  std::vector<int> in_window;
  std::int64_t from = *qm::parse_rfc3339_us("2024-01-15T00:00:00Z"), before = *qm::parse_rfc3339_us("2024-02-01T00:00:00Z");
  for (int id : ids) {
    std::int64_t t = *qm::parse_rfc3339_us(mock_->records()[id - 1].updated_at_utc);
    if (t >= from && t < before) in_window.push_back(id);
  }
  ASSERT_GT(in_window.size(), 10u);
  EXPECT_EQ(ids_of(parser_.parse(get("/items?" + window)->body).get_array()), in_window);
  auto paged = envelope("/items?_page=1&_per_page=7&" + window);
  EXPECT_EQ(paged["items"].get_int64().value(), static_cast<std::int64_t>(in_window.size()));
  EXPECT_EQ(paged["pages"].get_int64().value(), static_cast<std::int64_t>((in_window.size() + 6) / 7));
  EXPECT_EQ(ids_of(paged["data"].get_array()), slice(in_window, 0, 7));

  auto defaulted = envelope("/items?_page=1");  // _per_page: default_limit
  EXPECT_EQ(defaulted["data"].get_array().size(), 50u);
  EXPECT_EQ(defaulted["pages"].get_int64().value(), 5);
  auto empty = get("/items?_page=1&updated_since=2030-01-01T00:00:00Z");
  EXPECT_EQ(empty->body, R"({"first":1,"prev":null,"next":null,"last":1,"pages":1,"items":0,"data":[]})");
}

TEST_F(MockRestMore, PageJsonClampsPerPageSilentlyAndRejectsBadNumbers) {
  start(page_json(250));
  auto clamped = envelope("/items?_page=1&_per_page=1000");
  EXPECT_EQ(clamped["data"].get_array().size(), 100u);  // max_limit
  EXPECT_EQ(clamped["pages"].get_int64().value(), 3);   // from the 100 served, not the 1000 asked
  for (const char* bad : {"_per_page=0", "_per_page=-3", "_per_page=ten", "_per_page=1.5", "_per_page="}) {
    auto r = get(std::string("/items?_page=1&") + bad);
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_EQ(r->body, R"({"error":"invalid parameter '_per_page'"})") << bad;
  }
  for (const char* bad : {"_page=0", "_page=-1", "_page=two", "_page="}) {
    EXPECT_EQ(get(std::string("/items?") + bad)->body, R"({"error":"invalid parameter '_page'"})") << bad;
  }
}

TEST_F(MockRestMore, PageJsonShortPagesAndLyingTotalsDrivePageCount) {
  qm::RestMockOptions o = page_json(25);
  o.short_pages = true;
  start(o);
  auto short_page = envelope("/items?_page=1&_per_page=10");
  EXPECT_EQ(short_page["data"].get_array().size(), 5u);
  EXPECT_EQ(short_page["pages"].get_int64().value(), 5);  // ceil(25 / 5 served)

  o = page_json(25);
  o.total_lies_by = 7;  // items 32: a fourth page that is empty
  start(o);
  auto third = envelope("/items?_page=3&_per_page=10");
  EXPECT_EQ(third["items"].get_int64().value(), 32);
  EXPECT_EQ(third["next"].get_int64().value(), 4);
  auto fourth = envelope("/items?_page=4&_per_page=10");
  EXPECT_EQ(fourth["data"].get_array().size(), 0u);
  EXPECT_TRUE(fourth["next"].is_null());

  o.total_lies_by = -20;  // items 5: one page, and a client trusting it stops after 10 records
  start(o);
  auto lied = envelope("/items?_page=1&_per_page=10");
  EXPECT_EQ(lied["items"].get_int64().value(), 5);
  EXPECT_EQ(lied["last"].get_int64().value(), 1);
  EXPECT_TRUE(lied["next"].is_null());
  EXPECT_EQ(lied["data"].get_array().size(), 10u);
}

// ---- set_payload ------------------------------------------------------------------------------

TEST_F(MockRestMore, SetPayloadServesExactBytesInPlaceAndThroughTouches) {
  qm::RestMockOptions o;
  o.records = 5;
  start(o);
  const std::string raw = std::string("{\"name\":\"bad \xff\xfe byte\",\"note\":\"a\\u0000b\"}");
  const std::string updated_at = mock_->records()[2].updated_at_utc;
  auto ids = order();
  mock_->set_payload(3, raw);
  EXPECT_EQ(mock_->records()[2].json, raw);
  EXPECT_EQ(mock_->records()[2].updated_at_utc, updated_at);
  EXPECT_EQ(order(), ids);
  auto body = [&] {
    std::string rows;
    for (int id : order()) rows += (rows.empty() ? "" : ",") + mock_->records()[id - 1].json;
    return "{\"items\":[" + rows + "],\"total\":5}";
  };
  EXPECT_EQ(get("/items")->body, body());  // the bytes sit where record 3 always sat

  mock_->touch({3});  // moves to the end; the bytes stay
  EXPECT_EQ(mock_->records()[2].json, raw);
  EXPECT_NE(mock_->records()[2].updated_at_utc, updated_at);
  EXPECT_EQ(order().back(), 3);
  std::string after_touch = get("/items")->body;
  EXPECT_EQ(after_touch, body());
  EXPECT_TRUE(after_touch.ends_with(raw + "],\"total\":5}"));
  EXPECT_THROW(mock_->set_payload(6, "{}"), std::invalid_argument);
  EXPECT_THROW(mock_->set_payload(0, "{}"), std::invalid_argument);
}

TEST_F(MockRestMore, SetPayloadOverAdmin) {
  start(page_json(3));
  const std::string raw = "{\"id\":2,\"x\":\"\xc3\x28\"}";  // invalid UTF-8
  EXPECT_EQ(post("/__admin/payload", R"({"id":2,"raw_base64":")" + qm::base64_encode(raw) + "\"}")->status, 200);
  EXPECT_EQ(mock_->records()[1].json, raw);
  EXPECT_NE(get("/__admin/records/items")->body.find(raw), std::string::npos);
  EXPECT_NE(get("/items?_page=1")->body.find(raw), std::string::npos);
  EXPECT_EQ(post("/__admin/payload", R"({"id":2,"raw_base64":"!!"})")->status, 400);
  EXPECT_EQ(post("/__admin/payload", R"({"id":9,"raw_base64":"e30="})")->status, 400);
  EXPECT_EQ(post("/__admin/payload", R"({"id":2,"raw":"{}"})")->status, 400);
  EXPECT_EQ(mock_->records()[1].json, raw);
}

// ---- touch_on_request -------------------------------------------------------------------------

TEST_F(MockRestMore, TouchOnRequestMutatesBeforeTheNthItemsRequestIsAnswered) {
  start(page_json(30));
  auto ids = order();
  mock_->touch_on_request(2, {ids[0]});
  auto page1 = envelope("/items?_page=1&_per_page=10");
  EXPECT_EQ(ids_of(page1["data"].get_array()), slice(ids, 0, 10));
  EXPECT_EQ(get("/items/count")->status, 200);         // not counted
  EXPECT_EQ(get("/__admin/stats")->status, 200);       // not counted
  EXPECT_EQ(name_of(ids[0]).find("(rev"), std::string::npos);
  // Request 2: ids[0] has moved to the end before page 2 is cut, so ids[10] slides onto page 1.
  auto page2 = envelope("/items?_page=2&_per_page=10");
  EXPECT_EQ(ids_of(page2["data"].get_array()), slice(ids, 11, 10));
  EXPECT_NE(name_of(ids[0]).find("(rev 1)"), std::string::npos);
  auto page3 = envelope("/items?_page=3&_per_page=10");  // one-shot: no second touch
  EXPECT_EQ(ids_of(page3["data"].get_array()).back(), ids[0]);
  EXPECT_NE(name_of(ids[0]).find("(rev 1)"), std::string::npos);
  EXPECT_THROW(mock_->touch_on_request(0, {1}), std::invalid_argument);
}

TEST_F(MockRestMore, TouchOnRequestHooksQueueAndCountFaultedRequests) {
  start(page_json(10));
  mock_->touch_on_request(1, {1});
  mock_->touch_on_request(1, {2});
  mock_->touch_on_request(3, {3});
  qm::HttpFaultRule fault;
  fault.status = 503;
  mock_->add_fault(fault);
  EXPECT_EQ(get("/items")->status, 503);  // a faulted request still arrives, so it counts
  EXPECT_NE(name_of(1).find("(rev 1)"), std::string::npos);
  EXPECT_NE(name_of(2).find("(rev 1)"), std::string::npos);
  EXPECT_EQ(get("/items")->status, 200);
  EXPECT_EQ(name_of(3).find("(rev"), std::string::npos);
  auto all = get("/items");  // request 3: its own answer already shows the touch
  EXPECT_NE(name_of(3).find("(rev 1)"), std::string::npos);
  EXPECT_EQ(ids_of(parser_.parse(all->body).get_array()).back(), 3);
  EXPECT_NE(all->body.find(mock_->records()[2].json), std::string::npos);

  EXPECT_EQ(post("/__admin/touch_on_request", R"({"nth":2,"ids":[5]})")->status, 200);
  EXPECT_EQ(post("/__admin/touch_on_request", R"({"nth":0,"ids":[5]})")->status, 400);
  EXPECT_EQ(post("/__admin/touch_on_request", R"({"ids":[5]})")->status, 400);
  get("/items");
  EXPECT_EQ(name_of(5).find("(rev"), std::string::npos);
  get("/items");
  EXPECT_NE(name_of(5).find("(rev 1)"), std::string::npos);
}

// ---- split Link headers -----------------------------------------------------------------------

TEST_F(MockRestMore, SplitLinkHeadersSendsOneHeaderLinePerLink) {
  qm::RestMockOptions o;
  o.style = qm::PageStyle::Page;
  o.records = 25;
  start(o);
  EXPECT_EQ(get("/items?page=1&per_page=10")->get_header_value_count("Link"), 1u);  // default: combined
  o.split_link_headers = true;
  start(o);
  const std::string base = mock_->base_url() + "/items?";
  auto first = get("/items?page=1&per_page=10");
  ASSERT_EQ(first->get_header_value_count("Link"), 2u);
  EXPECT_EQ(first->get_header_value("Link", 0), "<" + base + "page=2&per_page=10>; rel=\"next\"");
  EXPECT_EQ(first->get_header_value("Link", 1), "<" + base + "page=3&per_page=10>; rel=\"last\"");
  auto middle = get("/items?page=2&per_page=10");
  ASSERT_EQ(middle->get_header_value_count("Link"), 4u);
  const char* const rels[] = {"prev", "next", "last", "first"};  // GitHub's order, one link per line
  for (std::size_t i = 0; i < 4; ++i) {
    std::string link = middle->get_header_value("Link", i);
    EXPECT_EQ(std::count(link.begin(), link.end(), '<'), 1) << link;
    EXPECT_TRUE(link.ends_with(std::string("; rel=\"") + rels[i] + "\"")) << link;
  }
  EXPECT_EQ(get("/items?page=3&per_page=10")->get_header_value_count("Link"), 2u);  // prev, first
  EXPECT_EQ(get("/items?per_page=100")->get_header_value_count("Link"), 0u);       // one page
}
