// Response header fields as the client hands them on: a field sent on several lines is one value
// (RFC 9110 §5.3), so an API that sends rel="next" and rel="last" as two Link lines is paged on.
#include <gtest/gtest.h>
#include <httplib.h>

#include "connectors/rest/paginator.hpp"
#include "http/curl_client.hpp"
#include "tests/support/loopback_server.hpp"

namespace tributary::http {
namespace {

class TwoLinkHeaders : public ::testing::Test {
 protected:
  void SetUp() override {
    // cpp-httplib keeps headers in a multimap: each set_header call is its own line on the wire.
    loopback_.server.Get("/next-then-last", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Link", "<http://127.0.0.1/items?page=2>; rel=\"next\"");
      res.set_header("Link", "<http://127.0.0.1/items?page=9>; rel=\"last\"");
      res.set_content("[]", "application/json");
    });
    loopback_.server.Get("/last-then-next", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Link", "<http://127.0.0.1/items?page=9>; rel=\"last\"");
      res.set_header("Link", "<http://127.0.0.1/items?page=2>; rel=\"next\"");
      res.set_header("X-Single", "one");
      res.set_content("[]", "application/json");
    });
    ASSERT_TRUE(loopback_.start()) << "the server did not start within its deadline";
  }
  HttpResponse get(const std::string& path) {
    HttpClient client;
    HttpRequest req;
    req.url = "http://127.0.0.1:" + std::to_string(loopback_.port()) + path;
    req.label = "GET " + path;
    return client.perform(req);
  }

  testing::LoopbackServer loopback_;
};

TEST_F(TwoLinkHeaders, BothLinesAreKeptJoinedByACommaInTheOrderSent) {
  auto res = get("/next-then-last");
  ASSERT_EQ(res.status, 200);
  ASSERT_NE(res.header("link"), nullptr);
  EXPECT_EQ(*res.header("link"),
            "<http://127.0.0.1/items?page=2>; rel=\"next\", <http://127.0.0.1/items?page=9>; rel=\"last\"");
  EXPECT_EQ(connectors::link_next(*res.header("link")), "http://127.0.0.1/items?page=2");
}

TEST_F(TwoLinkHeaders, RelNextIsFoundWhenItComesOnTheSecondLine) {
  // The case that was read one page per window: only the last line was kept, and when that was
  // rel="last" paging stopped after page 1.
  auto res = get("/last-then-next");
  ASSERT_NE(res.header("link"), nullptr);
  EXPECT_EQ(*res.header("link"),
            "<http://127.0.0.1/items?page=9>; rel=\"last\", <http://127.0.0.1/items?page=2>; rel=\"next\"");
  EXPECT_EQ(connectors::link_next(*res.header("link")), "http://127.0.0.1/items?page=2");
  ASSERT_NE(res.header("x-single"), nullptr);
  EXPECT_EQ(*res.header("x-single"), "one") << "a field sent once is left as it is";
}

}  // namespace
}  // namespace tributary::http
