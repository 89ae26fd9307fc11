// SPDX-License-Identifier: MIT
// DecodeOptions: how frames are decoded.
#pragma once

namespace traceflow::decode {

/// How frames are decoded.
struct DecodeOptions {
    bool decap = false;  ///< unwrap VXLAN, Geneve, GRE
};

}  // namespace traceflow::decode
