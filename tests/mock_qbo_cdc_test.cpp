// Tests of the QuickBooks Online mock's deletions and change data capture endpoint
// (GET /v3/company/{realm}/cdc), over real HTTP on 127.0.0.1.
#include <gtest/gtest.h>
#include <httplib.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <regex>
#include <stdexcept>
#include <thread>
#include <tuple>

#include "mock/common/base64.hpp"
#include "mock/qbo_mock.hpp"
#include "mock/qbo_time.hpp"
#include "tests/support/mock_json.hpp"

namespace qm = tributary::mock;
using tributary::testing::fault_field;
using tributary::testing::json_string;

namespace {

const char* const kRealm = "9130350000000001";
constexpr std::int64_t kDayMs = 86'400'000;

std::string utc_at(std::int64_t ms) { return qm::format_utc(ms / 1000); }
std::string days_ago(int days) { return utc_at(qm::now_utc_ms() - days * kDayMs); }

// LastUpdatedTime has whole seconds: two changes get different times only if the clock has
// entered a later second in between. Polls the clock instead of sleeping a fixed time.
void wait_until_after(const std::string& utc_time) {
  while (utc_at(qm::now_utc_ms()) <= utc_time) std::this_thread::sleep_for(std::chrono::milliseconds(2));
}



// The QueryResponse elements of a CDC answer, one per requested entity.
struct CdcElement {
  std::vector<std::string> objects;  // minified, in answer order
  std::vector<std::string> ids;
  std::int64_t start_position = 0, max_results = 0;
  std::size_t keys = 0;  // members of the element: 0 for {}
};

std::vector<CdcElement> cdc_elements(const std::string& body, const std::vector<std::string>& entities) {
  simdjson::dom::parser p;
  simdjson::dom::array elements = p.parse(body)["CDCResponse"].at(0)["QueryResponse"].get_array().value();
  std::vector<CdcElement> out;
  std::size_t i = 0;
  for (simdjson::dom::object element : elements) {
    CdcElement e;
    e.keys = element.size();
    simdjson::dom::array objects;
    if (i < entities.size() && !element[entities[i]].get(objects)) {
      for (auto obj : objects) {
        e.objects.push_back(simdjson::minify(obj));
        e.ids.emplace_back(obj["Id"].get_string().value());
      }
      e.start_position = element["startPosition"].get_int64().value();
      e.max_results = element["maxResults"].get_int64().value();
    }
    out.push_back(std::move(e));
    ++i;
  }
  return out;
}

qm::MockRecord record(const std::vector<qm::MockRecord>& records, const std::string& id) {
  auto it = std::find_if(records.begin(), records.end(), [&](const qm::MockRecord& r) { return r.id == id; });
  if (it == records.end()) throw std::runtime_error("no record " + id);  // fails the test
  return *it;
}

std::string payload_field(const std::string& json, const char* key) {
  simdjson::dom::parser p;
  return std::string(p.parse(json)[key].get_string().value());
}

std::string last_updated_pacific(const std::string& json) {
  simdjson::dom::parser p;
  return std::string(p.parse(json)["MetaData"]["LastUpdatedTime"].get_string().value());
}

class MockQboCdc : public ::testing::Test {
 protected:
  void SetUp() override { start(small_company()); }

  static qm::QboMockOptions small_company() {
    qm::QboMockOptions o;  // data in 2024: far outside the 30-day window, so only changes show
    o.customers = 20;
    o.invoices = 30;
    o.items = 10;
    return o;
  }

  void start(const qm::QboMockOptions& options) {
    cli_.reset();  // close its keep-alive connection before the old mock stops
    mock_ = std::make_unique<qm::QboMock>(options);
    mock_->start();
    cli_ = std::make_unique<httplib::Client>(mock_->base_url());
    httplib::Headers h{{"Authorization", "Basic " + qm::base64_encode("mock-client-id:mock-client-secret")},
                       {"Accept", "application/json"}};
    auto r = cli_->Post("/oauth2/v1/tokens/bearer", h,
                        "grant_type=refresh_token&refresh_token=" + mock_->current_refresh_token(),
                        "application/x-www-form-urlencoded");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    access_ = json_string(r->body, "access_token");
  }

  httplib::Headers headers(const std::string& accept) const {
    return {{"Authorization", "Bearer " + access_}, {"Accept", accept}};
  }

  httplib::Result cdc_params(const httplib::Params& params, const std::string& accept = "application/json",
                             const std::string& realm = kRealm) {
    return cli_->Get("/v3/company/" + realm + "/cdc", params, headers(accept));
  }

  httplib::Result cdc(const std::string& entities, const std::string& changed_since,
                      const std::string& accept = "application/json") {
    return cdc_params({{"entities", entities}, {"changedSince", changed_since}, {"minorversion", "75"}}, accept);
  }

  // The answer's elements after checking it is a 200.
  std::vector<CdcElement> changes(const std::string& entities, const std::string& changed_since,
                                  const std::vector<std::string>& names) {
    auto r = cdc(entities, changed_since);
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, 200) << r->body;
    return r->status == 200 ? cdc_elements(r->body, names) : std::vector<CdcElement>{};
  }

  httplib::Result query(const std::string& statement) {
    return cli_->Get("/v3/company/" + std::string(kRealm) + "/query", {{"query", statement}},
                     headers("application/json"));
  }

  httplib::Result admin(const char* path, const std::string& body) {
    return cli_->Post(path, body, "application/json");
  }

  std::unique_ptr<qm::QboMock> mock_;
  std::unique_ptr<httplib::Client> cli_;
  std::string access_;
};

std::vector<std::string> query_ids(const std::string& body, const char* entity) {
  simdjson::dom::parser p;
  std::vector<std::string> ids;
  simdjson::dom::array arr;
  if (p.parse(body)["QueryResponse"][entity].get(arr)) return ids;
  for (auto e : arr) ids.emplace_back(e["Id"].get_string().value());
  return ids;
}

std::int64_t total_count(const std::string& body) {
  simdjson::dom::parser p;
  return p.parse(body)["QueryResponse"]["totalCount"].get_int64().value();
}

}  // namespace

TEST_F(MockQboCdc, DeletedRecordsLeaveQueriesAndComeBackInCdcAsStubs) {
  std::string before = utc_at(qm::now_utc_ms());
  mock_->delete_records("Invoice", {"2", "3", "999", "x"});  // unknown ids are ignored

  auto active = mock_->records("Invoice");
  EXPECT_EQ(active.size(), 28u);
  EXPECT_TRUE(std::none_of(active.begin(), active.end(), [](const auto& r) { return r.id == "2" || r.id == "3"; }));
  auto deleted = mock_->deleted_records("Invoice");
  ASSERT_EQ(deleted.size(), 2u);
  EXPECT_EQ(deleted[0].id, "2");
  EXPECT_GE(deleted[0].last_updated_utc, before);
  EXPECT_EQ(deleted[0].json, R"({"domain":"QBO","status":"Deleted","Id":"2","MetaData":{"LastUpdatedTime":")" +
                                 qm::format_pacific(*qm::parse_utc_option(deleted[0].last_updated_utc)) + "\"}}");

  EXPECT_EQ(query_ids(query("SELECT * FROM Invoice WHERE Id IN ('1', '2', '3')")->body, "Invoice"),
            std::vector<std::string>{"1"});
  EXPECT_EQ(query_ids(query("SELECT Id FROM Invoice MAXRESULTS 1000")->body, "Invoice").size(), 28u);
  EXPECT_EQ(total_count(query("SELECT COUNT(*) FROM Invoice")->body), 28);
  EXPECT_EQ(query("SELECT * FROM Invoice WHERE Id = '2'")->body.rfind(R"({"QueryResponse":{},"time":")", 0), 0u);

  mock_->touch("Invoice", {"2"});  // a deleted record cannot be updated
  EXPECT_EQ(mock_->deleted_records("Invoice")[0].json, deleted[0].json);

  auto elements = changes("Invoice", days_ago(1), {"Invoice"});
  ASSERT_EQ(elements.size(), 1u);
  EXPECT_EQ(elements[0].objects, (std::vector<std::string>{deleted[0].json, deleted[1].json}));
  EXPECT_EQ(elements[0].start_position, 1);
  EXPECT_EQ(elements[0].max_results, 2);
}

TEST_F(MockQboCdc, RestoredRecordsReturnActiveWithANewLastUpdatedTime) {
  const qm::MockRecord original = mock_->records("Customer")[4];
  const qm::MockRecord untouched = mock_->records("Customer")[5];
  std::string before = utc_at(qm::now_utc_ms());
  mock_->delete_records("Customer", {"5"});
  mock_->restore_records("Customer", {"5", "6", "999"});  // 6 is not deleted: ignored

  auto active = mock_->records("Customer");
  ASSERT_EQ(active.size(), 20u);
  const qm::MockRecord restored = record(active, "5");
  EXPECT_EQ(std::stoi(payload_field(restored.json, "SyncToken")), std::stoi(payload_field(original.json, "SyncToken")) + 1);
  EXPECT_NE(restored.last_updated_utc, original.last_updated_utc);
  EXPECT_GE(restored.last_updated_utc, before);
  EXPECT_NE(restored.json, original.json);
  EXPECT_EQ(record(active, "6").json, untouched.json);
  EXPECT_TRUE(mock_->deleted_records("Customer").empty());

  auto q = query("SELECT * FROM Customer WHERE Id = '5'");
  simdjson::dom::parser p;
  EXPECT_EQ(simdjson::minify(p.parse(q->body)["QueryResponse"]["Customer"].at(0)), restored.json);

  auto elements = changes("Customer", days_ago(1), {"Customer"});
  ASSERT_EQ(elements.size(), 1u);
  EXPECT_EQ(elements[0].objects, std::vector<std::string>{restored.json});
  EXPECT_EQ(elements[0].objects[0].find("\"status\""), std::string::npos);

  mock_->restore_records("Customer", {"5"});  // already active: nothing changes
  EXPECT_EQ(record(mock_->records("Customer"), "5").json, restored.json);
}

TEST_F(MockQboCdc, ChangedSinceKeepsLaterChangesInTimeOrder) {
  mock_->touch("Customer", {"9"});
  const std::string t9 = record(mock_->records("Customer"), "9").last_updated_utc;
  wait_until_after(t9);
  mock_->touch("Customer", {"2"});
  mock_->delete_records("Item", {"4"});
  const std::string t2 = record(mock_->records("Customer"), "2").last_updated_utc;
  ASSERT_GT(t2, t9);

  auto all = changes("Customer,Item,Invoice", t9, {"Customer", "Item", "Invoice"});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].ids, (std::vector<std::string>{"9", "2"}));  // LastUpdatedTime before Id
  EXPECT_EQ(all[1].ids, std::vector<std::string>{"4"});
  EXPECT_NE(all[1].objects[0].find("\"status\":\"Deleted\""), std::string::npos);
  EXPECT_EQ(all[2].keys, 0u);  // no changes: {}

  EXPECT_EQ(changes("Customer", t2, {"Customer"})[0].ids, std::vector<std::string>{"2"});
  // The same instant in the company's offset, in +00:00 (a '+' the client must encode), and a
  // plain date (midnight in the company's zone) select the same changes.
  std::string pacific = last_updated_pacific(record(mock_->records("Customer"), "9").json);
  EXPECT_EQ(changes("Customer", pacific, {"Customer"})[0].ids, (std::vector<std::string>{"9", "2"}));
  std::string plus = t9.substr(0, 19) + "+00:00";
  EXPECT_EQ(changes("Customer", plus, {"Customer"})[0].ids, (std::vector<std::string>{"9", "2"}));
  std::string today = qm::format_pacific_date(qm::now_utc_ms() / 1000);
  EXPECT_EQ(changes("Customer", today, {"Customer"})[0].ids, (std::vector<std::string>{"9", "2"}));
  EXPECT_EQ(changes("Customer", utc_at(qm::now_utc_ms() + kDayMs), {"Customer"})[0].keys, 0u);

  auto r = cdc("Customer", t9);
  std::regex pacific_ms(R"(.*"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-0[78]:00"\}$)");
  EXPECT_TRUE(std::regex_match(r->body, pacific_ms)) << r->body;
  EXPECT_EQ(r->body.rfind(R"({"CDCResponse":[{"QueryResponse":[{"Customer":[)", 0), 0u) << r->body;
}

TEST_F(MockQboCdc, ChangedSinceMustBeWithinTheLast30Days) {
  auto old = cdc("Customer", days_ago(31));
  ASSERT_EQ(old->status, 400);
  EXPECT_NE(old->body.find("\"type\":\"ValidationFault\""), std::string::npos);
  EXPECT_NE(fault_field(old->body, "Detail").find("changedSince must be within the last 30 days"), std::string::npos);
  EXPECT_EQ(cdc("Customer", days_ago(29))->status, 200);

  auto garbled = cdc("Customer", "yesterday");
  ASSERT_EQ(garbled->status, 400);
  EXPECT_EQ(fault_field(garbled->body, "code"), "2010");
  // An unencoded '+' arrives as a space and no longer parses.
  cli_->set_url_encode(false);
  std::string raw = "/v3/company/" + std::string(kRealm) + "/cdc?entities=Customer&changedSince=" +
                    days_ago(1).substr(0, 19) + "+00:00";
  EXPECT_EQ(cli_->Get(raw, headers("application/json"))->status, 400);
}

TEST_F(MockQboCdc, MissingOrUnknownEntitiesAreValidationFaults) {
  auto no_entities = cdc_params({{"changedSince", days_ago(1)}});
  ASSERT_EQ(no_entities->status, 400);
  EXPECT_EQ(fault_field(no_entities->body, "code"), "2020");
  EXPECT_EQ(fault_field(no_entities->body, "Detail"), "Required parameter entities is missing in the request");
  EXPECT_EQ(cdc_params({{"entities", "Customer"}})->status, 400);
  EXPECT_EQ(cdc("", days_ago(1))->status, 400);
  for (const char* bad : {"Customer,Bogus", "customer", "TaxCode", "Customer,,Item"}) {
    auto r = cdc(bad, days_ago(1));
    ASSERT_EQ(r->status, 400) << bad;
    EXPECT_EQ(fault_field(r->body, "code"), "2010") << bad;
  }
  // An entity the mock holds no records of is valid and has no changes; repeats count once.
  auto vendor = changes("Vendor, Customer,Vendor", days_ago(1), {"Vendor", "Customer"});
  ASSERT_EQ(vendor.size(), 2u);
  EXPECT_EQ(vendor[0].keys, 0u);
  EXPECT_EQ(vendor[1].keys, 0u);
}

TEST_F(MockQboCdc, CapCutsTheLatestChangesAcrossEntities) {
  EXPECT_EQ(qm::QboMockOptions{}.cdc_max_objects, 1000);
  qm::QboMockOptions o = small_company();
  o.cdc_max_objects = 0;
  EXPECT_THROW(qm::QboMock{o}, std::invalid_argument);

  o = small_company();
  o.customers = 4;
  o.invoices = 6;
  o.items = 3;
  o.data_start_utc = days_ago(10);  // the generated history itself is within CDC's window
  o.data_end_utc = days_ago(1);
  o.cdc_max_objects = 5;
  start(o);
  // Expected: the 5 earliest of both entities, ties broken by request order, then Id.
  std::vector<std::tuple<std::string, int, int>> all;
  const std::vector<std::string> names{"Invoice", "Customer"};
  for (int e = 0; e < 2; ++e) {
    for (const auto& r : mock_->records(names[e])) all.emplace_back(r.last_updated_utc, e, std::stoi(r.id));
  }
  std::sort(all.begin(), all.end());
  std::vector<std::vector<std::string>> expected(2);
  for (std::size_t i = 0; i < 5; ++i) expected[std::get<1>(all[i])].push_back(std::to_string(std::get<2>(all[i])));

  auto elements = changes("Invoice,Customer", days_ago(20), names);
  ASSERT_EQ(elements.size(), 2u);
  EXPECT_EQ(elements[0].ids, expected[0]);
  EXPECT_EQ(elements[1].ids, expected[1]);
  EXPECT_EQ(elements[0].ids.size() + elements[1].ids.size(), 5u);
  for (const auto& e : elements) {
    if (!e.ids.empty()) {
      EXPECT_EQ(e.max_results, static_cast<std::int64_t>(e.ids.size()));
    }
  }
}

TEST_F(MockQboCdc, AdminRoutesDeleteAndRestore) {
  auto del = admin("/__admin/delete", R"({"entity":"Item","ids":["4","5"]})");
  ASSERT_EQ(del->status, 200);
  EXPECT_EQ(del->body, R"({"ok":true})");
  EXPECT_EQ(mock_->records("Item").size(), 8u);
  EXPECT_EQ(mock_->deleted_records("Item").size(), 2u);

  EXPECT_EQ(admin("/__admin/restore", R"({"entity":"Item","ids":["4"]})")->status, 200);
  EXPECT_EQ(mock_->records("Item").size(), 9u);
  ASSERT_EQ(mock_->deleted_records("Item").size(), 1u);
  EXPECT_EQ(mock_->deleted_records("Item")[0].id, "5");

  EXPECT_EQ(admin("/__admin/delete", R"({"entity":"Bogus","ids":["1"]})")->status, 400);
  EXPECT_EQ(admin("/__admin/delete", R"({"entity":"Item"})")->status, 400);
  EXPECT_EQ(admin("/__admin/restore", R"({"entity":"Item","ids":["5"],"extra":1})")->status, 400);
  EXPECT_EQ(mock_->deleted_records("Item").size(), 1u);
}

TEST_F(MockQboCdc, CdcSharesTheDataApiPipeline) {
  qm::QboMockOptions o = small_company();
  o.max_requests_per_minute = 3;
  start(o);
  qm::FaultRule fault;
  fault.path_prefix = "/v3/company/" + std::string(kRealm) + "/cdc";
  fault.status = 500;
  mock_->add_fault(fault);
  EXPECT_EQ(cdc("Customer", days_ago(1))->status, 500);
  EXPECT_EQ(query("SELECT COUNT(*) FROM Customer")->status, 200);  // the fault was CDC's only
  EXPECT_EQ(cdc("Customer", days_ago(1))->status, 200);
  auto throttled = cdc("Customer", days_ago(1));
  EXPECT_EQ(throttled->status, 429);  // the same per-realm window as queries
  auto stats = mock_->stats();
  EXPECT_EQ(stats.cdc_requests, 3);
  EXPECT_EQ(stats.query_requests, 1);
  EXPECT_EQ(stats.faults_served, 1);
  EXPECT_EQ(stats.throttled, 1);
  EXPECT_NE(cli_->Get("/__admin/stats")->body.find("\"cdc_requests\":3"), std::string::npos);
}

TEST_F(MockQboCdc, CdcChecksTokenAndRealmAndAnswersXml) {
  mock_->delete_records("Invoice", {"2"});
  auto xml = cdc("Customer,Invoice", days_ago(1), "application/xml");
  ASSERT_EQ(xml->status, 200);
  EXPECT_EQ(xml->get_header_value("Content-Type").rfind("application/xml", 0), 0u);
  EXPECT_NE(xml->body.find("<CDCResponse><QueryResponse/><QueryResponse startPosition=\"1\" maxResults=\"1\">"
                           "<Invoice domain=\"QBO\" status=\"Deleted\"><Id>2</Id><MetaData><LastUpdatedTime>"),
            std::string::npos) << xml->body;

  auto other_realm = cdc_params({{"entities", "Customer"}, {"changedSince", days_ago(1)}}, "application/json", "123");
  EXPECT_EQ(other_realm->status, 403);
  mock_->expire_access_tokens();
  auto expired = cdc("Customer", days_ago(1));
  EXPECT_EQ(expired->status, 401);
  EXPECT_NE(expired->body.find("\"code\":\"3200\""), std::string::npos);
}
