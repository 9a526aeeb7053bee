// The Prometheus text format as written, and the file replaced atomically.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "core/metrics.hpp"

namespace tributary {
namespace {

TEST(Metrics, RenderedInTheTextFormatWithLabelValuesEscaped) {
  std::vector<Metric> metrics = {
      {"tributary_run_pages_total", "Pages committed.", "counter", {{{{"connector", "qbo"}, {"run", "7"}}, 12}}},
      {"tributary_stream_failed_windows", "Failed.", "gauge",
       {{{{"stream", "a\"b\\c\nd"}}, 0}, {{}, 1.5}}},
      {"tributary_run_window_seconds", "Durations.", "summary", {{{}, 2.25, "_sum"}, {{}, 3, "_count"}}},
  };
  EXPECT_EQ(render_metrics(metrics),
            "# HELP tributary_run_pages_total Pages committed.\n"
            "# TYPE tributary_run_pages_total counter\n"
            "tributary_run_pages_total{connector=\"qbo\",run=\"7\"} 12\n"
            "# HELP tributary_stream_failed_windows Failed.\n"
            "# TYPE tributary_stream_failed_windows gauge\n"
            "tributary_stream_failed_windows{stream=\"a\\\"b\\\\c\\nd\"} 0\n"
            "tributary_stream_failed_windows 1.5\n"
            "# HELP tributary_run_window_seconds Durations.\n"
            "# TYPE tributary_run_window_seconds summary\n"
            "tributary_run_window_seconds_sum 2.25\n"
            "tributary_run_window_seconds_count 3\n");
}

TEST(Metrics, TheFileIsReplacedWholeOrNotAtAll) {
  auto dir = std::filesystem::temp_directory_path() / ("tributary-metrics-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "t.prom").string();
  write_file_atomically(path, "first\n");
  write_file_atomically(path, "second\n");
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "second\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1) << "no temporary file left";
  try {
    write_file_atomically((dir / "missing" / "t.prom").string(), "x");
    FAIL() << "no error for a directory that does not exist";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(std::string(e.what()).find("--metrics-file"), std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tributary
