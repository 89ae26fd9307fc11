// SPDX-License-Identifier: MIT
// TraceFlow: assigns TCP packets to flows and writes each flow's frames out
// (pcapkit's `TraceFlow`; by default its exact behaviour).
#pragma once

#include "version.hpp"

#include "fwd.hpp"

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "buffer.hpp"
#include "detail/meta/packet_fields.hpp"
#include "detail/output/flow_output.hpp"
#include "detail/tracer/flow_handoff.hpp"
#include "detail/tracer/flow_store.hpp"
#include "detail/tracer/flow_timers.hpp"
#include "detail/tracer/label_registry.hpp"
#include "detail/tracer/originator.hpp"
#include "detail/tracer/pcapkit_options.hpp"
#include "detail/tracer/pipelined_trace.hpp"
#include "detail/tracer/tcp_lifecycle.hpp"
#include "detail/values/address_ops.hpp"
#include "flow_handle.hpp"
#include "flow_stats.hpp"
#include "index.hpp"
#include "label.hpp"
#include "options.hpp"
#include "packet.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// Assigns packets to flows. By default (pcapkit mode) a flow is one
/// direction keyed by (src, srcport, dst, dstport): its first packet opens it,
/// a FIN ends it, and a later packet on the same key opens a new flow.
/// TraceFlowOptions selects bidirectional flows, the `tcp` lifecycle,
/// timeouts, a flow limit, statistics and bounded-memory streaming. A tracer
/// can be moved (a moved-from tracer may only be destroyed or assigned to).
///
/// ```cpp
/// traceflow::TraceFlow<> flows(traceflow::TraceFlowOptions{});
/// for (const auto& packet : std::vector<traceflow::Packet<>>(3)) flows(packet);  // trace + dump
/// for (const traceflow::Index& flow : flows.index())
///     std::cout << flow.label << ' ' << flow.index.size() << '\n';
/// ```
template <typename PacketT>
class TraceFlow {
public:
    using packet_type = PacketT;
    using address_type = detail::meta::packet_address_t<PacketT>;
    /// The key of a flow: (src, srcport, dst, dstport), pcapkit's BufferID.
    using key_type = BufferID<address_type>;
    using buffer_type = BasicBuffer<address_type>;
    using index_type = BasicIndex<address_type>;
    /// What dump() returns: the packet's flow's number and key.
    using handle_type = FlowHandle<key_type>;
    using Callback = std::function<void(const index_type&)>;       ///< ended-flow callback
    using OpenCallback = std::function<void(const buffer_type&)>;  ///< opened-flow callback
    /// The open flows in opening order (a forward range of buffer_type).
    using OpenFlows = typename detail::tracer::FlowStore<address_type>::OpenRange;

    /// With an output root (`fout`): throws std::invalid_argument for an unknown placeholder in name_template,
    /// IoError for the root, std::logic_error when no TU of the program includes <traceflow/output/file_output.hpp>.
    explicit TraceFlow(TraceFlowOptions options = {})
        : options_(std::move(options)),
          timed_(options_.lifecycle == Lifecycle::tcp || options_.idle_timeout.count() > 0 ||
                 options_.active_timeout.count() > 0),
          output_(detail::output::make_flow_output(options_)),
          store_(detail::tracer::flow_store_options(options_)),
          timers_(options_.idle_timeout, options_.active_timeout),
          tcp_(options_.keying, options_.fin_linger, options_.rst_linger),
          labels_(!options_.keep_closed),
          handoff_(options_.keep_closed, output_->root(), output_->extension()) {}

    /// pcapkit's signature: `TraceFlow(fout, format, byteorder, nanosecond)`.
    TraceFlow(std::string fout, std::string format, ByteOrder byteorder = ByteOrder::native, bool nanosecond = false)
        : TraceFlow(detail::tracer::pcapkit_options(std::move(fout), std::move(format), byteorder, nanosecond)) {}

    TraceFlow(const TraceFlow&) = delete;
    TraceFlow& operator=(const TraceFlow&) = delete;
    /// Takes over `other`'s flows, files and callbacks; writers stay valid (the file cache does not move).
    TraceFlow(TraceFlow&& other) = default;
    /// Completes this tracer's files (errors to the warning sink), then takes over `other`'s state.
    TraceFlow& operator=(TraceFlow&& other) {
        if (this == &other) return *this;
        finish_quietly();
        options_ = std::move(other.options_);
        timed_ = other.timed_;
        handoff_ = std::move(other.handoff_);  // writers go before the cache they write through
        store_ = std::move(other.store_);
        output_ = std::move(other.output_);
        timers_ = std::move(other.timers_);
        tcp_ = std::move(other.tcp_);
        labels_ = std::move(other.labels_);
        return *this;
    }

    /// Flushes and completes every output file; errors go to the warning sink
    /// (call finish() first to get them as exceptions).
    ~TraceFlow() { finish_quietly(); }

    /// Adds a format to the process-wide registry (same as traceflow::register_format;
    /// needs <traceflow/output/file_output.hpp> or <traceflow/output/process_registry.hpp>).
    /// (A template only so that OutputFormat may be incomplete here: the tracer does not include dumper.hpp.)
    template <typename Format = OutputFormat>
    static void register_format(std::string name, Format format) {
        static_assert(std::is_same_v<Format, OutputFormat>, "register_format takes an OutputFormat");
        detail::output::add_format(std::move(name), std::move(format));
    }

    /// Runs `callback` with every flow record as its flow ends. An exception
    /// from a callback propagates out of the call that ended the flow; the
    /// flow is recorded as ended all the same.
    void register_callback(Callback callback) { handoff_.add_callback(std::move(callback)); }
    /// Runs `callback` with every flow's Buffer as the flow opens.
    void register_open_callback(OpenCallback callback) { handoff_.add_open_callback(std::move(callback)); }

    /// Traces `packet` and writes its frame to its flow's file (pcapkit's
    /// `dump`). When the packet ends its flow, the frame is written, the file
    /// completed, and then the callbacks run.
    handle_type dump(const PacketT& packet) {
        const buffer_type& buffer = trace_packet(packet, Ending::deferred);
        if (buffer.fpout) {
            buffer.fpout->write(DumpFrame{detail::meta::packet_index(packet), detail::meta::packet_time(packet),
                                          detail::meta::packet_bytes(packet), detail::meta::packet_wirelen(packet),
                                          detail::meta::packet_protocol(packet),
                                          detail::meta::packet_interface(packet)});
        }
        handoff_.settle();
        return handle_type{buffer.number, &buffer.id};
    }
    /// Same as dump().
    handle_type operator()(const PacketT& packet) { return dump(packet); }

    /// Traces `packet` without writing it; returns its flow's Buffer (label,
    /// frames so far, writer), valid until the next call on this tracer. When
    /// the packet ends its flow, the returned Buffer holds the whole flow and
    /// its file is already complete (write frames with dump() instead).
    const buffer_type& trace(const PacketT& packet) { return trace_packet(packet, Ending::keep_buffer); }

    /// Traces `count` packets in order, with exactly the effect of calling
    /// trace() on each, but faster on many live flows: each packet's table
    /// slot and flow record are prefetched a few packets ahead, so their
    /// cache misses overlap instead of following one another.
    void trace_batch(const PacketT* packets, std::size_t count) {
        // silent: no Buffer is handed back, so an ended flow's frames move, not copy.
        detail::tracer::trace_pipelined<Key>(
            count, store_, [&](std::size_t i, bool& from_a) { return make_key(packets[i], from_a); },
            [&](std::size_t i, const Key& key, std::uint64_t hash, bool from_a) {
                trace_keyed(packets[i], key, hash, from_a, Ending::silent);
            });
    }

    /// Moves the capture clock forward to `now` (never back) and ends the
    /// flows whose linger, idle or active time is over, as a packet at that
    /// time would; callbacks run. For a live capture's wall clock.
    void advance(const Timestamp& now) {
        handoff_.settle();
        expire(now.total_nanoseconds());
    }

    /// The open flow keyed `key` (pcapkit's `_buffer[key]`), or nullptr. In
    /// bidirectional mode either direction of the connection finds it. With
    /// key_vlan / key_interface the flow of that VLAN / interface is found;
    /// otherwise `vlan` and `interface` are ignored. Valid until the next call.
    [[nodiscard]] const buffer_type* find(const key_type& key, std::uint32_t vlan = 0,
                                          std::uint32_t interface = 0) const {
        bool from_a = true;
        const Key k = detail::tracer::make_flow_key(key.src, key.srcport, key.dst, key.dstport,
                                                    scope_of(vlan, interface), options_.keying, from_a);
        const std::uint32_t* id = store_.find(k, detail::tracer::hash_value(k));
        return id != nullptr ? &store_[*id].buffer : nullptr;
    }
    /// The open flows' Buffers in opening order (a range; valid until the next call).
    [[nodiscard]] OpenFlows open_flows() const noexcept { return OpenFlows(store_); }

    /// Open flows in opening order, then ended flows in ending order
    /// (pcapkit's `index` / `submit()`).
    [[nodiscard]] std::vector<index_type> index() const {
        std::vector<index_type> out;
        out.reserve(open_count() + handoff_.closed().size());
        for_each_index([&out](index_type&& record) { out.push_back(std::move(record)); });
        return out;
    }
    /// Calls `fn(index_type&&)` with each record index() lists, in its order,
    /// one at a time. The records are made in one object, each into the room
    /// the one before left (fn may move from it).
    template <typename Fn>
    void for_each_index(Fn&& fn) const {
        index_type record = for_each_open_index(fn);
        const auto& closed = handoff_.closed();
        for (std::size_t i = 0; i < closed.size(); ++i) {
            closed.read(i, record);
            fn(std::move(record));
        }
    }
    /// The first part of for_each_index(): the open flows' records only (the
    /// ended ones can be read from closed(), by several threads at once).
    /// Returns the object the records were made in, for reuse.
    template <typename Fn>
    index_type for_each_open_index(Fn&& fn) const {
        index_type record;
        for (std::uint32_t id = store_.first_opened(); id != detail::containers::no_slot; id = store_.next_opened(id)) {
            const buffer_type& b = store_[id].buffer;
            record.fpout = detail::output::writer_path(b.fpout);
            record.index.assign(b.index.begin(), b.index.end());
            record.label = b.label;
            record.reason = EndReason::open;
            record.stats = final_stats(id);
            record.id = b.id;
            record.number = b.number;
            set_scope(id, record);
            set_times(id, record);
            fn(std::move(record));
        }
        return record;
    }
    /// Same as index().
    [[nodiscard]] std::vector<index_type> submit() const { return index(); }

    /// The ended flows so far, in ending order (empty when keep_closed is off):
    /// kept compactly, each read back as an index_type value (see BasicEndedFlows).
    [[nodiscard]] const BasicEndedFlows<index_type>& closed() const noexcept { return handoff_.closed(); }
    /// Drops the ended flows kept so far (streaming callers that consumed them).
    void clear_closed() noexcept { handoff_.clear_closed(); }
    /// Number of open flows.
    [[nodiscard]] std::size_t open_count() const noexcept { return store_.size(); }

    /// Ends every open flow (reason end_of_input, or fin/rst for flows that
    /// were lingering), in opening order. For the `tcp` lifecycle at the end
    /// of a capture; pcapkit mode leaves flows open.
    void end_of_input() {
        handoff_.settle();
        for (std::uint32_t id; (id = store_.first_opened()) != detail::containers::no_slot;) {
            const EndReason pending = tcp_.pending(id);
            end_flow(id, pending != EndReason::open ? pending : EndReason::end_of_input);
        }
    }

    /// Completes every output file (footers, flush, close) without ending
    /// any flow; a later dump() of an open flow appends after the footer, so
    /// call this once at the end. Throws IoError.
    void finish() {
        if (!output_) return;  // moved from
        handoff_.settle();
        for (const buffer_type& open : open_flows())
            if (open.fpout) open.fpout->finish();
        output_->close_all();
    }

    /// True when frames are written to files (an output folder and a known format).
    [[nodiscard]] bool writes_files() const noexcept { return output_ && output_->writing(); }

    /// The output extension with its dot, or empty when no file is written
    /// (pcapkit's `make_fout` result).
    [[nodiscard]] const std::string& extension() const noexcept { return output_->extension(); }
    [[nodiscard]] const TraceFlowOptions& options() const noexcept { return options_; }
    /// Bytes held per open flow by the table and flow records (frame lists and labels not included).
    [[nodiscard]] static constexpr std::size_t bytes_per_flow_fixed() noexcept {
        // A flow record, up to two 8-byte table slots (load <= 1/2), one free-list entry.
        return sizeof(detail::tracer::OpenFlow<address_type>) + 2 * 8 + sizeof(std::uint32_t);
    }

private:
    using Key = detail::tracer::FlowKey<address_type>;

    using Ending = detail::tracer::Ending;
    using Originator = detail::tracer::Originator;
    using Side = detail::tracer::Side;
    void finish_quietly() noexcept {
        try {
            finish();
        } catch (const std::exception& e) {
            if (options_.warning) options_.warning(e.what());
        } catch (...) {  // nothing to say: destructors must not throw
        }
    }

    [[nodiscard]] bool opens_connection(const PacketT& p) const noexcept {
        return Originator::opens(options_.keying, detail::meta::packet_syn(p), detail::meta::packet_ack(p));
    }
    [[nodiscard]] std::uint32_t scope_of(std::uint32_t vlan, std::uint32_t interface) const noexcept {
        return detail::tracer::flow_scope(options_.key_vlan, options_.key_interface, vlan, interface);
    }
    Key make_key(const PacketT& p, bool& from_a) const {
        return detail::tracer::make_flow_key(detail::meta::packet_src(p), detail::meta::packet_srcport(p),
                                             detail::meta::packet_dst(p), detail::meta::packet_dstport(p),
                                             scope_of(detail::meta::packet_vlan(p), detail::meta::packet_interface(p)),
                                             options_.keying, from_a);
    }

    const buffer_type& trace_packet(const PacketT& packet, Ending ending) {
        bool from_a = true;
        const Key key = make_key(packet, from_a);
        return trace_keyed(packet, key, detail::tracer::hash_value(key), from_a, ending);
    }
    const buffer_type& trace_keyed(const PacketT& packet, const Key& key, std::uint64_t hash, bool from_a,
                                   Ending ending) {
        handoff_.settle();
        const Timestamp now = detail::meta::packet_time(packet);
        if (timed_) expire(now.total_nanoseconds());
        std::uint32_t id;
        if (const std::uint32_t* found = store_.find(key, hash)) {
            id = *found;
            if (options_.lifecycle == Lifecycle::tcp && opens_connection(packet) &&
                tcp_.starts_new_connection(id, Originator::side_of(options_.keying, from_a, store_[id].orig_is_a),
                                           detail::meta::packet_seq(packet), detail::meta::packet_has_seq<PacketT>)) {
                for (const detail::tracer::FlowEnd& end : tcp_.replaced(store_, id, key)) end_flow(end.id, end.reason);
                id = open_flow(key, hash, from_a, packet);
            }
        } else {
            id = open_flow(key, hash, from_a, packet);
        }
        detail::tracer::OpenFlow<address_type>& flow = store_[id];
        flow.buffer.index.push_back(detail::meta::packet_index(packet));
        if (store_.keeps_times()) store_.times(id).last = now;
        store_.touch(id);
        const Side sender = Originator::side_of(options_.keying, from_a, flow.orig_is_a);
        if (store_.statistics())
            store_.stats(id).count(detail::tracer::direction_index(sender), detail::meta::packet_syn(packet),
                                   detail::meta::packet_ack(packet), detail::meta::packet_fin(packet),
                                   detail::meta::packet_rst(packet), detail::meta::packet_payload_size(packet),
                                   detail::meta::packet_wirelen(packet));
        if (options_.lifecycle == Lifecycle::pcapkit) {
            if (detail::meta::packet_fin(packet)) return end_flow(id, EndReason::fin_one_side, ending);
        } else if (detail::meta::packet_fin(packet) || detail::meta::packet_rst(packet)) {
            for (const detail::tracer::Linger& linger :
                 tcp_.on_fin_or_rst(store_, id, sender, detail::meta::packet_rst(packet), now.total_nanoseconds()))
                timers_.linger(linger.id, linger.deadline);
        }
        return store_[id].buffer;
    }

    std::uint32_t open_flow(const Key& key, std::uint64_t hash, bool from_a, const PacketT& packet) {
        if (options_.max_flows != 0 && open_count() >= options_.max_flows &&
            store_.least_recent() != detail::containers::no_slot)
            end_flow(store_.least_recent(), EndReason::evicted);
        const std::uint32_t id = store_.allocate();
        detail::tracer::OpenFlow<address_type>& flow = store_[id];
        const Timestamp now = detail::meta::packet_time(packet);
        if (store_.keeps_times()) store_.times(id) = detail::tracer::FlowTimes{now, now};
        const bool sender_is_orig = Originator::first_sender_is_originator(
            options_.keying, detail::meta::packet_syn(packet), detail::meta::packet_ack(packet));
        flow.orig_is_a = Originator::originator_is_a(options_.keying, sender_is_orig, from_a);
        if (options_.lifecycle == Lifecycle::tcp)
            tcp_.opened(id, opens_connection(packet), detail::meta::packet_seq(packet));
        const key_type& fid = flow.buffer.id = detail::meta::packet_id<key_type>(packet, !sender_is_orig);
        flow.buffer.number = flows_opened_++;
        flow.buffer.label =
            make_label(fid.src, fid.srcport, fid.dst, fid.dstport, packet_traits<PacketT>::timestamp(packet));
        labels_.make_unique(flow.buffer.label, now.total_nanoseconds());
        flow.buffer.label.shrink_to_fit();  // held while open: no room for growth
        if (output_->writing() && (!options_.file_for || options_.file_for(flow.buffer.number)))
            flow.buffer.fpout = make_writer(flow.buffer.label, fid, now, detail::meta::packet_protocol(packet));
        store_.insert(id, key, hash);
        handoff_.opened(flow.buffer);
        return id;
    }

    // A new flow's writer: one virtual call per flow; addresses are printed only for names that use them.
    std::unique_ptr<FlowWriter> make_writer(const std::string& label, const key_type& id, const Timestamp& first,
                                            LinkType linktype) {
        detail::output::FlowNaming naming{label, {}, id.srcport, {}, id.dstport, first};
        if (output_->names_use_addresses()) {
            detail::values::append_address(naming.src, id.src);
            detail::values::append_address(naming.dst, id.dst);
        }
        return output_->make_writer(options_, naming, linktype);
    }

    // Ends flows whose linger, idle or active time is over at capture time `now` (ns).
    void expire(std::int64_t now) {
        if (!timers_.advance_to(now)) return;
        using Fired = detail::tracer::FlowTimers::Fired;
        // Ending a flow takes it out of the orders the timers look at.
        for (auto expired = timers_.next_expired(store_); expired.id != detail::containers::no_slot;
             expired = timers_.next_expired(store_)) {
            end_flow(expired.id, expired.fired == Fired::linger_over ? tcp_.pending(expired.id)
                                 : expired.fired == Fired::idle      ? EndReason::idle
                                                                     : EndReason::active);
        }
    }

    // Index::vlan and interface: the parts of the key's scope (zero unless keyed by them).
    void set_scope(std::uint32_t id, index_type& record) const {
        const std::uint32_t scope = store_.key_of(id).scope;
        record.vlan = scope & 0xFFFu;
        record.interface = scope >> 12;
    }

    // Index::first and last, when the store keeps them.
    void set_times(std::uint32_t id, index_type& record) const noexcept {
        if (!store_.keeps_times()) return;
        const detail::tracer::FlowTimes& t = store_.times(id);
        record.first = t.first;
        record.last = t.last;
    }

    std::shared_ptr<const FlowStats> final_stats(std::uint32_t id, bool with_community_id = true) const {
        if (!store_.statistics()) return nullptr;
        const Key k = store_.key_of(id);
        const detail::tracer::FlowTimes& t = store_.times(id);
        return store_.stats(id).finished(t.first, t.last, k.a, k.pa, k.b, k.pb, with_community_id);
    }

    // Records the flow as ended, completes its file, then runs the callbacks
    // (deferred: after dump() wrote the ending frame). The record is kept even
    // when completing the file throws; the error propagates after the callbacks.
    const buffer_type& end_flow(std::uint32_t id, EndReason reason, Ending ending = Ending::silent) {
        // Without callbacks, only the kept record needs the frame numbers
        // (it copies their deltas) and the Community ID (made when read).
        const bool whole = handoff_.shows_records();
        buffer_type& open = store_[id].buffer;
        index_type record{
            detail::output::writer_path(open.fpout), {}, {}, reason, final_stats(id, whole), open.id, {}, {}};
        if (whole) record.index = open.index.to_vector();
        record.number = open.number;
        set_scope(id, record);
        set_times(id, record);
        buffer_type ended;
        ended.number = open.number;
        ended.fpout = std::move(open.fpout);
        ended.index = std::move(open.index);
        ended.label = std::move(open.label);
        ended.id = open.id;  // copied: release() finds the slot by the key
        timers_.forget(id);
        store_.release(id);
        handoff_.ended(std::move(record), std::move(ended), ending);
        return handoff_.just_closed();
    }

    TraceFlowOptions options_;
    bool timed_ = false;                                  // a timer can end flows: expire() runs per packet
    detail::output::OwnedOutput output_;  // declared before the writers, destroyed after them
    detail::tracer::FlowStore<address_type> store_;
    detail::tracer::FlowTimers timers_;
    detail::tracer::TcpLifecycle<address_type> tcp_;
    detail::tracer::LabelRegistry labels_;
    std::uint64_t flows_opened_ = 0;  // the next flow's number
    detail::tracer::FlowHandoff<index_type, buffer_type> handoff_;
};

TRACEFLOW_NAMESPACE_END
