// SPDX-License-Identifier: MIT
// Helpers shared by the libFuzzer targets: touching bytes, checks that abort, scratch folders.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>

#include <traceflow/byte_view.hpp>
#include <traceflow/errors.hpp>
#include <traceflow/io/capture_reader.hpp>
#include <unistd.h>

namespace fuzzutil {

/// Reads every byte of `bytes` so ASan sees any view that reaches past its buffer.
inline std::uint32_t touch(traceflow::ByteView bytes) noexcept {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < bytes.size; ++i) sum = sum * 31 + bytes.data[i];
    return sum;
}

/// Keeps a value alive so the compiler cannot drop the reads that made it.
template <typename T>
inline void keep(const T& value) noexcept {
    static volatile T sink;
    sink = value;
}

/// A broken invariant is a finding: say which and abort so libFuzzer saves the input.
[[noreturn]] inline void fail(const char* file, int line, const char* what) noexcept {
    std::fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", file, line, what);
    std::abort();
}

#define FUZZ_CHECK(cond)                                          \
    do {                                                          \
        if (!(cond)) ::fuzzutil::fail(__FILE__, __LINE__, #cond); \
    } while (0)

/// True when `view` lies inside [begin, begin + size).
inline bool inside(traceflow::ByteView view, const std::uint8_t* begin, std::size_t size) noexcept {
    if (view.size == 0) return true;
    return view.data >= begin && view.data + view.size <= begin + size && view.data + view.size >= view.data;
}

/// This process's scratch folder: $TRACEFLOW_FUZZ_TMP, else /dev/shm (file
/// creation in RAM), else the system temp folder; one subfolder per process.
inline const std::filesystem::path& scratch_root() {
    static const std::filesystem::path root = [] {
        namespace fs = std::filesystem;
        fs::path base;
        if (const char* env = std::getenv("TRACEFLOW_FUZZ_TMP"); env != nullptr && *env != '\0') {
            base = env;
        } else {
            std::error_code ec;
            base = fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
        }
        fs::path p = base / ("traceflow-fuzz-" + std::to_string(::getpid()));
        fs::remove_all(p);
        fs::create_directories(p);
        // Leave nothing behind on a normal exit (a crash keeps the evidence).
        static const std::filesystem::path* keep_path = new std::filesystem::path(p);
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(*keep_path, ec);
        });
        return p;
    }();
    return root;
}

/// Reads every record of a capture held in `data`, touching every byte of
/// every frame and checking what the readers promise: records numbered 1..n
/// at rising offsets, views inside the input, and on damage a FormatError
/// naming the input, at an offset inside it, that repeats on the next call.
inline void read_capture(const std::uint8_t* data, std::size_t size) {
    const std::string name = "fuzz-input";
    std::uint64_t delivered = 0;
    std::uint64_t last_offset = 0;
    std::uint32_t sum = 0;
    std::optional<traceflow::io::CaptureReader> reader;
    try {
        reader.emplace(traceflow::io::CaptureReader::from_memory(traceflow::ByteView(data, size), name));
        traceflow::io::Record r;
        const bool pcap = reader->format() == traceflow::io::CaptureFormat::pcap;
        while (reader->next(r)) {
            ++delivered;
            FUZZ_CHECK(r.number == delivered);
            FUZZ_CHECK(delivered == 1 || r.offset > last_offset);
            FUZZ_CHECK(r.offset < size);
            last_offset = r.offset;
            FUZZ_CHECK(inside(r.frame.bytes, data, size));
            if (pcap) {
                FUZZ_CHECK(r.frame.bytes.size == 0 || r.frame.bytes.data == data + r.offset + 16);
                FUZZ_CHECK(r.interface_id == 0);
            } else {
                const auto& interfaces = reader->pcapng()->interfaces();
                FUZZ_CHECK(r.interface_id < interfaces.size());
                FUZZ_CHECK(interfaces[r.interface_id].link_type == r.linktype);
            }
            FUZZ_CHECK(r.frame.timestamp.nsec < 1'000'000'000u);
            sum += touch(r.frame.bytes) + r.frame.wirelen;
            FUZZ_CHECK(reader->records_read() == delivered);
            FUZZ_CHECK(reader->bytes_read() <= size);
        }
        FUZZ_CHECK(reader->bytes_read() == size);  // a clean end means every byte was read
        FUZZ_CHECK(!reader->next(r));              // and stays clean
    } catch (const traceflow::FormatError& e) {
        FUZZ_CHECK(e.path() == name);
        FUZZ_CHECK(e.offset() <= size);
        FUZZ_CHECK(delivered == 0 || e.offset() > last_offset);
        if (reader) {
            // The reader stays on the damage: the same error again, nothing new delivered.
            traceflow::io::Record r;
            bool again = false;
            try {
                reader->next(r);
            } catch (const traceflow::FormatError& e2) {
                again = e2.record() == e.record() && e2.offset() == e.offset();
            }
            FUZZ_CHECK(again);
            FUZZ_CHECK(reader->records_read() == delivered);
        }
    }
    keep(sum);
}

}  // namespace fuzzutil
