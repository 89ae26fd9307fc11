// SPDX-License-Identifier: MIT
// PayloadFiles: -f payload: each followed stream written to {name}.orig / {name}.resp, byte k at offset k.
#pragma once

#include <traceflow/errors.hpp>
#include <traceflow/output/name_template.hpp>
#include <traceflow/stream/stream_follower.hpp>
#include <traceflow/traceflow.hpp>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <list>
#include <memory>
#include <string>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cli {

/// One flow's streams as the listing shows them (JSON "streams").
struct FlowStreamFiles {
    std::string file[2];  // the stream's file; empty: none written (no bytes)
    traceflow::StreamSummary summary[2];
    bool ended[2] = {false, false};  // the stream ended (its summary is final)
};

/// Totals for the summary line.
struct StreamTotals {
    std::uint64_t streams = 0, bytes = 0, gaps = 0, conflicts = 0;
};

/// The StreamFollower consumer of -f payload. Gaps are holes: the file
/// position moves past them, so the file system keeps them sparse where it
/// can, and a gap at the end extends the file to the stream's length. At
/// most `max_open` files are open at once (least recently written closed
/// first, and reopened to go on); running out of descriptors closes them all
/// and retries once.
class PayloadFiles {
public:
    using Key = traceflow::BufferID<traceflow::IpAddress>;
    using Info = traceflow::StreamInfo<Key>;

    PayloadFiles(std::string root, const std::string& name_template, std::size_t max_open)
        : root_(std::move(root)), names_(name_template), max_open_(max_open == 0 ? 1 : max_open) {
        if (!root_.empty() && root_.back() != '/') root_ += '/';
        std::error_code ec;
        if (!root_.empty()) std::filesystem::create_directories(root_, ec);
        if (ec) throw traceflow::IoError(root_, ec, "making folder");
    }
    PayloadFiles(const PayloadFiles&) = delete;
    PayloadFiles& operator=(const PayloadFiles&) = delete;
    ~PayloadFiles() {
        for (const std::uint64_t key : lru_) std::fclose(streams_.at(key).file);
    }

    /// A flow opened (the tracer's open callback): its streams' names come
    /// from its label. Streams of flows never named here get no file.
    void opened(std::uint64_t number, const std::string& label, const Key& id) {
        names_of_[number] = names_.render(label, id, traceflow::Timestamp{});
    }

    void on_data(const Info& info, std::uint64_t offset, traceflow::ByteView bytes) {
        if (names_of_.find(info.flow) == names_of_.end()) return;  // not a chosen flow (--flows)
        Writing& w = writing(info);
        if (w.position != offset && std::fseek(w.file, static_cast<long>(offset), SEEK_SET) != 0)
            fail(w.path, "seeking in");
        if (bytes.size != 0 && std::fwrite(bytes.data, 1, bytes.size, w.file) != bytes.size) fail(w.path, "writing");
        w.position = offset + bytes.size;
        if (w.position > w.size) w.size = w.position;
        totals_.bytes += bytes.size;
    }
    void on_gap(const Info&, std::uint64_t, std::uint64_t) { ++totals_.gaps; }
    void on_conflict(const Info&, std::uint64_t, std::uint64_t) { ++totals_.conflicts; }
    void on_end(const Info& info, const traceflow::StreamSummary& summary) {
        const int d = static_cast<int>(info.direction);
        FlowStreamFiles& flow = flows_[info.flow];
        const std::uint64_t key = stream_key(info);
        const auto it = streams_.find(key);
        if (it != streams_.end()) {
            Writing& w = it->second;
            close(w);
            // A gap at the end: the file reaches the stream's length (a hole).
            if (w.size < summary.length) {
                std::error_code ec;
                std::filesystem::resize_file(w.path, summary.length, ec);
                if (ec) throw traceflow::IoError(w.path, ec, "extending");
            }
            flow.file[d] = std::move(w.path);
            streams_.erase(it);
        } else if (summary.length != 0 && names_of_.find(info.flow) != names_of_.end()) {  // only gaps: holes
            flow.file[d] = root_ + name_of(info.flow) + suffix(info.direction);
            make_folder(flow.file[d]);
            std::FILE* f = std::fopen(flow.file[d].c_str(), "wb");
            if (f == nullptr) fail(flow.file[d], "creating");
            std::fclose(f);
            std::error_code ec;
            std::filesystem::resize_file(flow.file[d], summary.length, ec);
            if (ec) throw traceflow::IoError(flow.file[d], ec, "extending");
        }
        flow.summary[d] = summary;
        flow.ended[d] = true;
        ++totals_.streams;
        if (d == 1 || !bidirectional_) names_of_.erase(info.flow);  // resp ends after orig
    }

    /// Bidirectional flows: a flow's name is dropped after its resp stream.
    void set_bidirectional(bool bidirectional) noexcept { bidirectional_ = bidirectional; }
    /// The streams of flow `number`, or nullptr (not followed).
    [[nodiscard]] const FlowStreamFiles* find(std::uint64_t number) const {
        const auto it = flows_.find(number);
        return it == flows_.end() ? nullptr : &it->second;
    }
    [[nodiscard]] const StreamTotals& totals() const noexcept { return totals_; }

private:
    struct Writing {
        std::string path;
        std::FILE* file = nullptr;  // null while closed
        std::uint64_t position = 0, size = 0;
        bool created = false;
        std::unique_ptr<char[]> buffer;  // the stdio buffer while open
        std::list<std::uint64_t>::iterator lru;
    };

    static const char* suffix(traceflow::StreamDirection d) {
        return d == traceflow::StreamDirection::orig ? ".orig" : ".resp";
    }
    static std::uint64_t stream_key(const Info& info) {
        return info.flow * 2 + static_cast<std::uint64_t>(info.direction);
    }
    [[noreturn]] static void fail(const std::string& path, const char* what) {
        throw traceflow::IoError(path, std::error_code(errno, std::generic_category()), what);
    }
    const std::string& name_of(std::uint64_t number) {
        const auto it = names_of_.find(number);
        if (it == names_of_.end())
            throw traceflow::Error("payload: a stream of flow " + std::to_string(number) +
                                   " has no name (its flow was not seen opening)");
        return it->second;
    }
    // Makes the folders a name holds ('/' in --name); the output folder itself exists.
    void make_folder(const std::string& path) const {
        const std::size_t slash = path.rfind('/');
        if (slash == std::string::npos || slash < root_.size()) return;
        std::error_code ec;
        std::filesystem::create_directories(path.substr(0, slash), ec);
        if (ec) throw traceflow::IoError(path.substr(0, slash), ec, "making folder");
    }

    Writing& writing(const Info& info) {
        const std::uint64_t key = stream_key(info);
        auto [it, added] = streams_.try_emplace(key);
        Writing& w = it->second;
        if (added) {
            w.path = root_ + name_of(info.flow) + suffix(info.direction);
            make_folder(w.path);
        }
        if (w.file == nullptr) {
            while (lru_.size() >= max_open_) close(streams_.at(lru_.front()));
            w.file = std::fopen(w.path.c_str(), w.created ? "r+b" : "wb");
            if (w.file == nullptr && (errno == EMFILE || errno == ENFILE)) {
                while (!lru_.empty()) close(streams_.at(lru_.front()));
                if (max_open_ > 1) --max_open_;
                w.file = std::fopen(w.path.c_str(), w.created ? "r+b" : "wb");
            }
            if (w.file == nullptr) fail(w.path, "opening");
            // A large buffer of our own: 16x fewer write calls than stdio's 4 KiB (and no fstat to size it).
            if (spare_.empty()) spare_.emplace_back(new char[buffer_bytes]);
            w.buffer = std::move(spare_.back());
            spare_.pop_back();
            std::setvbuf(w.file, w.buffer.get(), _IOFBF, buffer_bytes);
            w.created = true;
            w.position = 0;
            lru_.push_back(key);
            w.lru = std::prev(lru_.end());
        } else {
            lru_.splice(lru_.end(), lru_, w.lru);  // most recently written last
        }
        return w;
    }

    void close(Writing& w) {
        if (w.file == nullptr) return;
        const int flushed = std::fflush(w.file);
        const int saved = errno;
        std::fclose(w.file);
        w.file = nullptr;
        spare_.push_back(std::move(w.buffer));
        lru_.erase(w.lru);
        if (flushed != 0) {
            errno = saved;
            fail(w.path, "writing");
        }
    }

    static constexpr std::size_t buffer_bytes = std::size_t{64} << 10;

    std::string root_;
    std::vector<std::unique_ptr<char[]>> spare_;  // buffers of closed files, for the next to open
    traceflow::NameTemplate names_;
    std::size_t max_open_;
    bool bidirectional_ = false;
    std::unordered_map<std::uint64_t, std::string> names_of_;   // open flows' names
    std::unordered_map<std::uint64_t, Writing> streams_;        // streams with a file, until they end
    std::list<std::uint64_t> lru_;                              // open streams, least recently written first
    std::unordered_map<std::uint64_t, FlowStreamFiles> flows_;  // ended streams, for the listing
    StreamTotals totals_;
};

}  // namespace cli
