// SPDX-License-Identifier: MIT
// traceflow: the command-line tool. Reads captures, prints every TCP flow,
// optionally writes each flow to its own file; map and merge split the work.
#include "options.hpp"
#include "parts_commands.hpp"
#include "run.hpp"

int main(int argc, char** argv) {
    const cli::Options options = cli::parse_arguments(argc, argv);
    switch (options.command) {
        case cli::Command::map: return cli::run_map(options);
        case cli::Command::merge: return cli::run_merge(options);
        case cli::Command::run: break;
    }
    return cli::run(options);
}
