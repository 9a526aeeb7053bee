#include "mock/common/http_faults.hpp"

#include <algorithm>
#include <memory>

namespace tributary::mock {

HttpAnswer plain_answer(int status, std::string content_type, std::string body) {
  HttpAnswer a;
  a.status = status;
  a.content_type = std::move(content_type);
  a.body = std::move(body);
  return a;
}

void corrupt_json(HttpAnswer& a, std::string_view json_content_type) {
  a.status = 200;
  a.content_type = std::string(json_content_type);
  a.body = a.body.substr(0, a.body.size() / 2);
}

void write_answer(httplib::Response& res, HttpAnswer a, bool drop_connection) {
  res.status = a.status;
  for (const auto& [name, value] : a.headers) res.set_header(name, value);
  if (!drop_connection) {
    // set_content() copies; a page of a thousand invoices is 1.5 MB.
    res.body = std::move(a.body);
    res.headers.erase("Content-Type");
    res.set_header("Content-Type", a.content_type);
    return;
  }
  if (a.body.size() < 2) a.body += "{}";
  auto body = std::make_shared<std::string>(std::move(a.body));
  // Returning false after half of the body makes httplib close the socket.
  res.set_content_provider(body->size(), a.content_type,
                           [body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                             std::size_t half = body->size() / 2;
                             if (offset >= half) return false;
                             sink.write(body->data() + offset, std::min(length, half - offset));
                             return true;
                           });
}

}  // namespace tributary::mock
