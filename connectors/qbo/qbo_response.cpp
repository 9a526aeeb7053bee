#include "connectors/qbo/qbo_response.hpp"

#include <simdjson.h>

#include "connectors/json_text.hpp"
#include "core/error.hpp"
#include "http/executor.hpp"

namespace tributary::connectors::qbo {
namespace {

namespace od = simdjson::ondemand;

[[noreturn]] void malformed(const std::string& what) {
  throw Error(ErrorKind::data, "malformed QuickBooks answer: " + what);
}

// On-demand parsing never looks at what it does not consume, so check the envelope is closed.
void require_complete(const std::string& body) {
  if (!ends_like_json(body)) malformed("the answer is truncated (it does not end with '}')");
}

std::string id_text(od::value v) {
  if (v.type() == od::json_type::string) return std::string(std::string_view(v.get_string()));
  return std::string(v.raw_json_token());  // a numeric Id, unlikely but harmless
}

std::optional<Timestamp> last_updated(od::object& record) {
  od::value meta;
  if (record.find_field_unordered("MetaData").get(meta) != simdjson::SUCCESS) return std::nullopt;
  std::string_view text;
  if (meta.find_field_unordered("LastUpdatedTime").get_string().get(text) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return try_parse_timestamp(text);
}

// Calls `on_record` for each element of QueryResponse.<entity>; returns false if the key is
// absent (a page past the end). Throws Error(data) for anything that is not that envelope.
template <typename F>
void for_each_record(std::string& body, std::string_view entity, F&& on_record) {
  require_complete(body);
  try {
    auto parsed = iterate_json(body);
    od::document& doc = parsed.doc;
    bool seen_response = false;
    // Walk the root to its closing brace, so a body cut anywhere is an error.
    for (auto root_field : doc.get_object()) {
      if (std::string_view(root_field.unescaped_key()) != "QueryResponse") continue;
      seen_response = true;
      for (auto field : root_field.value().get_object()) {
        if (std::string_view(field.unescaped_key()) != entity) continue;
        for (auto element : field.value().get_array()) {
          od::object record = element.get_object();
          on_record(record);
        }
      }
    }
    if (!seen_response) malformed("no QueryResponse object");
  } catch (const simdjson::simdjson_error& e) {
    malformed(e.what());
  }
}

// One changed object: its Id, when it last changed, and whether it is a deletion.
void read_cdc_object(od::object& record, std::string_view entity, CdcAnswer& out) {
  od::value id;
  if (record.find_field_unordered("Id").get(id) != simdjson::SUCCESS) malformed(std::string(entity) + " without Id in CDC");
  auto id_string = id_text(id);
  std::string_view status;
  auto found = record.find_field_unordered("status").get_string().get(status);
  if (found != simdjson::SUCCESS && found != simdjson::NO_SUCH_FIELD) {
    malformed(std::string(entity) + " " + id_string + ": unreadable status in CDC (" + simdjson::error_message(found) + ")");
  }
  bool deleted = found == simdjson::SUCCESS && status == "Deleted";
  auto updated = last_updated(record);
  if (!updated) malformed(std::string(entity) + " " + id_string + " without MetaData.LastUpdatedTime in CDC");
  if (!out.latest || *updated > *out.latest) out.latest = *updated;
  if (deleted) out.deleted.push_back({std::move(id_string), *updated});
}

}  // namespace

std::vector<SourceId> parse_id_page(std::string& body, std::string_view entity) {
  std::vector<SourceId> out;
  for_each_record(body, entity, [&](od::object& record) {
    od::value id;
    if (record.find_field_unordered("Id").get(id) != simdjson::SUCCESS) malformed(std::string(entity) + " without Id");
    SourceId s{id_text(id), {}};
    auto updated = last_updated(record);
    if (!updated) malformed(std::string(entity) + " " + s.id + " without MetaData.LastUpdatedTime");
    s.updated_at = *updated;
    out.push_back(std::move(s));
  });
  return out;
}

// {"CDCResponse":[{"QueryResponse":[{"<Entity>":[...],"startPosition":1,"maxResults":N},...]}],
// "time":"..."}: deleted objects carry only Id, status "Deleted" and MetaData.
CdcAnswer parse_cdc(std::string& body, std::string_view entity) {
  require_complete(body);
  CdcAnswer out;
  try {
    auto parsed = iterate_json(body);
    od::document& doc = parsed.doc;
    bool seen_response = false;
    for (auto root_field : doc.get_object()) {
      if (std::string_view(root_field.unescaped_key()) != "CDCResponse") continue;
      seen_response = true;
      for (auto cdc : root_field.value().get_array()) {
        od::array responses;
        auto found = cdc.find_field_unordered("QueryResponse").get_array().get(responses);
        if (found == simdjson::NO_SUCH_FIELD) continue;
        if (found != simdjson::SUCCESS) malformed(std::string("CDCResponse: ") + simdjson::error_message(found));
        for (auto response : responses) {
          for (auto field : response.get_object()) {
            if (std::string_view(field.unescaped_key()) != entity) continue;
            for (auto element : field.value().get_array()) {
              od::object record = element.get_object();
              out.objects += 1;
              read_cdc_object(record, entity, out);
            }
          }
        }
      }
    }
    if (!seen_response) malformed("no CDCResponse");
  } catch (const simdjson::simdjson_error& e) {
    malformed(e.what());
  }
  return out;
}

long long parse_count(std::string& body) {
  try {
    auto parsed = iterate_json(body);
    od::document& doc = parsed.doc;
    int64_t n = doc["QueryResponse"]["totalCount"].get_int64();
    return n;
  } catch (const simdjson::simdjson_error& e) {
    malformed(std::string("COUNT answer without QueryResponse.totalCount (") + e.what() + ")");
  }
}

}  // namespace tributary::connectors::qbo
