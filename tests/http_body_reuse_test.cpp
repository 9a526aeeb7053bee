// A body given back to the client is the buffer the next answer is read into: pages reuse one
// allocation instead of mapping and faulting in a fresh one each time. The JSON reader's padding
// is kept free past the end of every body, whether its length was announced or not.
#include <gtest/gtest.h>
#include <httplib.h>

#include "http/curl_client.hpp"
#include "tests/support/loopback_server.hpp"

namespace tributary::http {
namespace {

constexpr size_t kReaderPadding = 64;  // what simdjson reads past the end

class BodyReuse : public ::testing::Test {
 protected:
  void SetUp() override {
    loopback_.server.Get("/page", [](const httplib::Request& req, httplib::Response& res) {
      auto n = std::stoul(req.get_param_value("bytes"));
      res.set_content("[\"" + std::string(n, 'x') + "\"]", "application/json");
    });
    // No Content-Length to reserve by: the body grows as the chunks arrive.
    loopback_.server.Get("/chunked", [](const httplib::Request& req, httplib::Response& res) {
      auto n = std::stoul(req.get_param_value("bytes"));
      res.set_chunked_content_provider("application/json", [n](size_t, httplib::DataSink& sink) {
        std::string chunk(std::min<size_t>(n, 65536), 'x');
        for (size_t sent = 0; sent < n; sent += chunk.size()) sink.write(chunk.data(), std::min(chunk.size(), n - sent));
        sink.done();
        return true;
      });
    });
    ASSERT_TRUE(loopback_.start()) << "the server did not start within its deadline";
  }
  HttpResponse get(HttpClient& client, size_t bytes, const std::string& path = "/page") {
    HttpRequest req;
    req.url = "http://127.0.0.1:" + std::to_string(loopback_.port()) + path + "?bytes=" + std::to_string(bytes);
    req.label = "GET " + path;
    return client.perform(req);
  }

  testing::LoopbackServer loopback_;
};

TEST_F(BodyReuse, TheNextAnswerIsReadIntoTheBufferGivenBack) {
  HttpClient client;
  auto first = get(client, 1 << 20);
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(first.body.size(), (1u << 20) + 4);
  const char* buffer = first.body.data();
  client.give_back(std::move(first.body));
  auto second = get(client, 1 << 19);  // smaller: fits the buffer given back
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(second.body.data(), buffer) << "read into the buffer given back, not a fresh one";
  EXPECT_EQ(second.body, "[\"" + std::string(1 << 19, 'x') + "\"]") << "nothing of the earlier answer is left";
  auto third = get(client, 100);  // nothing given back since: a buffer of its own
  EXPECT_NE(third.body.data(), buffer);
}

TEST_F(BodyReuse, TheLargerBufferIsKeptAndTheReadersPaddingIsAlwaysFree) {
  HttpClient client;
  for (size_t bytes : {10u, 70'000u, 3'000'000u, 65'536u * 2 - 64}) {
    auto res = get(client, bytes, "/chunked");
    ASSERT_EQ(res.status, 200);
    ASSERT_EQ(res.body.size(), bytes);
    EXPECT_GE(res.body.capacity(), res.body.size() + kReaderPadding) << bytes;
    client.give_back(std::move(res.body));
  }
  HttpResponse small;
  small.body.reserve(1000);
  client.give_back(std::move(small.body));  // smaller than the one held: dropped
  auto next = get(client, 10, "/chunked");
  EXPECT_GE(next.body.capacity(), 3'000'000u) << "the largest buffer given back is the one kept";
}

}  // namespace
}  // namespace tributary::http
