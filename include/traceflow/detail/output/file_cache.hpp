// SPDX-License-Identifier: MIT
// FileCache: many output files, few descriptors, bounded memory. Frames wait
// in per-file blocks from a shared pool; an LRU of open std::FILE*s writes
// them, reopening a file in append mode when its flow writes again.
#pragma once

#include "../../version.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "../../errors.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::output {

/// Each file's bytes wait in a block of `block_size` bytes taken from a pool
/// of at most `buffer_bytes / block_size` blocks (at least one); a full block
/// goes out in one write. When the pool is used up, the block of the file
/// written least recently is written out and reused, so memory stays within
/// the pool whatever the number of files, and a reopened file gets many frames
/// in one write. Descriptors are an LRU of at most `max_open` unbuffered
/// streams; a file's waiting bytes go out before its stream is closed for
/// another (so no reopen only to write them). When the process runs out of
/// descriptors first, files are closed until one opens, and no more than
/// that are kept open from then on.
class FileCache {
public:
    using Id = std::uint32_t;

    /// The default block size: one write per 64 KiB of a file.
    static constexpr std::size_t default_block_size = std::size_t{64} << 10;

    /// At most `max_open` files are open at once (at least 1), and at most
    /// `buffer_bytes` (at least one block) wait in memory.
    explicit FileCache(std::size_t max_open, std::size_t buffer_bytes = std::size_t{8} << 20,
                       std::size_t block_size = default_block_size)
        : max_open_(max_open == 0 ? 1 : max_open),
          block_size_(block_size == 0 ? 1 : block_size),
          max_blocks_(buffer_bytes / block_size_ == 0 ? 1 : buffer_bytes / block_size_) {}

    FileCache(const FileCache&) = delete;
    FileCache& operator=(const FileCache&) = delete;

    /// Writes what waits and closes every file, ignoring errors (finish() and
    /// release() are where errors are reported).
    ~FileCache() {
        for (Id id = held_.head; id != none; id = entries_[id].held.next) {
            Entry& e = entries_[id];
            if (e.pending == 0) continue;
            const std::size_t size = e.pending;
            e.pending = 0;
            try {
                put(id, e.block, size);
            } catch (...) {  // destructors must not throw
            }
        }
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
    /// Files open now (never more than max_open()).
    [[nodiscard]] std::size_t open_count() const noexcept { return open_count_; }
    [[nodiscard]] std::size_t max_open() const noexcept { return max_open_; }
    /// Blocks allocated so far (never more than max_blocks()).
    [[nodiscard]] std::size_t block_count() const noexcept { return blocks_.size(); }
    [[nodiscard]] std::size_t max_blocks() const noexcept { return max_blocks_; }
    [[nodiscard]] std::size_t block_size() const noexcept { return block_size_; }

    /// Appends bytes to the file. The first write creates it at once (so a
    /// file that cannot be made fails here); later bytes may wait in memory.
    /// Throws IoError on failure.
    void write(Id id, const void* data, std::size_t size) {
        Entry& e = entries_[id];
        if (!e.created) acquire(id);
        if (size >= block_size_) {  // too big to wait: what waited, then this, straight out
            flush(id);
            put(id, data, size);
            return;
        }
        if (e.block == nullptr)
            attach_block(id);
        else if (e.pending + size > block_size_)
            flush(id);
        std::memcpy(e.block + e.pending, data, size);
        e.pending += size;
        if (held_.head != id) {
            unlink(held_, &Entry::held, id);
            push_front(held_, &Entry::held, id);
        }
    }

    /// Writes what waits, closes the file if open, and forgets it. Throws
    /// IoError if a write or the close fails; the entry is released either way.
    void release(Id id) {
        Entry& e = entries_[id];
        std::error_code error;
        const char* what = nullptr;
        try {
            flush(id);
        } catch (const IoError& failed) {
            error = failed.code();
            what = "write failed";
        }
        detach_block(id);
        if (!close_file(id) && what == nullptr) {
            error = std::error_code(errno != 0 ? errno : EIO, std::generic_category());
            what = "close failed";
        }
        const std::string* path = e.path;
        e.path = nullptr;
        e.in_use = false;
        free_.push_back(id);
        if (what != nullptr) throw IoError(*path, error, what);
    }

    /// Writes everything that waits and closes every open file (they reopen
    /// in append mode on the next write). Throws IoError at the first failure.
    void close_all() {
        while (held_.head != none) {
            const Id id = held_.head;
            Entry& e = entries_[id];
            const std::size_t size = e.pending;
            e.pending = 0;
            detach_block(id);  // the block stays valid until reused below
            if (size != 0) put(id, blocks_free_.back(), size);
        }
        while (lru_.head != none) {
            const Id id = lru_.head;
            if (!close_file(id)) fail(id, "close failed");
        }
    }

private:
    static constexpr Id none = 0xFFFFFFFFu;

    struct Links {
        Id prev = none;
        Id next = none;
    };
    struct Chain {
        Id head = none;
        Id tail = none;
    };
    struct Entry {
        const std::string* path = nullptr;
        std::FILE* file = nullptr;
        char* block = nullptr;    // bytes waiting to be written, from the pool
        std::size_t pending = 0;  // bytes in `block`
        Links open;               // in lru_ while `file` is open
        Links held;               // in held_ while `block` is held
        bool created = false;
        bool in_use = false;
    };

    // Writes bytes straight to the file (opening it if needed).
    void put(Id id, const void* data, std::size_t size) {
        std::FILE* f = acquire(id);
        if (size != 0 && std::fwrite(data, 1, size, f) != size) fail(id, "write failed");
    }

    // Writes what waits in the file's block. On failure the bytes are dropped
    // (the error is thrown, not hidden), so a later flush cannot repeat them.
    void flush(Id id) {
        Entry& e = entries_[id];
        if (e.pending == 0) return;
        const std::size_t size = e.pending;
        e.pending = 0;
        put(id, e.block, size);
    }

    // Gives the file a block: a free one, a new one, or the least recently written file's.
    void attach_block(Id id) {
        if (blocks_free_.empty()) {
            if (blocks_.size() < max_blocks_) {
                blocks_.emplace_back(new char[block_size_]);
                blocks_free_.push_back(blocks_.back().get());
            } else {
                const Id victim = held_.tail;
                Entry& v = entries_[victim];
                const std::size_t size = v.pending;
                v.pending = 0;
                detach_block(victim);
                if (size != 0) put(victim, blocks_free_.back(), size);
            }
        }
        Entry& e = entries_[id];
        e.block = blocks_free_.back();
        blocks_free_.pop_back();
        e.pending = 0;
        push_front(held_, &Entry::held, id);
    }

    // Returns the file's block to the pool (its bytes must be written first).
    void detach_block(Id id) {
        Entry& e = entries_[id];
        if (e.block == nullptr) return;
        unlink(held_, &Entry::held, id);
        blocks_free_.push_back(e.block);
        e.block = nullptr;
    }

    std::FILE* acquire(Id id) {
        Entry& e = entries_[id];
        if (e.file != nullptr) {
            if (lru_.head != id) {
                unlink(lru_, &Entry::open, id);
                push_front(lru_, &Entry::open, id);
            }
            return e.file;
        }
        if (open_count_ >= max_open_ && lru_.tail != none) {
            // What waits for the victim goes out while its file is open: no reopen just for that.
            const Id victim = lru_.tail;
            flush(victim);
            if (!close_file(victim)) fail(victim, "close failed");
        }
        errno = 0;
        std::FILE* f = std::fopen(e.path->c_str(), e.created ? "ab" : "wb");
        while (f == nullptr && (errno == EMFILE || errno == ENFILE) && lru_.tail != none) {
            // Out of descriptors (a low process limit, or other files of the process): give one of
            // ours back and keep no more open than now from here on.
            const Id victim = lru_.tail;
            flush(victim);
            if (!close_file(victim)) fail(victim, "close failed");
            max_open_ = open_count_ + 1;
            errno = 0;
            f = std::fopen(e.path->c_str(), e.created ? "ab" : "wb");
        }
        if (f == nullptr) fail(id, e.created ? "cannot reopen output file" : "cannot create output file");
        std::setvbuf(f, nullptr, _IONBF, 0);  // the blocks are the buffers: one write per fwrite
        e.file = f;
        e.created = true;
        ++open_count_;
        push_front(lru_, &Entry::open, id);
        return f;
    }

    // Returns false when closing reported an error (errno set).
    bool close_file(Id id) {
        Entry& e = entries_[id];
        if (e.file == nullptr) return true;
        unlink(lru_, &Entry::open, id);
        errno = 0;
        const bool closed = std::fclose(e.file) == 0;
        e.file = nullptr;
        --open_count_;
        return closed;
    }

    void unlink(Chain& chain, Links Entry::*links, Id id) {
        Links& l = entries_[id].*links;
        if (l.prev != none)
            (entries_[l.prev].*links).next = l.next;
        else
            chain.head = l.next;
        if (l.next != none)
            (entries_[l.next].*links).prev = l.prev;
        else
            chain.tail = l.prev;
        l.prev = l.next = none;
    }

    void push_front(Chain& chain, Links Entry::*links, Id id) {
        Links& l = entries_[id].*links;
        l.prev = none;
        l.next = chain.head;
        if (chain.head != none) (entries_[chain.head].*links).prev = id;
        chain.head = id;
        if (chain.tail == none) chain.tail = id;
    }

    [[noreturn]] void fail(Id id, const char* what) {
        const int err = errno != 0 ? errno : EIO;
        throw IoError(*entries_[id].path, std::error_code(err, std::generic_category()), what);
    }

    std::vector<Entry> entries_;
    std::vector<Id> free_;
    std::vector<std::unique_ptr<char[]>> blocks_;  // every block, owned
    std::vector<char*> blocks_free_;               // blocks held by no file
    std::size_t max_open_;
    std::size_t block_size_;
    std::size_t max_blocks_;
    std::size_t open_count_ = 0;
    Chain lru_;   // open files, most recently used first
    Chain held_;  // files holding a block, most recently written first
};

}  // namespace detail::output
TRACEFLOW_NAMESPACE_END
