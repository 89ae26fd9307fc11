// SPDX-License-Identifier: MIT
// Test helper: read every record of an in-memory capture, keeping the error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <traceflow/io/capture_reader.hpp>

namespace testutil {

using Bytes = std::vector<std::uint8_t>;

inline Bytes to_bytes(traceflow::ByteView v) { return Bytes(v.begin(), v.end()); }

/// What reading a capture gave: the records (with copies of their bytes)
/// delivered before a FormatError, and that error.
struct ReadResult {
    std::vector<traceflow::io::Record> records;
    std::vector<Bytes> data;
    bool threw = false;
    std::uint64_t error_record = 0;  ///< FormatError::record() (a block number in pcapng)
    std::uint64_t error_offset = 0;
    std::string error_path;
    std::string message;
};

inline ReadResult read_all(traceflow::ByteView bytes, const std::string& name) {
    ReadResult o;
    try {
        auto reader = traceflow::io::CaptureReader::from_memory(bytes, name);
        traceflow::io::Record r;
        while (reader.next(r)) {
            o.records.push_back(r);
            o.data.push_back(to_bytes(r.frame.bytes));
        }
    } catch (const traceflow::FormatError& e) {
        o.threw = true;
        o.error_record = e.record();
        o.error_offset = e.offset();
        o.error_path = e.path();
        o.message = e.what();
    }
    return o;
}

}  // namespace testutil
