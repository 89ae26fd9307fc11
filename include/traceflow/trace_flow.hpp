// SPDX-License-Identifier: MIT
// TraceFlow: assigns TCP packets to flows and writes each flow's frames out
// (pcapkit's `TraceFlow`; by default its exact behaviour).
#pragma once

#include "fwd.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "buffer.hpp"
#include "buffer_id.hpp"
#include "community_id.hpp"
#include "detail/file_cache.hpp"
#include "detail/flow_key.hpp"
#include "detail/flow_table.hpp"
#include "detail/hash_set64.hpp"
#include "detail/slot_list.hpp"
#include "dumper.hpp"
#include "errors.hpp"
#include "flow_stats.hpp"
#include "flow_writer.hpp"
#include "formats/builtin.hpp"
#include "index.hpp"
#include "label.hpp"
#include "options.hpp"
#include "packet.hpp"
#include "warning.hpp"

namespace traceflow {

/// The process-wide format registry that new TraceFlows look formats up in
/// (pcapkit's class-level `__output__`). Not synchronised: register formats
/// before tracing starts.
[[nodiscard]] inline FormatRegistry& format_registry() {
    static FormatRegistry registry = formats::builtin_registry();
    return registry;
}

/// Assigns packets to flows. By default (pcapkit mode) a flow is one
/// direction keyed by (src, srcport, dst, dstport): its first packet opens it,
/// a FIN ends it, and a later packet on the same key opens a new flow.
/// TraceFlowOptions selects bidirectional flows, the `tcp` lifecycle,
/// timeouts, a flow limit, statistics and bounded-memory streaming.
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
    using OpenCallback = std::function<void(const Buffer&)>;

    explicit TraceFlow(TraceFlowOptions options = {})
        : options_(std::move(options)), files_(options_.max_open_files) {
        timers_ = options_.lifecycle == Lifecycle::tcp || options_.idle_timeout.count() > 0 ||
                  options_.active_timeout.count() > 0;
        recency_ = options_.idle_timeout.count() > 0 || options_.max_flows > 0;
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

    /// Runs `callback` with every flow record as its flow ends. An exception
    /// from a callback propagates out of the call that ended the flow; the
    /// flow is recorded as ended all the same.
    void register_callback(Callback callback) { callbacks_.push_back(std::move(callback)); }
    /// Runs `callback` with every flow's Buffer as the flow opens.
    void register_open_callback(OpenCallback callback) { open_callbacks_.push_back(std::move(callback)); }

    /// Traces `packet` and writes its frame to its flow's file (pcapkit's
    /// `dump`). When the packet ends its flow, the frame is written, the file
    /// completed, and then the callbacks run.
    void dump(const PacketT& packet) {
        const Buffer& buffer = trace_packet(packet, Ending::deferred);
        if (buffer.fpout) {
            using traits = frame_traits<frame_type>;
            buffer.fpout->write(DumpFrame{packet.index, packet.timestamp, traits::bytes(packet.frame),
                                          traits::wirelen(packet.frame), packet.protocol, packet.tcp.interface_id});
        }
        settle_closed();
    }
    /// Same as dump().
    void operator()(const PacketT& packet) { dump(packet); }

    /// Traces `packet` without writing it; returns its flow's Buffer (label,
    /// frames so far, writer), valid until the next call on this tracer. When
    /// the packet ends its flow, the returned Buffer holds the whole flow and
    /// its file is already complete (write frames with dump() instead).
    const Buffer& trace(const PacketT& packet) { return trace_packet(packet, Ending::keep_buffer); }

    /// Traces `count` packets in order, with exactly the effect of calling
    /// trace() on each, but faster on many live flows: each packet's table
    /// slot and flow record are prefetched a few packets ahead, so their
    /// cache misses overlap instead of following one another.
    void trace_batch(const PacketT* packets, std::size_t count) {
        // Three stages, each waiting for what the one before brought in:
        // slot (16 packets ahead), flow record (8 ahead), end of its frame list (4 ahead).
        constexpr std::size_t ahead = 16;
        constexpr std::size_t record_ahead = 8;
        constexpr std::size_t frames_ahead = 4;
        struct Pending {
            FlowKey key;
            std::uint64_t hash;
            std::uint32_t id;  // open flow found at the record stage, or none
            bool from_a;
        };
        constexpr std::size_t ring_size = 2 * ahead;  // packet i's entry outlives i + ahead
        Pending ring[ring_size];
        for (std::size_t i = 0; i < count + ahead; ++i) {
            if (i < count) {
                Pending& p = ring[i % ring_size];
                p.key = make_key(packets[i], p.from_a);
                p.hash = detail::hash_value(p.key);
                table_.prefetch(p.hash);
            }
            if (i >= record_ahead && i - record_ahead < count) {
                Pending& p = ring[(i - record_ahead) % ring_size];
                const std::uint32_t* found = table_.find(p.key, p.hash);
                p.id = found != nullptr ? *found : detail::no_slot;
                if (found != nullptr) prefetch_record(*found);
            }
            if (i >= frames_ahead + record_ahead && i - frames_ahead - record_ahead < count) {
                const Pending& p = ring[(i - frames_ahead - record_ahead) % ring_size];
                // The flow may have ended since; any live slot is a harmless hint.
                if (p.id != detail::no_slot && p.id < flows_.size()) prefetch_frames(p.id);
            }
            if (i >= ahead) {
                const Pending& p = ring[(i - ahead) % ring_size];
                // Looked up again, in cache now: the packets in between may have
                // opened or ended this flow. silent: no Buffer is handed back,
                // so an ended flow's frames move, not copy.
                trace_keyed(packets[i - ahead], p.key, p.hash, p.from_a, Ending::silent);
            }
        }
    }

    /// Open flows in opening order, then ended flows in ending order
    /// (pcapkit's `index` / `submit()`).
    [[nodiscard]] std::vector<Index> index() const {
        std::vector<Index> out;
        out.reserve(open_count() + closed_.size());
        for (std::uint32_t id = opened_.front(); id != detail::no_slot; id = OpenList::next(flows_, id)) {
            const OpenFlow& flow = flows_[id];
            out.push_back(Index{flow_path(flow.buffer), flow.buffer.index, flow.buffer.label, EndReason::open,
                                final_stats(id)});
        }
        out.insert(out.end(), closed_.begin(), closed_.end());
        return out;
    }
    /// Same as index().
    [[nodiscard]] std::vector<Index> submit() const { return index(); }

    /// The ended flows so far, in ending order (empty when keep_closed is off).
    /// A deque: records never move once made, and growing never copies them.
    [[nodiscard]] const std::deque<Index>& closed() const noexcept { return closed_; }
    /// Drops the ended flows kept so far (streaming callers that consumed them).
    void clear_closed() noexcept { closed_.clear(); }
    /// Number of open flows.
    [[nodiscard]] std::size_t open_count() const noexcept { return table_.size(); }

    /// Ends every open flow (reason end_of_input, or fin/rst for flows that
    /// were lingering), in opening order. For the `tcp` lifecycle at the end
    /// of a capture; pcapkit mode leaves flows open.
    void end_of_input() {
        settle_closed();
        while (!opened_.empty()) {
            const std::uint32_t id = opened_.front();
            const EndReason pending = flows_[id].pending;
            end_flow(id, pending != EndReason::open ? pending : EndReason::end_of_input);
        }
    }

    /// Completes every output file (footers, flush, close) without ending
    /// any flow; a later dump() of an open flow appends after the footer, so
    /// call this once at the end. Throws IoError.
    void finish() {
        settle_closed();
        for (std::uint32_t id = opened_.front(); id != detail::no_slot; id = OpenList::next(flows_, id))
            if (flows_[id].buffer.fpout) flows_[id].buffer.fpout->finish();
        files_.close_all();
    }

    /// True when frames are written to files (an output folder and a known format).
    [[nodiscard]] bool writes_files() const noexcept { return writing_; }

    /// The output extension with its dot, or empty when no file is written
    /// (pcapkit's `make_fout` result).
    [[nodiscard]] const std::string& extension() const noexcept { return extension_; }
    [[nodiscard]] const TraceFlowOptions& options() const noexcept { return options_; }
    /// Bytes held per open flow by the table and flow records (frame lists and labels not included).
    [[nodiscard]] static constexpr std::size_t bytes_per_flow_fixed() noexcept {
        // A flow record, up to two table slots (load <= 1/2), one free-list entry.
        return sizeof(OpenFlow) + 2 * (sizeof(FlowKey) + 8) + sizeof(std::uint32_t);
    }

private:
    using FlowKey = detail::FlowKey<address_type>;

    // How a flow ended by the packet being traced is handed back.
    enum class Ending : std::uint8_t {
        silent,       // ended by time, eviction, reuse: complete it now
        keep_buffer,  // trace(): also copy the flow into the returned Buffer
        deferred,     // dump(): keep its writer for the frame, complete it afterwards
    };

    const Buffer& trace_packet(const PacketT& packet, Ending ending) {
        bool from_a = true;
        const FlowKey key = make_key(packet, from_a);
        return trace_keyed(packet, key, detail::hash_value(key), from_a, ending);
    }

    const Buffer& trace_keyed(const PacketT& packet, const FlowKey& key, std::uint64_t hash, bool from_a,
                              Ending ending) {
        settle_closed();
        if (timers_) expire(packet.timestamp);
        std::uint32_t id;
        if (const std::uint32_t* found = table_.find(key, hash)) {
            id = *found;
            // A SYN opens a direction (directional keying: SYN-ACK too).
            const bool opening = packet.syn && (!packet.tcp.ack || options_.keying == FlowKeying::directional);
            if (options_.lifecycle == Lifecycle::tcp && opening && starts_new_connection(id, from_a, packet)) {
                restart(id, key);
                id = open_flow(key, hash, from_a, packet);
            }
        } else {
            id = open_flow(key, hash, from_a, packet);
        }
        OpenFlow& flow = flows_[id];
        flow.buffer.index.push_back(packet.index);
        flow.last = packet.timestamp;
        if (recency_) recent_.move_to_back(flows_, id);
        const int dir = options_.keying == FlowKeying::bidirectional && from_a != flow.orig_is_a ? 1 : 0;
        if (options_.statistics) count(id, dir, packet);
        if (options_.lifecycle == Lifecycle::pcapkit) {
            if (packet.fin) return end_flow(id, EndReason::fin_one_side, ending);
        } else if (packet.fin || packet.tcp.rst) {
            on_fin_or_rst(id, dir, packet);
        }
        return flows_[id].buffer;
    }


    // What every packet touches comes first, so that in pcapkit mode a
    // packet reads and writes one cache line of its flow's record (`last`
    // and the frame list); the tcp lifecycle's fields follow, then what only
    // opening and ending a flow use.
    struct OpenFlow {
        Timestamp last;
        Buffer buffer;
        detail::TcpFacts facts;
        EndReason pending = EndReason::open;  // fin / rst once lingering
        bool orig_is_a = true;      // the originator is key.a
        bool have_isn = false;
        std::uint32_t isn = 0;      // originator's SYN sequence number
        detail::SlotLinks recent;   // last-seen order
        std::int64_t deadline = 0;  // ns, while lingering
        FlowKey key;
        std::uint64_t hash = 0;
        Timestamp first;
        detail::SlotLinks opened;   // opening order
        detail::SlotLinks closing;  // deadline order
    };
    using OpenList = detail::SlotList<OpenFlow, &OpenFlow::opened>;
    using RecentList = detail::SlotList<OpenFlow, &OpenFlow::recent>;
    using ClosingList = detail::SlotList<OpenFlow, &OpenFlow::closing>;

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

    FlowKey make_key(const PacketT& p, bool& from_a) const {
        FlowKey k;
        from_a = true;
        if (options_.keying == FlowKeying::bidirectional &&
            (p.dst < p.src || (p.dst == p.src && p.dstport < p.srcport))) {
            from_a = false;
            k.a = p.dst;
            k.pa = p.dstport;
            k.b = p.src;
            k.pb = p.srcport;
        } else {
            k.a = p.src;
            k.pa = p.srcport;
            k.b = p.dst;
            k.pb = p.dstport;
        }
        if (options_.key_vlan) k.scope = p.tcp.vlan & 0xFFFu;
        if (options_.key_interface) k.scope |= p.tcp.interface_id << 12;
        return k;
    }

    std::uint32_t open_flow(const FlowKey& key, std::uint64_t hash, bool from_a, const PacketT& packet) {
        if (options_.max_flows != 0 && open_count() >= options_.max_flows && !recent_.empty())
            end_flow(recent_.front(), EndReason::evicted);
        std::uint32_t id;
        if (!free_.empty()) {
            id = free_.back();
            free_.pop_back();
        } else {
            id = static_cast<std::uint32_t>(flows_.size());
            flows_.emplace_back();
        }
        if (options_.statistics) {
            if (stats_.size() <= id) stats_.resize(id + 1);
            stats_[id] = FlowStats{};
        }
        OpenFlow& flow = flows_[id];
        flow.key = key;
        flow.hash = hash;
        flow.first = flow.last = packet.timestamp;
        // The originator sent the SYN; a SYN-ACK seen first came from the responder.
        const bool sender_is_orig = !(packet.syn && packet.tcp.ack);
        flow.orig_is_a = options_.keying == FlowKeying::directional || sender_is_orig == from_a;
        if (packet.syn && (!packet.tcp.ack || options_.keying == FlowKeying::directional)) {
            flow.isn = packet.tcp.seq;
            flow.have_isn = true;
        }
        flow.buffer.label = sender_is_orig || options_.keying == FlowKeying::directional
                                ? make_label(packet.src, packet.srcport, packet.dst, packet.dstport, packet.timestamp)
                                : make_label(packet.dst, packet.dstport, packet.src, packet.srcport, packet.timestamp);
        make_unique(flow.buffer.label, packet.timestamp);
        if (writing_) {
            DumpOptions dump;
            dump.linktype = packet.protocol;
            dump.nanosecond = options_.nanosecond;
            dump.warning = options_.warning;
            dump.big_endian = options_.byteorder == ByteOrder::native ? native_is_big_endian()
                                                                      : options_.byteorder == ByteOrder::big;
            flow.buffer.fpout = std::make_unique<FlowWriter>(
                files_, options_.fout + "/" + flow.buffer.label + extension_, format_.make(dump));
        }
        table_.try_emplace(key, hash, id);
        opened_.push_back(flows_, id);
        if (recency_) recent_.push_back(flows_, id);
        for (const OpenCallback& callback : open_callbacks_) callback(flow.buffer);
        return id;
    }

    // Two flows of one tuple opened within a microsecond share a label (the
    // time is printed as a double), and so would share a file: the second
    // gets `-g2`, the third `-g3`, ... (pcapkit overwrites the first file).
    // Labels in use are remembered by 64-bit hash: a hash collision can only
    // add a needless suffix, never let two flows share a label. In streaming
    // mode (keep_closed off) only the labels of the last 2 µs of capture time
    // are kept, so memory stays bounded; time that steps back further than
    // that is then not checked.
    void make_unique(std::string& label, const Timestamp& ts) {
        if (!options_.keep_closed) {
            label_clock_ = std::max(label_clock_, ts.total_nanoseconds());
            // Unsigned difference: exact for any two int64 times, no overflow.
            while (!label_times_.empty() && static_cast<std::uint64_t>(label_clock_) -
                                                    static_cast<std::uint64_t>(label_times_.front().first) >
                                                2'000) {
                label_hashes_.erase(label_times_.front().second);
                label_times_.pop_front();
            }
        }
        std::uint64_t h = std::hash<std::string>{}(label);
        if (label_hashes_.contains(h)) {
            const std::string base = label;
            for (unsigned generation = 2; label_hashes_.contains(h); ++generation) {
                label = base + "-g" + std::to_string(generation);
                h = std::hash<std::string>{}(label);
            }
        }
        label_hashes_.insert(h);
        if (!options_.keep_closed) label_times_.emplace_back(ts.total_nanoseconds(), h);
    }

    // tcp lifecycle: does this SYN (without ACK) begin a new connection?
    bool starts_new_connection(std::uint32_t id, bool from_a, const PacketT& packet) {
        OpenFlow& flow = flows_[id];
        if (flow.pending != EndReason::open) return true;  // the old one already ended
        const bool from_orig = options_.keying == FlowKeying::directional || from_a == flow.orig_is_a;
        if (!from_orig) return false;
        if (!flow.have_isn) {
            flow.isn = packet.tcp.seq;
            flow.have_isn = true;
            return false;
        }
        return packet.tcp.seq != flow.isn;  // same ISN: a retransmitted SYN
    }

    // tcp lifecycle: ends the flow a new connection replaces; with directional
    // keys, the lingering reverse direction of the old connection too.
    void restart(std::uint32_t id, const FlowKey& key) {
        const EndReason pending = flows_[id].pending;
        end_flow(id, pending != EndReason::open ? pending : EndReason::reused);
        if (options_.keying != FlowKeying::directional) return;
        if (const std::uint32_t* other = find_reverse(key)) {
            const EndReason other_pending = flows_[*other].pending;
            if (other_pending != EndReason::open) end_flow(*other, other_pending);
        }
    }

    // tcp lifecycle: FIN from both sides or a RST starts the linger.
    void on_fin_or_rst(std::uint32_t id, int dir, const PacketT& packet) {
        const std::int64_t now = packet.timestamp.total_nanoseconds();
        OpenFlow& flow = flows_[id];
        if (packet.tcp.rst) {
            linger(id, EndReason::rst, later(now, options_.rst_linger));
            if (const std::uint32_t* reverse = find_reverse(flow.key))
                linger(*reverse, EndReason::rst, later(now, options_.rst_linger));
            return;
        }
        flow.facts.seen = static_cast<std::uint16_t>(flow.facts.seen | detail::TcpFacts::bit(detail::TcpFacts::fin, dir));
        if (options_.keying == FlowKeying::bidirectional) {
            if (flow.facts.has(detail::TcpFacts::fin, 0) && flow.facts.has(detail::TcpFacts::fin, 1))
                linger(id, EndReason::fin, later(now, options_.fin_linger));
            return;
        }
        // Directional: the connection ends when the reverse direction has sent its FIN too.
        const std::uint32_t* reverse = find_reverse(flow.key);
        if (reverse == nullptr) {
            linger(id, EndReason::fin, later(now, options_.fin_linger));
        } else if (flows_[*reverse].facts.has(detail::TcpFacts::fin, 0)) {
            const std::uint32_t other = *reverse;
            linger(id, EndReason::fin, later(now, options_.fin_linger));
            linger(other, EndReason::fin, later(now, options_.fin_linger));
        }
    }

    // The open flow of the other direction (directional keying only).
    const std::uint32_t* find_reverse(const FlowKey& key) {
        if (options_.keying == FlowKeying::bidirectional) return nullptr;
        FlowKey reverse = key;
        std::swap(reverse.a, reverse.b);
        std::swap(reverse.pa, reverse.pb);
        return table_.find(reverse, detail::hash_value(reverse));
    }

    void linger(std::uint32_t id, EndReason reason, std::int64_t deadline) {
        OpenFlow& flow = flows_[id];
        if (flow.pending != EndReason::open) return;
        flow.pending = reason;
        flow.deadline = deadline;
        // Deadlines arrive nearly sorted: walk back from the end.
        std::uint32_t at = closing_.back();
        while (at != detail::no_slot && flows_[at].deadline > deadline) at = ClosingList::prev(flows_, at);
        closing_.insert_after(flows_, at, id);
    }

    // `time + span` in nanoseconds, saturating (a file may hold any time).
    static std::int64_t later(std::int64_t time, std::chrono::nanoseconds span) noexcept {
        const std::int64_t d = span.count();
        return time > INT64_MAX - d ? INT64_MAX : time + d;
    }

    // Ends flows whose linger, idle or active time is over at capture time `ts`.
    void expire(const Timestamp& ts) {
        const std::int64_t now = ts.total_nanoseconds();
        if (now <= clock_) return;  // time did not advance: nothing new can expire
        clock_ = now;
        while (!closing_.empty() && flows_[closing_.front()].deadline <= now)
            end_flow(closing_.front(), flows_[closing_.front()].pending);
        if (options_.idle_timeout.count() > 0) {
            while (!recent_.empty() && later(flows_[recent_.front()].last.total_nanoseconds(), options_.idle_timeout) <= now)
                end_flow(recent_.front(), EndReason::idle);
        }
        if (options_.active_timeout.count() > 0) {
            while (!opened_.empty() &&
                   later(flows_[opened_.front()].first.total_nanoseconds(), options_.active_timeout) <= now)
                end_flow(opened_.front(), EndReason::active);
        }
    }

    // Prefetch hints (trace_batch): a flow record, then the end of its frame list.
    void prefetch_record(std::uint32_t id) const noexcept {
#if defined(__GNUC__) || defined(__clang__)
        const char* record = reinterpret_cast<const char*>(&flows_[id]);
        for (std::size_t line = 0; line < sizeof(OpenFlow); line += 64) __builtin_prefetch(record + line, 1);
#else
        (void)id;
#endif
    }
    void prefetch_frames(std::uint32_t id) const noexcept {
#if defined(__GNUC__) || defined(__clang__)
        const std::vector<std::uint64_t>& frames = flows_[id].buffer.index;
        if (frames.size() < frames.capacity()) __builtin_prefetch(frames.data() + frames.size(), 1);
#else
        (void)id;
#endif
    }

    void count(std::uint32_t id, int dir, const PacketT& packet) {
        OpenFlow& flow = flows_[id];
        FlowStats& s = stats_[id];
        const auto d = static_cast<std::size_t>(dir);
        ++s.packets[d];
        s.bytes[d] += frame_traits<frame_type>::wirelen(packet.frame);
        s.payload[d] += packet.tcp.payload_size;
        if (packet.syn) ++(packet.tcp.ack ? s.synack : s.syn);
        if (packet.fin) ++s.fin;
        if (packet.tcp.rst) ++s.rst;
        flow.facts.add(dir, packet.syn, packet.tcp.ack, packet.fin, packet.tcp.rst, packet.tcp.payload_size != 0,
                       s.history);
    }

    std::shared_ptr<const FlowStats> final_stats(std::uint32_t id) const {
        if (!options_.statistics) return nullptr;
        const OpenFlow& flow = flows_[id];
        auto s = std::make_shared<FlowStats>(stats_[id]);
        s->first = flow.first;
        s->last = flow.last;
        s->conn_state = flow.facts.conn_state();
        if constexpr (std::is_same_v<address_type, IpAddress>) {
            s->community_id = community_id(flow.key.a, flow.key.pa, flow.key.b, flow.key.pb);
        }
        return s;
    }

    // Records the flow as ended, completes its file, then runs the callbacks
    // (deferred: after dump() wrote the ending frame). The record is kept even
    // when completing the file throws; the error propagates after the callbacks.
    const Buffer& end_flow(std::uint32_t id, EndReason reason, Ending ending = Ending::silent) {
        OpenFlow& flow = flows_[id];
        Index record{flow_path(flow.buffer), {}, {}, reason, final_stats(id)};
        if (ending == Ending::keep_buffer) {
            record.index = flow.buffer.index;
            record.label = flow.buffer.label;
        } else {
            record.index = std::move(flow.buffer.index);
            record.label = std::move(flow.buffer.label);
            // A kept record lives to the end: drop the growth slack (a quarter
            // of the frame list on average), and the freed block serves the
            // next growing flow.
            if (options_.keep_closed) record.index.shrink_to_fit();
        }
        table_.erase(flow.key, flow.hash);
        opened_.erase(flows_, id);
        if (recency_) recent_.erase(flows_, id);
        if (flow.pending != EndReason::open) closing_.erase(flows_, id);
        std::unique_ptr<FlowWriter> writer = std::move(flow.buffer.fpout);
        if (ending == Ending::keep_buffer) {
            just_closed_.index = std::move(flow.buffer.index);
            just_closed_.label = std::move(flow.buffer.label);
        }
        flows_[id] = OpenFlow{};
        free_.push_back(id);
        if (options_.keep_closed) closed_.push_back(std::move(record));
        else unkept_ = std::move(record);
        if (ending == Ending::deferred) {
            just_closed_.fpout = std::move(writer);
            settle_pending_ = true;
        } else {
            complete(std::move(writer));
        }
        return just_closed_;
    }

    // Completes an ended flow's file, then tells the callbacks about it.
    void complete(std::unique_ptr<FlowWriter> writer) {
        std::exception_ptr error;
        if (writer) {
            try {
                writer->finish();
            } catch (...) {
                error = std::current_exception();
            }
        }
        const Index& record = options_.keep_closed ? closed_.back() : unkept_;
        for (const Callback& callback : callbacks_) callback(record);
        if (error) std::rethrow_exception(error);
    }

    // The flow dump() ended is completed once its last frame is written.
    void settle_closed() {
        if (!settle_pending_) return;
        settle_pending_ = false;
        complete(std::move(just_closed_.fpout));
    }

    TraceFlowOptions options_;
    OutputFormat format_;
    std::string extension_;
    bool writing_ = false;
    bool timers_ = false;
    bool recency_ = false;
    std::int64_t clock_ = INT64_MIN;
    detail::FileCache files_;
    detail::FlowTable<FlowKey> table_;
    std::vector<OpenFlow> flows_;  // slots, reused through free_
    std::vector<FlowStats> stats_;  // by slot, only with statistics on (kept out of the hot records)
    std::vector<std::uint32_t> free_;
    OpenList opened_;
    RecentList recent_;
    ClosingList closing_;
    std::deque<Index> closed_;
    Buffer just_closed_;        // the Buffer trace() / dump() returned for a flow they ended
    Index unkept_;              // the last ended flow when keep_closed is off
    bool settle_pending_ = false;
    detail::HashSet64 label_hashes_;
    std::deque<std::pair<std::int64_t, std::uint64_t>> label_times_;
    std::int64_t label_clock_ = INT64_MIN;
    std::vector<Callback> callbacks_;
    std::vector<OpenCallback> open_callbacks_;
};

}  // namespace traceflow
