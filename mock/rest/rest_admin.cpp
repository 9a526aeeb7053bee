// /__admin/* : the public C++ API over HTTP, for tests and demos that run the mock as a
// process. JSON in, JSON out; unknown fields are rejected, not ignored.
#include "mock/common/admin_json.hpp"
#include "mock/common/base64.hpp"
#include "mock/common/json_writer.hpp"
#include "mock/rest/rest_mock_impl.hpp"

namespace tributary::mock {
namespace {

std::vector<int> id_array(simdjson::dom::element v) {
  simdjson::dom::array arr;
  if (v.get(arr)) throw AdminError("'ids' must be an array of integers");
  std::vector<int> out;
  for (auto item : arr) out.push_back(static_cast<int>(int_field(item, "ids")));
  return out;
}

// Runs `action` on the ids of a {"ids":[...]} body: touch, remove and restore share it.
template <typename Action>
void run_ids_admin(const httplib::Request& req, httplib::Response& res, Action action) {
  run_admin(res, [&] {
    simdjson::dom::parser parser;
    auto obj = parse_object(parser, req.body);
    reject_unknown_fields(obj, {"ids"});
    action(id_array(required_field(obj, "ids")));
    return std::string();
  });
}

std::string json_of_records(const std::vector<RestRecord>& records) {
  return join_json_array(records, [](const RestRecord& r) -> const std::string& { return r.json; });
}

}  // namespace

void RestMock::Impl::register_admin_routes(httplib::Server& svr) {
  using Req = const httplib::Request&;
  using Res = httplib::Response&;
  svr.Get("/__admin/records/items", [this](Req, Res res) {
    run_admin(res, [&] { return json_of_records(records()); });
  });
  svr.Get("/__admin/records/deleted", [this](Req, Res res) {
    run_admin(res, [&] { return json_of_records(deleted()); });
  });
  svr.Post("/__admin/fault", [this](Req req, Res res) {
    run_admin(res, [&] {
      add_fault(http_fault_from_json(req.body));
      return std::string();
    });
  });
  svr.Get("/__admin/stats", [this](Req, Res res) { run_admin(res, [&] { return mock_stats_json(stats()); }); });
  svr.Post("/__admin/payload", [this](Req req, Res res) {
    run_admin(res, [&] {
      simdjson::dom::parser parser;
      auto obj = parse_object(parser, req.body);
      reject_unknown_fields(obj, {"id", "raw_base64"});
      auto raw = base64_decode(string_field(required_field(obj, "raw_base64"), "raw_base64"));
      if (!raw) throw AdminError("'raw_base64' must be standard base64");
      set_payload(static_cast<int>(int_field(required_field(obj, "id"), "id")), std::move(*raw));
      return std::string();
    });
  });
  svr.Post("/__admin/touch_on_request", [this](Req req, Res res) {
    run_admin(res, [&] {
      simdjson::dom::parser parser;
      auto obj = parse_object(parser, req.body);
      reject_unknown_fields(obj, {"nth", "ids"});
      int nth = static_cast<int>(int_field(required_field(obj, "nth"), "nth"));
      touch_on_request(nth, id_array(required_field(obj, "ids")));
      return std::string();
    });
  });
  svr.Post("/__admin/touch", [this](Req req, Res res) {
    run_ids_admin(req, res, [&](const std::vector<int>& ids) { touch(ids); });
  });
  svr.Post("/__admin/remove", [this](Req req, Res res) {
    run_ids_admin(req, res, [&](const std::vector<int>& ids) { remove(ids); });
  });
  svr.Post("/__admin/restore", [this](Req req, Res res) {
    run_ids_admin(req, res, [&](const std::vector<int>& ids) { restore(ids); });
  });
}

}  // namespace tributary::mock
