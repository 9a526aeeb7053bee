#include "cli/commands.hpp"

int main(int argc, char** argv) { return tributary::cli::run(argc, argv); }
