# Instrumented builds (scripts/test.sh --sanitize, scripts/fuzz.sh). Flags apply to every target
# of the project; Debian's prebuilt libraries stay uninstrumented.
option(TRIBUTARY_SANITIZE "Build everything with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(TRIBUTARY_FUZZ "Build the libFuzzer targets in tests/fuzz (needs clang)" OFF)

if(TRIBUTARY_SANITIZE OR TRIBUTARY_FUZZ)
  # -fno-sanitize-recover: undefined behaviour aborts the process, so a test cannot pass over it.
  set(TRIB_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_compile_options(${TRIB_SANITIZER_FLAGS})
  add_link_options(${TRIB_SANITIZER_FLAGS})
endif()

if(TRIBUTARY_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "TRIBUTARY_FUZZ needs clang (libFuzzer): configure with CXX=clang++")
  endif()
  # Coverage for every library; only the fuzz targets link libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
