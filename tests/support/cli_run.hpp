// SPDX-License-Identifier: MIT
// Runs the built traceflow tool with a command line and collects its exit status and output.
#pragma once

#include <cstdlib>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

#include "mini_json.hpp"
#include "test_util.hpp"

#if defined(TRACEFLOW_CLI_PATH)

namespace testcli {

/// What one run of the tool gave.
struct Run {
    int status = -1;  ///< exit status, -1 when it did not exit normally
    std::string out;  ///< standard output
    std::string err;  ///< standard error
};

/// Runs `traceflow ARGS` through the shell (ARGS may hold redirections).
inline Run run(const std::string& args) {
    testutil::TempDir tmp;
    const std::string out = tmp.str() + "/out";
    const std::string err = tmp.str() + "/err";
    const std::string command = std::string(TRACEFLOW_CLI_PATH) + " " + args + " >" + out + " 2>" + err;
    const int raw = std::system(command.c_str());
    Run r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = testutil::read_file(out);
    r.err = testutil::read_file(err);
    return r;
}

/// The shipped sample capture.
inline std::string sample() { return std::string(TRACEFLOW_SOURCE_DIR) + "/examples/data/sample.pcap"; }

/// A shipped capture of 600 short flows (2000 frames).
inline std::string many_short_flows() {
    return std::string(TRACEFLOW_SOURCE_DIR) + "/tests/data/tcp/many_short_flows.pcap";
}

/// Every non-empty line of `text`, parsed as JSON.
inline std::vector<testjson::Value> json_lines(const std::string& text) {
    std::vector<testjson::Value> out;
    std::stringstream ss(text);
    std::string line;
    while (std::getline(ss, line))
        if (!line.empty()) out.push_back(testjson::parse(line));
    return out;
}

}  // namespace testcli

#endif  // TRACEFLOW_CLI_PATH
