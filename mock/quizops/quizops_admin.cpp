// /__admin/* : the public C++ API over HTTP, so the demo script and CLI tests can steer a mock
// running in another process. JSON in, JSON out; unknown fields are rejected, not ignored.
#include "mock/common/admin_json.hpp"
#include "mock/common/json_writer.hpp"
#include "mock/quizops/quizops_mock_impl.hpp"

namespace tributary::mock {
namespace {

// The payloads exactly as the API serves them, ordered by key.
std::string payload_array(const std::vector<QuizopsRecord>& records) {
  return join_json_array(records, [](const QuizopsRecord& r) -> const std::string& { return r.json; });
}

}  // namespace

void QuizopsMock::Impl::register_admin_routes(httplib::Server& svr) {
  using Req = const httplib::Request&;
  using Res = httplib::Response&;
  svr.Get(R"(/__admin/records/(\w+))", [this](Req req, Res res) {
    run_admin(res, [&] { return payload_array(records(req.matches[1])); });
  });
  svr.Post("/__admin/fault", [this](Req req, Res res) {
    run_admin(res, [&] {
      add_fault(http_fault_from_json(req.body));
      return std::string();
    });
  });
  svr.Get("/__admin/stats", [this](Req, Res res) { run_admin(res, [&] { return mock_stats_json(stats()); }); });
  svr.Post("/__admin/touch", [this](Req req, Res res) {
    run_admin(res, [&] {
      simdjson::dom::parser parser;
      auto obj = parse_object(parser, req.body);
      reject_unknown_fields(obj, {"kind", "keys"});
      touch(string_field(required_field(obj, "kind"), "kind"), string_array(required_field(obj, "keys"), "keys"));
      return std::string();
    });
  });
  svr.Post("/__admin/repeat-cursor-once", [this](Req, Res res) {
    run_admin(res, [&] {
      repeat_cursor_once();
      return std::string();
    });
  });
}

}  // namespace tributary::mock
