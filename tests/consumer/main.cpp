// SPDX-License-Identifier: MIT
// Downstream smoke test: includes the umbrella header from wherever the build
// found traceflow, and exercises it at run time (exit code 1 on any failure).
#include <traceflow/traceflow.hpp>

#include <cstdio>
#include <cstring>

int main() {
    int failures = 0;
    const auto check = [&failures](bool ok, const char* what) {
        if (!ok) {
            std::fprintf(stderr, "traceflow consumer: check failed: %s\n", what);
            ++failures;
        }
    };

    const auto v6 = traceflow::IpAddress::parse("::1");
    check(v6.has_value() && v6->to_string() == "::1", "IpAddress::parse(\"::1\")->to_string() == \"::1\"");
    const auto v4 = traceflow::IpAddress::parse("192.168.0.1");
    check(v4.has_value() && *v4 == traceflow::IpAddress::v4(0xC0A80001u), "IpAddress::parse(\"192.168.0.1\")");
    check(!traceflow::IpAddress::parse("not an address").has_value(), "IpAddress::parse rejects junk");

    const auto t = traceflow::Timestamp::parse("1511106549.91372");
    check(t.has_value() && t->to_python_repr() == "1511106549.91372", "Timestamp parse / to_python_repr round trip");

#ifdef TRACEFLOW_CONSUMER_EXPECTED_VERSION
    // version.hpp must agree with the CMake package version.
    check(std::strcmp(traceflow::version_string, TRACEFLOW_CONSUMER_EXPECTED_VERSION) == 0,
          "traceflow::version_string == CMake project version");
#endif

    return failures == 0 ? 0 : 1;
}
