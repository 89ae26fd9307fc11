// SPDX-License-Identifier: MIT
// The FilterError a filter expression gives; the test fails when it compiles.
#pragma once

#include <traceflow/filter/filter.hpp>

#include <string>

#include "test_catch.hpp"

namespace testutil {

inline traceflow::filter::FilterError filter_error_of(const std::string& expr) {
    try {
        (void)traceflow::filter::Filter(expr);
    } catch (const traceflow::filter::FilterError& e) {
        return e;
    }
    FAIL("no error for: " << expr);
    return traceflow::filter::FilterError("", 0, "");
}

}  // namespace testutil
