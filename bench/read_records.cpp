// SPDX-License-Identifier: MIT
// traceflow_read_records CAPTURE: reads every record on one thread and does
// nothing else; the floor the scale-out bench (bench/scale_out.sh) measures against.
#include <traceflow/io/capture_reader.hpp>

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fputs("usage: traceflow_read_records CAPTURE\n", stderr);
        return 1;
    }
    try {
        traceflow::io::CaptureReader reader(argv[1]);
        traceflow::io::Record record;
        unsigned long long bytes = 0;
        while (reader.next(record)) bytes += record.frame.bytes.size;
        std::printf("%llu records, %llu bytes\n", static_cast<unsigned long long>(reader.records_read()), bytes);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "traceflow_read_records: %s\n", e.what());
        return 2;
    }
    return 0;
}
