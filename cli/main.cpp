#include <malloc.h>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  // Pages are buffers of about a megabyte, allocated and freed by every worker thread. glibc
  // raises its mmap threshold after the first such free and serves later ones from per-thread
  // arenas, which keep the freed memory: peak RSS then grows with workers × page history. A
  // fixed threshold returns each page's memory to the system when it is released.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  return tributary::cli::run(argc, argv);
}
