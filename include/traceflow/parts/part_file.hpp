// SPDX-License-Identifier: MIT
// write_part() and read_part(): a Part as a file, every byte under a checksum, its format versioned.
#pragma once

#include "../version.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "../detail/bits/checksum.hpp"
#include "../detail/bits/varint.hpp"
#include "../errors.hpp"
#include "part.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// Version of the part file format; read_part() takes only its own.
inline constexpr std::uint32_t part_format_version = 3;  // 3: IP fragments logged whole, joined at merge

/// A part file that cannot be taken: damaged, truncated, not a part, of another version.
class PartFileError : public Error {
public:
    using Error::Error;
};

namespace detail::parts {

inline constexpr char part_magic[16] = {'t', 'r', 'a', 'c', 'e', 'f', 'l', 'o', 'w', ' ', 'p', 'a', 'r', 't', '\n', 0};
inline constexpr char part_end[8] = {'e', 'n', 'd', ' ', 'p', 'a', 'r', 't'};

inline void put64(std::vector<std::uint8_t>& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
inline std::uint64_t get64(const std::uint8_t* p) noexcept {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= std::uint64_t{p[i]} << (8 * i);
    return v;
}

// Reads the header fields with bounds checked: a damaged header never reads past its end.
class Cursor {
public:
    Cursor(const std::uint8_t* p, const std::uint8_t* end, const std::string& name) : p_(p), end_(end), name_(name) {}
    std::uint64_t number() {
        std::uint64_t v = 0;
        for (unsigned shift = 0; shift < 64; shift += 7) {
            need(1);
            const std::uint8_t b = *p_++;
            v |= std::uint64_t{b & 0x7Fu} << shift;
            if ((b & 0x80) == 0) return v;
        }
        bad();
    }
    std::string text() {
        const std::uint64_t n = number();
        need(n);
        std::string s(reinterpret_cast<const char*>(p_), static_cast<std::size_t>(n));
        p_ += n;
        return s;
    }
    bool flag() { return number() != 0; }
    [[nodiscard]] bool at_end() const noexcept { return p_ == end_; }

private:
    void need(std::uint64_t n) {
        if (n > static_cast<std::uint64_t>(end_ - p_)) bad();
    }
    [[noreturn]] void bad() const { throw PartFileError(name_ + ": part header is damaged"); }
    const std::uint8_t* p_;
    const std::uint8_t* end_;
    const std::string& name_;
};

inline std::vector<std::uint8_t> encode_header(const Part& part) {
    using bits::append_text;
    using bits::append_varint;
    std::vector<std::uint8_t> h;
    append_text(h, version_string);
    append_text(h, part.capture);
    append_varint(h, part.capture_size);
    append_varint(h, part.capture_id);
    append_varint(h, part.range.begin);
    append_varint(h, part.range.end);
    append_varint(h, part.start);
    append_varint(h, part.stop);
    append_varint(h, static_cast<std::uint64_t>(part.how));
    append_varint(h, part.numbers_known ? 1 : 0);
    append_varint(h, part.records_before);
    append_varint(h, part.unreachable ? 1 : 0);
    append_varint(h, part.damage ? 1 : 0);
    if (part.damage) {
        append_varint(h, part.damage->record);
        append_varint(h, part.damage->record_known ? 1 : 0);
        append_varint(h, part.damage->offset);
        append_text(h, part.damage->what);
    }
    append_varint(h, part.stats.frames);
    append_varint(h, part.stats.tcp_frames);
    append_varint(h, part.stats.bytes);
    append_varint(h, part.stats.outcomes.size());
    for (const std::uint64_t n : part.stats.outcomes) append_varint(h, n);
    append_varint(h, part.frames_carried ? 1 : 0);
    append_varint(h, part.packets);
    append_varint(h, part.tail ? 1 : 0);
    if (part.tail) {
        const PartTail& t = *part.tail;
        append_varint(h, t.stats.frames);
        append_varint(h, t.stats.tcp_frames);
        append_varint(h, t.stats.bytes);
        for (const std::uint64_t n : t.stats.outcomes) append_varint(h, n);
        append_varint(h, t.packets);
        append_varint(h, t.log.size());  // its log follows the part's
        append_varint(h, t.damage.record);
        append_varint(h, t.damage.record_known ? 1 : 0);
        append_varint(h, t.damage.offset);
        append_text(h, t.damage.what);
    }
    append_varint(h, part.options.size());
    for (const std::string& o : part.options) append_text(h, o);
    return h;
}

inline Part decode_header(const std::uint8_t* p, const std::uint8_t* end, const std::string& name,
                          std::uint64_t& tail_log_size) {
    Cursor c(p, end, name);
    Part part;
    const std::string made_by = c.text();
    if (made_by != version_string)
        throw PartFileError(name + ": made by traceflow " + made_by + ", this is " + version_string +
                            ": map it again with this version");
    part.capture = c.text();
    part.capture_size = c.number();
    part.capture_id = c.number();
    part.range.begin = c.number();
    part.range.end = c.number();
    part.start = c.number();
    part.stop = c.number();
    const std::uint64_t how = c.number();
    if (how > 2) throw PartFileError(name + ": part header is damaged");
    part.how = static_cast<io::RangeStart>(how);
    part.numbers_known = c.flag();
    part.records_before = c.number();
    part.unreachable = c.flag();
    if (c.flag()) {
        PartDamage d;
        d.record = c.number();
        d.record_known = c.flag();
        d.offset = c.number();
        d.what = c.text();
        part.damage = std::move(d);
    }
    part.stats.frames = c.number();
    part.stats.tcp_frames = c.number();
    part.stats.bytes = c.number();
    if (c.number() != part.stats.outcomes.size())
        throw PartFileError(name + ": counts frame outcomes another way: map it again with this version");
    for (std::uint64_t& n : part.stats.outcomes) n = c.number();
    part.frames_carried = c.flag();
    part.packets = c.number();
    if (c.flag()) {
        PartTail t;
        t.stats.frames = c.number();
        t.stats.tcp_frames = c.number();
        t.stats.bytes = c.number();
        for (std::uint64_t& n : t.stats.outcomes) n = c.number();
        t.packets = c.number();
        tail_log_size = c.number();
        t.damage.record = c.number();
        t.damage.record_known = c.flag();
        t.damage.offset = c.number();
        t.damage.what = c.text();
        part.tail = std::move(t);
    }
    const std::uint64_t options = c.number();
    for (std::uint64_t i = 0; i < options; ++i) part.options.push_back(c.text());
    if (!c.at_end()) throw PartFileError(name + ": part header is damaged");
    return part;
}

}  // namespace detail::parts

/// Writes `part` to `path`: a magic, the format version, its header and its
/// packet log each with a checksum, and an end mark. Written to a temporary
/// name and renamed when complete, so a file at `path` is always whole.
/// Throws IoError.
inline void write_part(const Part& part, const std::string& path) {
    using namespace detail::parts;
    std::vector<std::uint8_t> head(part_magic, part_magic + sizeof part_magic);
    for (int i = 0; i < 4; ++i) head.push_back(static_cast<std::uint8_t>(part_format_version >> (8 * i)));
    const std::vector<std::uint8_t> header = encode_header(part);
    put64(head, header.size());
    head.insert(head.end(), header.begin(), header.end());
    put64(head, detail::bits::checksum64(header.data(), header.size()));
    const std::vector<std::uint8_t> no_tail;
    const std::vector<std::uint8_t>& tail_log = part.tail ? part.tail->log : no_tail;
    put64(head, part.log.size() + tail_log.size());
    std::vector<std::uint8_t> tail;
    put64(tail, detail::bits::checksum64(tail_log.data(), tail_log.size(),
                                         detail::bits::checksum64(part.log.data(), part.log.size())));
    tail.insert(tail.end(), part_end, part_end + sizeof part_end);
    const std::string temporary = path + ".partial";
    std::FILE* f = std::fopen(temporary.c_str(), "wb");
    if (f == nullptr) throw IoError(temporary, std::error_code(errno, std::generic_category()), "cannot create");
    bool ok = std::fwrite(head.data(), 1, head.size(), f) == head.size();
    ok = ok && (part.log.empty() || std::fwrite(part.log.data(), 1, part.log.size(), f) == part.log.size());
    ok = ok && (tail_log.empty() || std::fwrite(tail_log.data(), 1, tail_log.size(), f) == tail_log.size());
    ok = ok && std::fwrite(tail.data(), 1, tail.size(), f) == tail.size();
    const int err = ok ? 0 : errno;
    if (std::fclose(f) != 0 && ok) ok = false;
    if (!ok) {
        std::remove(temporary.c_str());
        throw IoError(temporary, std::error_code(err != 0 ? err : EIO, std::generic_category()), "cannot write");
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        const int e = errno;
        std::remove(temporary.c_str());
        throw IoError(path, std::error_code(e, std::generic_category()), "cannot rename into place");
    }
}

/// Reads a part file, checking every byte against its checksums before it
/// returns. Throws IoError when it cannot be read, PartFileError when it is
/// not a part, of another format version or traceflow version, truncated or damaged.
inline Part read_part(const std::string& path) {
    using namespace detail::parts;
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) throw IoError(path, std::error_code(errno, std::generic_category()), "cannot open");
    std::vector<std::uint8_t> bytes;
    std::error_code size_error;
    const std::uintmax_t expected = std::filesystem::file_size(path, size_error);
    bytes.resize(size_error ? 0 : static_cast<std::size_t>(expected) + 1);  // one more: a file that grew shows
    std::size_t have = 0;
    for (;;) {
        if (have == bytes.size()) bytes.resize(bytes.size() + (std::size_t{1} << 20));
        const std::size_t got = std::fread(bytes.data() + have, 1, bytes.size() - have, f);
        have += got;
        if (got == 0) break;
    }
    bytes.resize(have);
    const bool failed = std::ferror(f) != 0;
    const int err = errno;
    std::fclose(f);
    if (failed) throw IoError(path, std::error_code(err, std::generic_category()), "read failed");
    const auto damaged = [&](const std::string& what) { return PartFileError(path + ": " + what); };
    if (bytes.size() < sizeof part_magic + 4 || std::memcmp(bytes.data(), part_magic, sizeof part_magic) != 0)
        throw damaged("not a traceflow part");
    const std::uint8_t* p = bytes.data() + sizeof part_magic;
    const std::uint32_t format = static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
                                 static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
    if (format != part_format_version)
        throw damaged("part format " + std::to_string(format) + ", this traceflow reads format " +
                      std::to_string(part_format_version) + ": map it again with this version");
    p += 4;
    const std::uint8_t* end = bytes.data() + bytes.size();
    const auto left = [&] { return static_cast<std::uint64_t>(end - p); };
    if (left() < 8) throw damaged("truncated");
    const std::uint64_t header_size = get64(p);
    p += 8;
    if (left() < header_size || left() - header_size < 16) throw damaged("truncated");
    const std::uint8_t* header = p;
    p += header_size;
    if (get64(p) != detail::bits::checksum64(header, static_cast<std::size_t>(header_size)))
        throw damaged("part header is damaged (checksum)");
    p += 8;
    const std::uint64_t log_size = get64(p);
    p += 8;
    if (left() < log_size || left() - log_size != 8 + sizeof part_end)
        throw damaged("truncated, or longer than written");
    const std::uint8_t* log = p;
    p += log_size;
    p += 8;  // the checksum is checked once the header says where the tail's log begins
    if (std::memcmp(p, part_end, sizeof part_end) != 0) throw damaged("truncated");
    std::uint64_t tail_size = 0;
    Part part = decode_header(header, header + header_size, path, tail_size);
    if (tail_size > log_size) throw damaged("part header is damaged");
    const auto main_size = static_cast<std::size_t>(log_size - tail_size);
    if (get64(p - 8) != detail::bits::checksum64(log + main_size, static_cast<std::size_t>(tail_size),
                                                 detail::bits::checksum64(log, main_size)))
        throw damaged("packet log is damaged (checksum)");
    part.log.assign(log, log + main_size);
    if (part.tail) part.tail->log.assign(log + main_size, log + log_size);
    return part;
}

TRACEFLOW_NAMESPACE_END
