// SPDX-License-Identifier: MIT
// DecodeOptions: what the decoder may do beyond pcapkit's view of a frame.
#pragma once

#include "../version.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace decode {

/// Choices of decode_tcp(); the defaults decode as pcapkit does.
struct DecodeOptions {
    bool decap = false;  ///< unwrap VXLAN (UDP 4789), Geneve (UDP 6081), GRE and GTP-U (UDP 2152) to the inner TCP
};

}  // namespace decode
TRACEFLOW_NAMESPACE_END
