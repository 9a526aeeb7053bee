# simdjson's kernels (docs/performance-simdjson.md). Debian's libsimdjson picks its kernel for
# the CPU at run time (icelake, haswell, westmere or fallback on x86-64): that kernel indexes
# every page and unescapes its strings. Only the On-Demand walk is inlined into our objects and
# follows our target flags. We keep the portable x86-64 baseline, with no -march/-mavx2: the image
# is built on one machine and run on others, and the walk compiled for AVX2 measured no faster
# (scripts/bench-parse.sh).
set(TRIB_X86_64 OFF)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(TRIB_X86_64 ON)
  # The haswell kernel's instruction sets: only parse_bench_haswell is built with them, to
  # measure the walk compiled for that kernel.
  set(TRIB_HASWELL_FLAGS -mavx2 -mbmi -mpclmul -mlzcnt)
  string(TOUPPER "${CMAKE_BUILD_TYPE}" trib_build_type)
  string(REGEX MATCH "(^| )-(march=|mavx|mbmi|msse4|mpclmul|mlzcnt)[^ ]*" trib_isa_flag
         " ${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${trib_build_type}}")
  string(STRIP "${trib_isa_flag}" trib_isa_flag)
  if(trib_isa_flag AND NOT trib_isa_flag STREQUAL "-march=x86-64")
    message(WARNING "CMAKE_CXX_FLAGS holds '${trib_isa_flag}': the binary may crash with SIGILL on "
                    "x86-64 CPUs without those instructions. simdjson already picks its fastest kernel "
                    "at run time; see docs/performance-simdjson.md.")
  endif()
endif()
