// SPDX-License-Identifier: MIT
// A compiled packet filter: tests joined by jumps, run without allocation.
#pragma once

#include "../version.hpp"

#include <cstdint>
#include <vector>

#include "../detail/filtering/filter_tests.hpp"
#include "instruction.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace filter {

/// A filter as a flat array of tests with true/false jumps (as BPF runs
/// them): no recursion, no stack, no allocation when run.
struct Program {
    static constexpr std::uint32_t accept = 0xFFFFFFFFu;  ///< jump target: the packet matches
    static constexpr std::uint32_t reject = 0xFFFFFFFEu;  ///< jump target: it does not

    std::vector<Instruction> code;  ///< the tests
    std::vector<ArithStep> arith;   ///< the steps of the `relation` tests (byte tests)
    std::uint32_t entry = accept;   ///< where to start (accept: the empty filter)
    /// Some byte test reads TCP header bytes beyond the fields of FilterFields
    /// (past tcp[0..11] and tcp[13]): FilterFields::tcp must be given for it.
    bool needs_tcp_bytes = false;

    /// Runs the program on one packet. A byte test reading past the captured
    /// bytes (or dividing by zero) rejects the packet, as in tcpdump.
    [[nodiscard]] bool run(const FilterFields& fields) const noexcept {
        using detail::filtering::TestResult;
        std::uint32_t pc = entry;
        // Jumps only go to instructions emitted earlier, so this ends.
        while (pc < code.size()) {
            const TestResult r = detail::filtering::run_test(code[pc], fields, arith.data());
            if (r == TestResult::abort) return false;
            pc = r == TestResult::yes ? code[pc].if_true : code[pc].if_false;
        }
        return pc == accept;
    }
};

}  // namespace filter
TRACEFLOW_NAMESPACE_END
