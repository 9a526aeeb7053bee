#include <malloc.h>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  // Every worker thread and every page fetched ahead allocates megabyte-sized page buffers.
  // glibc gives threads arenas of their own (up to eight per core), each keeping the memory its
  // pages freed: peak RSS then grew with the thread count, not with the pages held (65-83 MiB
  // against 45-56 MiB with two arenas for the same 200,000-invoice backfill, at the same CPU).
  mallopt(M_ARENA_MAX, 2);
  // Buffers of 512 KiB and more (page bodies) get memory of their own, returned when freed.
  // Left to itself glibc raises that bar to the largest buffer freed so far, and the bodies then
  // fragment the arenas: peak RSS followed the records a run had read (4 workers, bodies reused:
  // 40 MiB at 100,000 invoices, 49 MiB at 2,000,000; with this bar 35 and 36 MiB). Bodies are
  // reused from page to page (HttpClient::give_back), so few are ever mapped anew; a lower bar
  // (128 KiB) also mapped each page's record list, and was less flat (35 and 40 MiB). With this
  // bar, giving free memory back after each window (malloc_trim) changed nothing (36.3 against
  // 36.7 MiB at 2,000,000) and was dropped.
  mallopt(M_MMAP_THRESHOLD, 512 << 10);
  return tributary::cli::run(argc, argv);
}
