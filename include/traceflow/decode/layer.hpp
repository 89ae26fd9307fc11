// SPDX-License-Identifier: MIT
// Field and Layer: one decoded header as named text fields, as describe() returns it.
#pragma once

#include "../version.hpp"

#include <string>
#include <vector>

TRACEFLOW_NAMESPACE_BEGIN
namespace decode {

/// One named header field, its value as display text.
struct Field {
    std::string name;     ///< snake_case field name, e.g. "srcport"
    std::string value;    ///< display text, e.g. "443", "0x0800", "10.0.0.1"
    bool number = false;  ///< `value` is a decimal integer (ports, lengths, counts): the json format writes a number
};

/// One protocol header of a frame, e.g. {"IPv4", {{"src", "10.0.0.1"}, ...}}.
struct Layer {
    std::string name;           ///< "Ethernet", "VLAN", "MPLS", "PPPoE", "IPv4", "IPv6", "TCP", ...
    std::vector<Field> fields;  ///< in header order
};

}  // namespace decode
TRACEFLOW_NAMESPACE_END
