#pragma once
// Prometheus text-format metrics (exposition format 0.0.4), written atomically to a file for
// node_exporter's textfile collector: the file is written beside its final name and renamed
// over it, so a scrape never reads half a file.
#include <map>
#include <string>
#include <vector>

namespace tributary {

struct MetricSample {
  MetricSample(std::map<std::string, std::string> l, double v, std::string s = "")
      : labels(std::move(l)), value(v), suffix(std::move(s)) {}
  std::map<std::string, std::string> labels;
  double value = 0;
  std::string suffix;  // a summary's "_sum" / "_count"
};

struct Metric {
  std::string name;  // tributary_..., [a-zA-Z_:][a-zA-Z0-9_:]*
  std::string help;
  std::string type;  // counter | gauge | summary
  std::vector<MetricSample> samples;
};

// The metrics in text format: HELP and TYPE lines, then one line per sample; label values
// escaped (backslash, double quote, newline).
std::string render_metrics(const std::vector<Metric>& metrics);

// Writes `text` to `path` atomically. Throws Error(usage) naming the path when it cannot.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace tributary
