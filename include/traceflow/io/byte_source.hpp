// SPDX-License-Identifier: MIT
// ByteSource: buffered sequential input from a file, stdin or memory, read as views into one buffer.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include "../byte_view.hpp"
#include "../errors.hpp"

namespace traceflow::io {

/// Sequential input that hands out views into a large buffer instead of
/// copying: `ensure(n)` makes `n` contiguous bytes readable at `data()`, and
/// `consume(n)` moves past them. A view stays valid until the next `ensure`.
/// Files are read with `std::fread` into a buffer (4 MiB by default) that grows
/// only for a request larger than itself; memory is read in place.
///
///     io::ByteSource in("trace.pcap");
///     while (in.ensure(16)) { use(in.data()); in.consume(16); }
class ByteSource {
public:
    /// Buffer size for files: large enough that fread's cost is all copying,
    /// small enough to stay in cache. 1 MiB ran as fast as 4 MiB on a 627 MB
    /// capture and 2.5x faster on a 3.8 MB one (fewer first-touch page faults).
    static constexpr std::size_t default_capacity = std::size_t{1} << 20;

    /// Opens `path` for reading; "-" reads stdin. Throws IoError when it cannot be opened.
    explicit ByteSource(const std::string& path, std::size_t capacity = default_capacity) : name_(path) {
        capacity_ = capacity < min_capacity ? min_capacity : capacity;
        // Default-initialised: pages are only touched (and faulted in) as fread fills them.
        buffer_.reset(new std::uint8_t[capacity_]);
        pos_ = end_ = buffer_.get();
        if (path == "-") {
            file_ = stdin;
        } else {
            file_ = std::fopen(path.c_str(), "rb");
            if (file_ == nullptr) throw IoError(path, std::error_code(errno, std::generic_category()), "cannot open");
            close_ = true;
        }
    }

    /// Reads `bytes` in place; they must outlive the source. `name` is used in error messages.
    [[nodiscard]] static ByteSource from_memory(ByteView bytes, std::string name) {
        ByteSource s;
        s.name_ = std::move(name);
        s.pos_ = bytes.data;
        s.end_ = bytes.data + bytes.size;
        return s;
    }

    ByteSource(const ByteSource&) = delete;
    ByteSource& operator=(const ByteSource&) = delete;
    ByteSource(ByteSource&& other) noexcept { swap(other); }
    ByteSource& operator=(ByteSource&& other) noexcept {
        ByteSource(std::move(other)).swap(*this);
        return *this;
    }
    ~ByteSource() {
        if (close_) std::fclose(file_);
    }

    /// Makes at least `n` bytes readable at `data()`; false when the input ends
    /// first (what is left is then `available()` bytes). Throws IoError on a read error.
    [[nodiscard]] bool ensure(std::size_t n) { return available() >= n || refill(n); }
    /// The next unread byte.
    [[nodiscard]] const std::uint8_t* data() const noexcept { return pos_; }
    /// Bytes readable at `data()` without reading more input.
    [[nodiscard]] std::size_t available() const noexcept { return static_cast<std::size_t>(end_ - pos_); }
    /// Moves past `n` bytes; `n` must not exceed `available()`.
    void consume(std::size_t n) noexcept {
        pos_ += n;
        offset_ += n;
    }
    /// Byte offset in the input of `data()`.
    [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }
    /// The path, "-" or the name given to `from_memory`.
    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    /// Current buffer size in bytes (0 for memory).
    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

private:
    static constexpr std::size_t min_capacity = 64;

    ByteSource() = default;

    void swap(ByteSource& o) noexcept {
        using std::swap;
        swap(name_, o.name_);
        swap(file_, o.file_);
        swap(close_, o.close_);
        swap(eof_, o.eof_);
        swap(buffer_, o.buffer_);
        swap(capacity_, o.capacity_);
        swap(pos_, o.pos_);
        swap(end_, o.end_);
        swap(offset_, o.offset_);
    }

    // Out of the hot path: moves the unread tail to the front (growing the
    // buffer for an oversized request) and fills the rest from the file.
    bool refill(std::size_t n) {
        if (file_ == nullptr || eof_) return false;
        std::size_t avail = available();
        if (n > capacity_) {
            constexpr std::size_t step = std::size_t{1} << 20;
            const std::size_t grown = (n + step - 1) / step * step;
            std::unique_ptr<std::uint8_t[]> fresh(new std::uint8_t[grown]);
            if (avail != 0) std::memcpy(fresh.get(), pos_, avail);
            buffer_ = std::move(fresh);
            capacity_ = grown;
        } else if (avail != 0 && pos_ != buffer_.get()) {
            std::memmove(buffer_.get(), pos_, avail);
        }
        std::uint8_t* base = buffer_.get();
        pos_ = base;
        while (avail < n) {
            const std::size_t want = capacity_ - avail;
            const std::size_t got = std::fread(base + avail, 1, want, file_);
            avail += got;
            if (got < want) {
                if (std::ferror(file_)) {
                    const int err = errno;
                    end_ = base + avail;
                    throw IoError(name_, std::error_code(err, std::generic_category()), "read failed");
                }
                if (got == 0 || std::feof(file_)) {
                    eof_ = true;
                    break;
                }
            }
        }
        end_ = base + avail;
        return avail >= n;
    }

    std::string name_;
    std::FILE* file_ = nullptr;
    bool close_ = false;
    bool eof_ = false;
    std::unique_ptr<std::uint8_t[]> buffer_;
    std::size_t capacity_ = 0;
    const std::uint8_t* pos_ = nullptr;
    const std::uint8_t* end_ = nullptr;
    std::uint64_t offset_ = 0;
};

}  // namespace traceflow::io
