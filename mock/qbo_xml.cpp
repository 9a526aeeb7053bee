#include "mock/qbo_xml.hpp"

#include <simdjson.h>

namespace tributary::mock {
namespace {

using simdjson::dom::element;

std::string scalar_text(element v) {
  if (v.is_string()) return std::string(v.get_string().value());
  if (v.is_bool()) return v.get_bool().value() ? "true" : "false";
  if (v.is_null()) return "";
  return simdjson::minify(v);  // numbers keep their JSON spelling
}

bool is_reference(element v) {
  simdjson::dom::object obj;
  if (v.get(obj) || obj.size() == 0 || obj.size() > 2) return false;
  for (auto [key, value] : obj) {
    if ((key != "value" && key != "name") || !value.is_string()) return false;
  }
  return obj.at_key("value").error() == simdjson::SUCCESS;
}

void write_element(std::string& out, std::string_view name, element v);

void write_children(std::string& out, simdjson::dom::object obj) {
  for (auto [key, value] : obj) write_element(out, key, value);
}

void write_element(std::string& out, std::string_view name, element v) {
  if (v.is_array()) {
    for (element item : v.get_array()) write_element(out, name, item);
    return;
  }
  out += "<" + std::string(name);
  if (is_reference(v)) {
    std::string_view label;
    if (!v["name"].get(label)) out += " name=\"" + xml_escape(label) + "\"";
    out += ">" + xml_escape(v["value"].get_string().value());
  } else if (v.is_object()) {
    out += ">";
    write_children(out, v.get_object());
  } else {
    out += ">" + xml_escape(scalar_text(v));
  }
  out += "</" + std::string(name) + ">";
}

}  // namespace

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string intuit_response_xml(const std::string& time, const std::string& inner) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
         "<IntuitResponse xmlns=\"http://schema.intuit.com/finance/v3\" time=\"" +
         xml_escape(time) + "\">" + inner + "</IntuitResponse>";
}

std::string json_entity_to_xml(const std::string& entity, const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj = parser.parse(json).get_object().value();
  std::string out = "<" + entity;
  std::string children;
  for (auto [key, value] : obj) {
    if (key == "domain" || key == "sparse" || key == "status") {
      out += " " + std::string(key) + "=\"" + xml_escape(scalar_text(value)) + "\"";
    } else {
      write_element(children, key, value);
    }
  }
  return out + ">" + children + "</" + entity + ">";
}

}  // namespace tributary::mock
