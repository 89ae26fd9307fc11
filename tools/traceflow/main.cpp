// SPDX-License-Identifier: MIT
// traceflow: the command-line tool. Reads captures, prints every TCP flow,
// optionally writes each flow to its own file.
#include "options.hpp"
#include "run.hpp"

int main(int argc, char** argv) { return cli::run(cli::parse_arguments(argc, argv)); }
