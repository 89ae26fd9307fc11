// SPDX-License-Identifier: MIT
// TraceFlow: assigns TCP packets to flows and writes each flow's frames out
// (pcapkit's `TraceFlow`, compatible mode).
#pragma once

#include "fwd.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "buffer.hpp"
#include "buffer_id.hpp"
#include "detail/file_cache.hpp"
#include "detail/flow_table.hpp"
#include "dumper.hpp"
#include "errors.hpp"
#include "flow_writer.hpp"
#include "formats/builtin.hpp"
#include "index.hpp"
#include "label.hpp"
#include "packet.hpp"
#include "warning.hpp"

namespace traceflow {

/// Settings of a TraceFlow. The first four are pcapkit's constructor arguments.
struct TraceFlowOptions {
    std::string fout;                             ///< output root folder; empty: write no files
    std::string format = "pcap";                  ///< output format name (see FormatRegistry)
    ByteOrder byteorder = ByteOrder::native;      ///< pcap output byte order
    bool nanosecond = false;                      ///< pcap output with nanosecond times
    std::size_t max_open_files = 64;              ///< descriptors the writers may hold at once
    WarningSink warning = stderr_warning_sink();  ///< where warnings go
};

/// The process-wide format registry that new TraceFlows look formats up in
/// (pcapkit's class-level `__output__`). Not synchronised: register formats
/// before tracing starts.
[[nodiscard]] inline FormatRegistry& format_registry() {
    static FormatRegistry registry = formats::builtin_registry();
    return registry;
}

/// Assigns packets to directional flows keyed by (src, srcport, dst,
/// dstport). The first packet of an unseen key opens a flow; a FIN closes
/// that direction; a later packet on the same key opens a new flow.
///
/// ```
/// traceflow::TraceFlow<> flows({"out", "pcap"});
/// for (const auto& packet : packets) flows(packet);   // trace + dump
/// for (const traceflow::Index& flow : flows.index())
///     std::cout << flow.label << ' ' << flow.index.size() << '\n';
/// ```
template <typename PacketT>
class TraceFlow {
public:
    using packet_type = PacketT;
    using frame_type = typename PacketT::frame_type;
    using address_type = typename PacketT::address_type;
    using key_type = BufferID<address_type>;
    using Callback = std::function<void(const Index&)>;

    explicit TraceFlow(TraceFlowOptions options = {})
        : options_(std::move(options)), files_(options_.max_open_files) {
        make_fout();
    }

    /// pcapkit's signature: `TraceFlow(fout, format, byteorder, nanosecond)`.
    TraceFlow(std::string fout, std::string format, ByteOrder byteorder = ByteOrder::native, bool nanosecond = false)
        : TraceFlow(make_options(std::move(fout), std::move(format), byteorder, nanosecond)) {}

    TraceFlow(const TraceFlow&) = delete;
    TraceFlow& operator=(const TraceFlow&) = delete;

    /// Flushes and completes every output file; errors go to the warning sink
    /// (call finish() first to get them as exceptions).
    ~TraceFlow() {
        try {
            finish();
        } catch (const std::exception& e) {
            warn(e.what());
        }
    }

    /// Adds a format under `name` to the process-wide registry (pcapkit's
    /// `register`; that name is a C++ keyword).
    static void register_format(std::string name, OutputFormat format) {
        format_registry().add(std::move(name), std::move(format));
    }

    /// Runs `callback` with every flow record as its flow finishes.
    void register_callback(Callback callback) { callbacks_.push_back(std::move(callback)); }

    /// Traces `packet` and writes its frame to its flow's file (pcapkit's `dump`).
    void dump(const PacketT& packet) {
        const Buffer& buffer = trace(packet);
        if (buffer.fpout) {
            using traits = frame_traits<frame_type>;
            buffer.fpout->write(DumpFrame{packet.index, packet.timestamp, traits::bytes(packet.frame),
                                          traits::wirelen(packet.frame), packet.protocol});
        }
        settle_closed();
    }
    /// Same as dump().
    void operator()(const PacketT& packet) { dump(packet); }

    /// Traces `packet` without writing it; returns its flow's Buffer (label,
    /// frames so far, writer), valid until the next call on this tracer.
    const Buffer& trace(const PacketT& packet) {
        settle_closed();
        const key_type key{packet.src, packet.srcport, packet.dst, packet.dstport};
        const std::uint64_t hash = hash_value(key);
        const auto [slot, inserted] = table_.try_emplace(key, hash, static_cast<std::uint32_t>(flows_.size()));
        if (inserted) open_flow(key, packet);
        OpenFlow& flow = flows_[*slot];
        flow.buffer.index.push_back(packet.index);
        if (!packet.fin) return flow.buffer;
        return close_flow(*slot, hash, EndReason::fin_one_side);
    }

    /// Open flows in opening order, then finished flows in finishing order
    /// (pcapkit's `index` / `submit()`).
    [[nodiscard]] std::vector<Index> index() const {
        std::vector<Index> out;
        out.reserve(open_count() + closed_.size());
        for (const OpenFlow& flow : flows_) {
            if (!flow.alive) continue;
            out.push_back(Index{flow_path(flow.buffer), flow.buffer.index, flow.buffer.label, EndReason::open});
        }
        out.insert(out.end(), closed_.begin(), closed_.end());
        return out;
    }
    /// Same as index().
    [[nodiscard]] std::vector<Index> submit() const { return index(); }

    /// The finished flows so far, in finishing order.
    [[nodiscard]] const std::vector<Index>& closed() const noexcept { return closed_; }
    /// Number of open flows.
    [[nodiscard]] std::size_t open_count() const noexcept { return table_.size(); }

    /// Completes every output file (footers, flush, close) without closing
    /// any flow; a later dump() of an open flow appends after the footer, so
    /// call this once at the end. Throws IoError.
    void finish() {
        settle_closed();
        for (OpenFlow& flow : flows_)
            if (flow.alive && flow.buffer.fpout) flow.buffer.fpout->finish();
        files_.close_all();
    }

    /// The output extension with its dot, or empty when no file is written
    /// (pcapkit's `make_fout` result).
    [[nodiscard]] const std::string& extension() const noexcept { return extension_; }
    [[nodiscard]] const TraceFlowOptions& options() const noexcept { return options_; }

private:
    struct OpenFlow {
        key_type key;
        Buffer buffer;
        bool alive = true;
    };

    static TraceFlowOptions make_options(std::string fout, std::string format, ByteOrder byteorder,
                                         bool nanosecond) {
        TraceFlowOptions o;
        o.fout = std::move(fout);
        o.format = std::move(format);
        o.byteorder = byteorder;
        o.nanosecond = nanosecond;
        return o;
    }

    // pcapkit's make_fout: resolve the format and create the output root.
    void make_fout() {
        if (options_.fout.empty()) return;
        const OutputFormat* format = format_registry().find(options_.format);
        if (format == nullptr) {
            warn("unsupported output format '" + options_.format + "': no files will be written");
            return;
        }
        format_ = *format;
        extension_ = format_.extension.empty() ? std::string(".out") : format_.extension;
        namespace fs = std::filesystem;
        std::error_code ec;
        const fs::path root(options_.fout);
        if (fs::exists(root, ec) && !fs::is_directory(root, ec))
            throw IoError(options_.fout, std::make_error_code(std::errc::not_a_directory),
                          "output root exists and is not a folder");
        fs::create_directories(root, ec);
        if (ec) throw IoError(options_.fout, ec, "cannot create output root");
        writing_ = true;
    }

    void warn(const std::string& message) const {
        if (options_.warning) options_.warning(message);
    }

    std::optional<std::string> flow_path(const Buffer& buffer) const {
        if (!buffer.fpout) return std::nullopt;
        return buffer.fpout->path();
    }

    void open_flow(const key_type& key, const PacketT& packet) {
        OpenFlow flow{key, Buffer{}, true};
        flow.buffer.label = make_label(packet.src, packet.srcport, packet.dst, packet.dstport, packet.timestamp);
        if (writing_) {
            DumpOptions dump;
            dump.linktype = packet.protocol;
            dump.nanosecond = options_.nanosecond;
            dump.big_endian = options_.byteorder == ByteOrder::native ? native_is_big_endian()
                                                                      : options_.byteorder == ByteOrder::big;
            flow.buffer.fpout = std::make_unique<FlowWriter>(
                files_, options_.fout + "/" + flow.buffer.label + extension_, format_.make(dump));
        }
        flows_.push_back(std::move(flow));
    }

    const Buffer& close_flow(std::uint32_t position, std::uint64_t hash, EndReason reason) {
        OpenFlow& flow = flows_[position];
        closed_.push_back(Index{flow_path(flow.buffer), flow.buffer.index, flow.buffer.label, reason});
        table_.erase(flow.key, hash);
        flow.alive = false;
        just_closed_ = std::move(flow.buffer);
        ++dead_;
        for (const Callback& callback : callbacks_) callback(closed_.back());
        compact_if_sparse();
        return just_closed_;
    }

    // The writer of the flow closed last is completed once its caller is
    // done with the Buffer it got back.
    void settle_closed() {
        if (just_closed_.fpout) {
            std::unique_ptr<FlowWriter> writer = std::move(just_closed_.fpout);
            writer->finish();
        }
    }

    // Keeps flows_ dense: drop closed entries once they outnumber open ones.
    void compact_if_sparse() {
        if (dead_ < 1024 || dead_ * 2 < flows_.size()) return;
        std::size_t out = 0;
        for (std::size_t i = 0; i < flows_.size(); ++i) {
            if (!flows_[i].alive) continue;
            if (out != i) flows_[out] = std::move(flows_[i]);
            *table_.find(flows_[out].key, hash_value(flows_[out].key)) = static_cast<std::uint32_t>(out);
            ++out;
        }
        flows_.resize(out);
        dead_ = 0;
    }

    TraceFlowOptions options_;
    OutputFormat format_;
    std::string extension_;
    bool writing_ = false;
    detail::FileCache files_;
    detail::FlowTable<key_type> table_;
    std::vector<OpenFlow> flows_;  // opening order; closed ones are tombstones until compaction
    std::size_t dead_ = 0;
    std::vector<Index> closed_;
    Buffer just_closed_;
    std::vector<Callback> callbacks_;
};

}  // namespace traceflow
