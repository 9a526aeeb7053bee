#pragma once
// The command line: parses arguments, runs one command, returns the process exit code.
namespace tributary::cli {

int run(int argc, char** argv);

}  // namespace tributary::cli
