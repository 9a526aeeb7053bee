// libFuzzer target: an API answer's bytes, read as a page the way each kind of stream reads it,
// and as a Link header. Reading may only ever fail with Error(data); anything else (a crash, a
// sanitizer report, another exception) is a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "connectors/qbo/qbo_response.hpp"
#include "connectors/rest/json_page.hpp"
#include "connectors/rest/paginator.hpp"
#include "core/error.hpp"

namespace {

using namespace tributary;
using namespace tributary::connectors;

struct PageShape {
  RestStreamSpec spec;
  std::string next;   // JSON pointer to a next cursor or URL ("" = none)
  std::string total;  // JSON pointer to a total ("" = none)
  bool missing_is_empty = false;
};

RestStreamSpec stream(std::string records, std::vector<std::string> key, std::string cursor, TimeFormat format,
                      PaginatorKind paginator) {
  RestStreamSpec s;
  s.records = std::move(records);
  s.primary_key = std::move(key);
  if (!cursor.empty()) s.cursor = CursorSpec{std::move(cursor), format};
  s.paginator.kind = paginator;
  return s;
}

// The shapes the bundled connector files and mocks use (docs/mock-*.md, config/).
const std::vector<PageShape>& shapes() {
  static const std::vector<PageShape> all = {
      // json-server / GitHub: a root array, Link headers (mock-rest --style page)
      {stream("", {"/id"}, "/updated_at", TimeFormat::iso8601, PaginatorKind::link_header), "", ""},
      // records under a key with a total (mock-rest --style offset, Acme orders)
      {stream("/items", {"/id"}, "/updated_at", TimeFormat::iso8601_millis, PaginatorKind::offset), "", "/total"},
      {stream("/orders", {"/id"}, "/modified_at", TimeFormat::epoch_millis, PaginatorKind::page_number), "", "/total"},
      // a composite key and a body cursor (QuizOps answers)
      {stream("/data", {"/attempt_id", "/question_id"}, "/updated_at", TimeFormat::iso8601, PaginatorKind::cursor),
       "/next_cursor", ""},
      // a nested next URL, seconds since the epoch, a full-refresh variant
      {stream("/results", {"/id"}, "/ts", TimeFormat::epoch_seconds, PaginatorKind::next_url), "/next", ""},
      {stream("/meta/rows", {"/id", "/n/0"}, "", TimeFormat::iso8601, PaginatorKind::none), "", ""},
      // QuickBooks: a missing entity key is an empty page, cursor with an offset
      {stream("/QueryResponse/Invoice", {"/Id"}, "/MetaData/LastUpdatedTime", TimeFormat::iso8601_offset,
              PaginatorKind::offset),
       "", "/QueryResponse/totalCount", true},
      {stream("/d", {"/id"}, "/day", TimeFormat::date, PaginatorKind::page_number), "", ""},
  };
  return all;
}

void read_as(const std::string& bytes, const PageShape& shape, const std::optional<std::string>& link) {
  std::string body = bytes;  // read_json_page pads the body in place
  PageReading page;
  try {
    page = read_json_page(body, shape.spec, shape.next, shape.total, shape.missing_is_empty);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::data) throw;
    return;
  }
  PageFacts facts{page.records.size(), 2, page.next, link, page.total};
  for (const char* position : {"", "3"}) {
    try {
      (void)next_position(shape.spec.paginator, position, facts);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::data) throw;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  auto link = link_next(bytes);
  for (const auto& shape : shapes()) read_as(bytes, shape, link);
  std::string body = bytes;
  try {
    (void)read_json_value(body, "/meta/next_cursor");
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::data) throw;
  }
  // QuickBooks' own answers: Change Data Capture, id pages and counts.
  for (const auto& read : {+[](std::string& b) { (void)qbo::parse_cdc(b, "Invoice"); },
                           +[](std::string& b) { (void)qbo::parse_id_page(b, "Invoice"); },
                           +[](std::string& b) { (void)qbo::parse_count(b); }}) {
    std::string copy = bytes;
    try {
      read(copy);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::data) throw;
    }
  }
  return 0;
}
