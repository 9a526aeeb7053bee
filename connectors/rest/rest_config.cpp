#include "connectors/rest/rest_config.hpp"

#include <boost/date_time/posix_time/posix_time.hpp>

namespace tributary::connectors {
namespace {

std::string pointer(const YamlReader& r, const YAML::Node& map, const char* key, std::string fallback) {
  auto text = r.text(map, key, fallback);
  if (!valid_json_pointer(text)) {
    r.fail(map[key], std::string("'") + key + "' must be a JSON pointer like /data or /meta/next (RFC 6901), got '" + map[key].Scalar() + "'");
  }
  return text;
}

TimeFormat time_format(const YamlReader& r, const YAML::Node& map, const char* key) {
  auto name = r.text(map, key, std::string("iso8601"));
  auto format = time_format_from(name);
  if (!format) {
    r.fail(map[key], "unknown time format '" + map[key].Scalar() + "' (expected one of: iso8601, iso8601_millis, "
                     "iso8601_micros, iso8601_offset, date, epoch_seconds, epoch_millis)");
  }
  return *format;
}

// "1ms", "1s", "1m", "1h", "1d"
Duration granularity(const YamlReader& r, const YAML::Node& node) {
  auto text = r.text(node, "granularity", std::string("1s"));
  if (auto d = try_parse_duration(text); d && d->total_microseconds() > 0) return *d;
  r.fail(node["granularity"], "'granularity' must be a positive amount with a unit (ms, s, m, h, d), got '" + node["granularity"].Scalar() + "'");
}

WindowSpec read_window(const YamlReader& r, const YAML::Node& node) {
  WindowSpec w;
  if (!node) return w;
  r.require_map(node, "window");
  r.allow_keys(node, {"format", "range", "granularity"}, "window");
  w.format = time_format(r, node, "format");
  auto range = r.text(node, "range", std::string("half_open"));
  if (range != "half_open" && range != "inclusive") {
    r.fail(node["range"], "'range' must be half_open or inclusive, got '" + node["range"].Scalar() + "'");
  }
  w.inclusive = range == "inclusive";
  w.granularity = granularity(r, node);
  if (w.inclusive && w.granularity < resolution(w.format)) {
    // end - 1ms written with whole seconds is truncated: the window's last second would be lost.
    r.fail(node["granularity"], "granularity is finer than format " + to_string(w.format) +
                                    " can write; use at least " + boost::posix_time::to_simple_string(resolution(w.format)));
  }
  return w;
}

std::optional<CursorSpec> read_cursor(const YamlReader& r, const YAML::Node& node) {
  if (!node) return std::nullopt;
  r.require_map(node, "cursor");
  r.allow_keys(node, {"field", "format"}, "cursor");
  auto field = r.text(node, "field");
  if (field.empty() || !valid_json_pointer(field)) {
    r.fail(node["field"], "'field' must be a JSON pointer to the record's updated-at, like /updated_at");
  }
  return CursorSpec{field, time_format(r, node, "format")};
}

// Files written before QuickBooks became an extension name its pieces in the generic keys.
[[noreturn]] void moved_to_extension(const YamlReader& r, const YAML::Node& node, const std::string& what) {
  r.fail(node, what + " moved to the QuickBooks extension: write `extension: quickbooks` at the top of the file "
                      "and `quickbooks: {entity: Invoice}` in the stream instead of paginator and volume, "
                      "as config/quickbooks.yaml does");
}

PaginatorSpec read_paginator(const YamlReader& r, const YAML::Node& node) {
  PaginatorSpec p;
  if (!node) return p;
  r.require_map(node, "paginator");
  auto kind_name = r.text(node, "kind");
  if (kind_name == "qbo_query") moved_to_extension(r, node["kind"], "paginator kind qbo_query");
  r.allow_keys(node, {"kind", "limit_param", "offset_param", "page_param", "first_page", "cursor_param",
                      "next", "total", "stop_on_short_page", "first_cursor", "anchor"}, "paginator");
  auto kind = paginator_kind_from(kind_name);
  if (!kind) {
    r.fail(node["kind"], "unknown paginator kind '" + node["kind"].Scalar() +
                             "' (expected one of: none, offset, page_number, cursor, next_url, link_header)");
  }
  p.kind = *kind;
  p.limit_param = r.text(node, "limit_param", p.limit_param);
  p.offset_param = r.text(node, "offset_param", p.offset_param);
  p.page_param = r.text(node, "page_param", p.page_param);
  p.first_page = static_cast<int>(r.integer(node, "first_page", p.first_page, 0, 1));
  p.cursor_param = r.text(node, "cursor_param", p.cursor_param);
  p.first_cursor = r.text(node, "first_cursor", std::string());
  if (!p.first_cursor.empty() && p.kind != PaginatorKind::cursor) r.fail(node["first_cursor"], "'first_cursor' belongs to paginator kind cursor");
  auto anchor = r.text(node, "anchor", std::string("none"));
  if (anchor != "none" && anchor != "cursor") r.fail(node["anchor"], "'anchor' must be cursor or none, got '" + node["anchor"].Scalar() + "'");
  p.anchor_cursor = anchor == "cursor";
  if (p.anchor_cursor && p.kind != PaginatorKind::offset && p.kind != PaginatorKind::page_number) {
    r.fail(node["anchor"], "'anchor: cursor' needs paginator kind offset or page_number (links and tokens carry their own position)");
  }
  p.next = pointer(r, node, "next", p.kind == PaginatorKind::cursor ? "/next_cursor" : "/next");
  p.total = pointer(r, node, "total", "");
  bool counted = p.kind == PaginatorKind::offset || p.kind == PaginatorKind::page_number;
  p.stop_on_short_page = r.boolean(node, "stop_on_short_page", counted);
  return p;
}

VolumeSpec read_volume(const YamlReader& r, const YAML::Node& node) {
  VolumeSpec v;
  if (!node || (node.IsScalar() && node.Scalar() == "none")) return v;
  r.require_map(node, "volume");
  r.allow_keys(node, {"kind", "path", "count", "pointer", "header"}, "volume");
  auto kind = r.text(node, "kind");
  if (kind == "count_request") {
    v.kind = VolumeKind::count_request;
    v.path = r.text(node, "path");
    if (v.path.empty() || v.path[0] != '/') r.fail(node["path"], "'path' must start with '/'");
    v.pointer = pointer(r, node, "count", "/count");
  } else if (kind == "total_field") {
    v.kind = VolumeKind::total_field;
    v.pointer = pointer(r, node, "pointer", "/total");
  } else if (kind == "total_header") {
    v.kind = VolumeKind::total_header;
    v.header = r.text(node, "header", std::string("X-Total-Count"));
  } else if (kind == "qbo_count") {
    moved_to_extension(r, node["kind"], "volume kind qbo_count");
  } else if (kind != "none") {
    r.fail(node["kind"], "unknown volume kind '" + node["kind"].Scalar() +
                             "' (expected one of: none, count_request, total_field, total_header)");
  }
  return v;
}

std::vector<std::string> read_primary_key(const YamlReader& r, const YAML::Node& map, const char* key = "primary_key") {
  auto node = map[key];
  if (!node) r.fail(map, std::string("missing required key '") + key + "'");
  std::vector<std::string> keys;
  if (node.IsScalar()) keys.push_back(node.Scalar());
  else if (node.IsSequence()) for (const auto& k : node) keys.push_back(r.plain(k));
  else r.fail(node, std::string("'") + key + "' must be a JSON pointer or a list of them");
  if (keys.empty()) r.fail(node, std::string("'") + key + "' names no field");
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].empty() || !valid_json_pointer(keys[i])) {
      r.fail(node.IsSequence() ? node[i] : node, (key == std::string("id") ? "id" : "primary key") + std::string(" '") + keys[i] + "' is not a JSON pointer like /id");
    }
  }
  return keys;
}

// verify, out_of_window, max_record_bytes, and what they need of the rest of the stream.
void read_verification(const YamlReader& r, const YAML::Node& s, RestStreamSpec& spec) {
  auto verify = r.text(s, "verify", std::string("auto"));
  if (verify == "auto") spec.verify = VerifyMode::automatic;
  else if (verify == "sweep") spec.verify = VerifyMode::sweep;
  else if (verify == "none") spec.verify = VerifyMode::none;
  else r.fail(s["verify"], "'verify' must be auto, sweep or none, got '" + s["verify"].Scalar() + "'");
  if (spec.verify == VerifyMode::sweep && spec.paginator.anchor_cursor) {
    r.fail(s["verify"], "'verify: sweep' with 'anchor: cursor': an anchored walk needs no sweep; drop one");
  }
  if (spec.paginator.anchor_cursor && !spec.cursor) r.fail(s["paginator"], "'anchor: cursor' needs the stream's cursor");
  auto out = r.text(s, "out_of_window", std::string("fail"));
  if (out != "fail" && out != "load") r.fail(s["out_of_window"], "'out_of_window' must be fail or load, got '" + s["out_of_window"].Scalar() + "'");
  spec.out_of_window = out == "load" ? OutOfWindow::load : OutOfWindow::fail;
  spec.max_record_bytes = r.integer(s, "max_record_bytes", spec.max_record_bytes, 1024, 256LL << 20);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> read_string_map(const YamlReader& r, const YAML::Node& node,
                                                                 const std::string& what) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!node) return out;
  r.require_map(node, what);
  for (const auto& kv : node) {
    auto key = r.plain(kv.first);
    out.emplace_back(key, r.text(node, key.c_str()));
  }
  return out;
}

RestStreamSpec read_rest_stream(const YamlReader& r, const YAML::Node& s, const std::string& name,
                                const Section& section) {
  RestStreamSpec spec;
  section([&] {
    spec.path = r.text(s, "path");
    if (spec.path.empty() || spec.path[0] != '/') r.fail(s["path"], "'path' must start with '/'");
  });
  section([&] {
    spec.method = r.text(s, "method", spec.method);
    if (spec.method != "GET" && spec.method != "POST") r.fail(s["method"], "'method' must be GET or POST");
  });
  section([&] { spec.params = read_string_map(r, s["params"], "params of stream '" + name + "'"); });
  section([&] { spec.body = r.text(s, "body", std::string()); });
  section([&] { spec.records = pointer(r, s, "records", ""); });
  section([&] { spec.primary_key = read_primary_key(r, s); });
  section([&] { spec.cursor = read_cursor(r, s["cursor"]); });
  section([&] { spec.window = read_window(r, s["window"]); });
  section([&] { spec.paginator = read_paginator(r, s["paginator"]); });
  section([&] { spec.volume = read_volume(r, s["volume"]); });
  section([&] { read_verification(r, s, spec); });
  return spec;
}

// `deletions: {path, params, records, id, deleted_at, format, paginator, max_lookback}`: the
// stream's own parts where the feed does not say otherwise (its key, and no cursor or paging).
std::optional<DeletionSpec> read_deletions(const YamlReader& r, const YAML::Node& node, const RestStreamSpec& stream) {
  if (!node || (node.IsScalar() && node.Scalar() == "none")) return std::nullopt;
  r.require_map(node, "deletions");
  r.allow_keys(node, {"path", "method", "params", "body", "records", "id", "deleted_at", "format", "paginator",
                      "max_lookback"}, "deletions");
  DeletionSpec d;
  auto& f = d.feed;
  f.path = r.text(node, "path");
  if (f.path.empty() || f.path[0] != '/') r.fail(node["path"], "'path' must start with '/'");
  f.method = r.text(node, "method", f.method);
  if (f.method != "GET" && f.method != "POST") r.fail(node["method"], "'method' must be GET or POST");
  f.params = read_string_map(r, node["params"], "params of deletions");
  f.body = r.text(node, "body", std::string());
  f.records = pointer(r, node, "records", "");
  f.primary_key = node["id"] ? read_primary_key(r, node, "id") : stream.primary_key;
  auto format = time_format(r, node, "format");
  f.window.format = format;
  if (node["deleted_at"]) f.cursor = CursorSpec{pointer(r, node, "deleted_at", ""), format};
  f.paginator = read_paginator(r, node["paginator"]);
  f.verify = VerifyMode::none;           // a deletion seen twice is marked once
  f.out_of_window = OutOfWindow::load;   // a feed's time filter and its deleted-at may differ
  f.max_record_bytes = stream.max_record_bytes;
  if (node["max_lookback"]) {
    auto lookback = try_parse_duration(r.text(node, "max_lookback"));
    if (!lookback || lookback->total_seconds() <= 0) {
      r.fail(node["max_lookback"], "'max_lookback' must be an amount with a unit such as 30d, got '" +
                                       node["max_lookback"].Scalar() + "'");
    }
    d.max_lookback = *lookback;
  }
  return d;
}

}  // namespace tributary::connectors
