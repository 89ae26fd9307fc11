// SPDX-License-Identifier: MIT
// FileCache: many output files, few descriptors. An LRU of open std::FILE*s
// that reopens a file in append mode when its flow writes again.
#pragma once

#include "../version.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "../errors.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail {

class FileCache {
public:
    using Id = std::uint32_t;

    /// At most `max_open` files are open at once (at least 1).
    explicit FileCache(std::size_t max_open, std::size_t buffer_size = 64 * 1024)
        : max_open_(max_open == 0 ? 1 : max_open), buffer_size_(buffer_size) {}

    FileCache(const FileCache&) = delete;
    FileCache& operator=(const FileCache&) = delete;

    ~FileCache() {
        for (Entry& e : entries_)
            if (e.file != nullptr) std::fclose(e.file);
    }

    /// Registers a file to be created on first write; nothing touches the disk
    /// yet. `path` must outlive the registration (until release()).
    Id add(const std::string* path) {
        Id id;
        if (!free_.empty()) {
            id = free_.back();
            free_.pop_back();
        } else {
            id = static_cast<Id>(entries_.size());
            entries_.emplace_back();
        }
        Entry& e = entries_[id];
        e.path = path;
        e.created = false;
        e.in_use = true;
        return id;
    }

    [[nodiscard]] const std::string& path(Id id) const { return *entries_[id].path; }
    /// True once the file exists on disk (something was written to it).
    [[nodiscard]] bool created(Id id) const { return entries_[id].created; }
    [[nodiscard]] std::size_t open_count() const noexcept { return open_count_; }
    [[nodiscard]] std::size_t max_open() const noexcept { return max_open_; }

    /// Appends bytes to the file, opening it (and closing the least recently
    /// used one) if needed. Throws IoError on failure.
    void write(Id id, const void* data, std::size_t size) {
        std::FILE* f = acquire(id);
        if (size != 0 && std::fwrite(data, 1, size, f) != size) fail(id, "write failed");
    }

    /// Flushes and closes the file if open, and forgets it. Throws IoError if
    /// the flush fails (e.g. disk full); the entry is released either way.
    void release(Id id) {
        Entry& e = entries_[id];
        const bool ok = close_entry(id);
        const int err = errno;
        const std::string* path = e.path;
        e.path = nullptr;
        e.in_use = false;
        free_.push_back(id);
        if (!ok) throw IoError(*path, std::error_code(err, std::generic_category()), "close failed");
    }

    /// Flushes and closes every open file (they reopen in append mode on the next write).
    void close_all() {
        for (Id id = lru_head_; id != none;) {
            const Id next = entries_[id].next;
            if (!close_entry(id)) fail_closed(id);
            id = next;
        }
    }

private:
    static constexpr Id none = 0xFFFFFFFFu;

    struct Entry {
        const std::string* path = nullptr;
        std::FILE* file = nullptr;
        std::unique_ptr<char[]> buffer;
        Id prev = none;
        Id next = none;
        bool created = false;
        bool in_use = false;
    };

    std::FILE* acquire(Id id) {
        Entry& e = entries_[id];
        if (e.file != nullptr) {
            if (lru_head_ != id) {
                unlink(id);
                push_front(id);
            }
            return e.file;
        }
        if (open_count_ >= max_open_ && lru_tail_ != none) {
            const Id victim = lru_tail_;
            if (!close_entry(victim)) fail_closed(victim);
        }
        errno = 0;
        std::FILE* f = std::fopen(e.path->c_str(), e.created ? "ab" : "wb");
        if (f == nullptr) fail(id, e.created ? "cannot reopen output file" : "cannot create output file");
        if (buffer_size_ != 0) {
            if (!e.buffer) e.buffer.reset(new char[buffer_size_]);
            std::setvbuf(f, e.buffer.get(), _IOFBF, buffer_size_);
        }
        e.file = f;
        e.created = true;
        ++open_count_;
        push_front(id);
        return f;
    }

    // Returns false when flushing or closing reported an error (errno set).
    bool close_entry(Id id) {
        Entry& e = entries_[id];
        if (e.file == nullptr) return true;
        unlink(id);
        errno = 0;
        const bool flushed = std::fflush(e.file) == 0;
        const int flush_errno = errno;
        const bool closed = std::fclose(e.file) == 0;
        e.file = nullptr;
        e.buffer.reset();  // memory is bounded by open files, not by flows
        --open_count_;
        if (!flushed) errno = flush_errno;
        return flushed && closed;
    }

    void unlink(Id id) {
        Entry& e = entries_[id];
        if (e.prev != none) entries_[e.prev].next = e.next;
        else lru_head_ = e.next;
        if (e.next != none) entries_[e.next].prev = e.prev;
        else lru_tail_ = e.prev;
        e.prev = e.next = none;
    }

    void push_front(Id id) {
        Entry& e = entries_[id];
        e.prev = none;
        e.next = lru_head_;
        if (lru_head_ != none) entries_[lru_head_].prev = id;
        lru_head_ = id;
        if (lru_tail_ == none) lru_tail_ = id;
    }

    [[noreturn]] void fail(Id id, const char* what) {
        const int err = errno != 0 ? errno : EIO;
        throw IoError(*entries_[id].path, std::error_code(err, std::generic_category()), what);
    }
    [[noreturn]] void fail_closed(Id id) { fail(id, "flush failed"); }

    std::vector<Entry> entries_;
    std::vector<Id> free_;
    std::size_t max_open_;
    std::size_t buffer_size_;
    std::size_t open_count_ = 0;
    Id lru_head_ = none;
    Id lru_tail_ = none;
};

}  // namespace detail
TRACEFLOW_NAMESPACE_END
