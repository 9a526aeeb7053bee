#pragma once
// Which simdjson kernel parses the answers, for the debug log, the parse benchmark and the tests.
//
// Two parts of simdjson run on our JSON, chosen differently (docs/performance-simdjson.md):
//  - libsimdjson's kernel, chosen at run time for the CPU (icelake, haswell, westmere or
//    fallback on x86-64; arm64 or fallback on ARM). On-Demand parsers take it when they first
//    allocate: it indexes every structural character of a page and unescapes its strings.
//  - the On-Demand walk (iteration, field lookup, numbers), inlined into our own objects and
//    fixed at compile time by our target flags: fallback at Debian's x86-64 baseline.
#include <string>
#include <vector>

namespace tributary::connectors {

struct JsonKernel {
  std::string active;                 // runtime kernel, e.g. "haswell"
  std::string description;            // e.g. "Intel/AMD AVX2"
  std::string compiled;               // the On-Demand walk's kernel, e.g. "fallback"
  std::vector<std::string> supported;  // kernels this build has that this CPU can run, best first
  std::string forced;                 // SIMDJSON_FORCE_IMPLEMENTATION when set
  bool runnable = true;               // false: the active kernel cannot run here (forced wrongly)
};

// Reads (and on first use triggers) libsimdjson's choice for this process.
JsonKernel json_kernel();

// "JSON: simdjson haswell kernel (Intel/AMD AVX2), chosen at run time; ..."
std::string describe_json_kernel(const JsonKernel& kernel);

// Logs the kernel once per process: debug when all is well, warn when SIMDJSON_FORCE_IMPLEMENTATION
// names a kernel that cannot run (every parse would fail or, for a CPU lacking the
// instructions, crash).
void log_json_kernel_once();

}  // namespace tributary::connectors
