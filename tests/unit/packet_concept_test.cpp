// SPDX-License-Identifier: MIT
// The packet concept: any type with pcapkit's ten fields traces as Packet<>
// does, with every accepted address, timestamp and frame type; optional
// fields are detected at the top level or in `tcp`, and their absence turns
// off only what needs them.
#include <traceflow/output/file_output.hpp>
#include <traceflow/trace_flow.hpp>

#include <array>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "test_catch.hpp"
#include "test_util.hpp"

using traceflow::IpAddress;
using traceflow::Timestamp;
using traceflow::TraceFlow;

// --- Packet types of a caller's own --------------------------------------

namespace {

/// Exactly pcapkit's fields, nothing else.
template <typename AddressT, typename TimeT, typename FrameT = std::vector<std::uint8_t>>
struct Plain {
    traceflow::LinkType protocol = traceflow::LinkType::ethernet;
    std::uint64_t index = 0;
    FrameT frame{};
    bool syn = false;
    bool fin = false;
    AddressT src{};
    AddressT dst{};
    std::uint16_t srcport = 0;
    std::uint16_t dstport = 0;
    TimeT timestamp{};
};

/// pcapkit's fields plus the optional ones at the top level, with loose types.
struct TopLevel {
    int protocol = 1;
    int index = 0;
    std::string frame;
    bool syn = false;
    bool fin = false;
    std::string src;
    std::string dst;
    int srcport = 0;
    int dstport = 0;
    double timestamp = 0;
    bool rst = false;
    bool ack = false;
    std::uint32_t seq = 0;
    std::uint32_t payload_size = 0;
    std::uint16_t vlan = 0;
    std::uint32_t interface_id = 0;
};

/// An address type of the caller's own, with no operators at all.
struct HostId {
    std::uint32_t value = 0;
};

/// An address type with the usual operators and `to_string()`: no traits needed.
struct Host4 {
    std::uint32_t value = 0;
    friend bool operator==(const Host4& a, const Host4& b) { return a.value == b.value; }
    friend bool operator<(const Host4& a, const Host4& b) { return a.value < b.value; }
    [[nodiscard]] std::string to_string() const { return traceflow::IpAddress::v4(value).to_string(); }
};

/// A frame type of the caller's own.
struct Bytes2 {
    std::vector<std::uint8_t> data_;
    std::uint32_t original = 0;
};

/// A time type of the caller's own: microseconds since the epoch.
struct Micros {
    std::int64_t count = 0;
};

}  // namespace

template <>
struct std::hash<Host4> {
    std::size_t operator()(const Host4& a) const noexcept { return a.value; }
};

template <>
struct traceflow::address_traits<HostId> {
    using key_type = HostId;
    static const HostId& to_key(const HostId& a) noexcept { return a; }
    static bool equal(const HostId& a, const HostId& b) noexcept { return a.value == b.value; }
    static bool less(const HostId& a, const HostId& b) noexcept { return a.value < b.value; }
    static std::uint64_t hash(const HostId& a) noexcept { return a.value; }
    static void append_text(std::string& out, const HostId& a) { traceflow::IpAddress::v4(a.value).append_to(out); }
};

template <>
struct traceflow::frame_traits<Bytes2> {
    static ByteView bytes(const Bytes2& f) noexcept { return {f.data_.data(), f.data_.size()}; }
    static std::uint32_t wirelen(const Bytes2& f) noexcept { return f.original; }
};

template <>
struct traceflow::timestamp_traits<Micros> {
    static Timestamp to_timestamp(const Micros& t) noexcept { return Timestamp::from_nanoseconds(t.count * 1000); }
};

static_assert(traceflow::is_packet_v<traceflow::Packet<>>);
static_assert(traceflow::is_packet_v<TopLevel>);
static_assert(traceflow::is_packet_v<Plain<std::string_view, double>>);
static_assert(!traceflow::is_packet_v<HostId>);
static_assert(std::is_same_v<TraceFlow<Plain<std::string_view, double>>::key_type, traceflow::BufferID<std::string>>);
static_assert(std::is_same_v<TraceFlow<Plain<HostId, Timestamp>>::key_type, traceflow::BufferID<HostId>>);
static_assert(std::is_same_v<TraceFlow<Plain<std::array<std::uint8_t, 4>, Timestamp>>::key_type,
                             traceflow::BufferID<std::array<std::uint8_t, 4>>>);
static_assert(traceflow::detail::meta::packet_has_rst<traceflow::Packet<>> &&
              traceflow::detail::meta::packet_has_rst<TopLevel>);
static_assert(!traceflow::detail::meta::packet_has_rst<Plain<IpAddress, Timestamp>> &&
              !traceflow::detail::meta::packet_has_seq<Plain<IpAddress, Timestamp>>);

// --- Random traffic, then the same traffic in each representation --------

namespace {

struct Event {
    std::size_t src, dst;
    std::uint16_t srcport, dstport;
    bool syn, fin, rst, ack;
    std::uint32_t seq;
    Timestamp time;
    std::vector<std::uint8_t> bytes;
};

std::vector<Event> random_traffic(std::mt19937& rng, std::size_t hosts, std::size_t count) {
    std::vector<Event> events;
    std::int64_t ms = 0;
    for (std::size_t i = 0; i < count; ++i) {
        Event e{};
        e.src = rng() % hosts;
        e.dst = rng() % hosts;
        e.srcport = static_cast<std::uint16_t>(rng() % 3 + 1000);
        e.dstport = static_cast<std::uint16_t>(rng() % 2 + 80);
        const unsigned kind = rng() % 16;
        e.syn = kind < 3;
        e.ack = kind != 0;
        e.fin = kind == 3 || kind == 4;
        e.rst = kind == 5;
        e.seq = rng() % 2;  // same-ISN and new-ISN SYNs alike
        ms += rng() % 400;  // whole milliseconds: timers never sit on an edge
        e.time = Timestamp::from_nanoseconds(1'700'000'000'000'000'000 + ms * 1'000'000);
        e.bytes.resize(rng() % 40 + 20);
        for (auto& b : e.bytes) b = static_cast<std::uint8_t>(rng());
        events.push_back(e);
    }
    return events;
}

/// The double nearest to a Timestamp's exact decimal (what pcapkit holds).
double seconds_of(const Timestamp& t) { return std::strtod(t.to_decimal().c_str(), nullptr); }

template <typename AddressT>
AddressT address_as(const IpAddress& a) {
    if constexpr (std::is_same_v<AddressT, IpAddress>)
        return a;
    else if constexpr (std::is_same_v<AddressT, std::string>)
        return a.to_string();
    else if constexpr (std::is_same_v<AddressT, HostId> || std::is_same_v<AddressT, Host4>)
        return AddressT{static_cast<std::uint32_t>(a.data()[0]) << 24 | static_cast<std::uint32_t>(a.data()[1]) << 16 |
                        static_cast<std::uint32_t>(a.data()[2]) << 8 | a.data()[3]};
    else {
        AddressT out{};
        std::copy(a.data(), a.data() + out.size(), out.begin());
        return out;
    }
}

template <typename TimeT>
TimeT time_as(const Timestamp& t) {
    using namespace std::chrono;
    if constexpr (std::is_same_v<TimeT, Timestamp>)
        return t;
    else if constexpr (std::is_floating_point_v<TimeT>)
        return static_cast<TimeT>(seconds_of(t));
    else if constexpr (std::is_same_v<TimeT, duration<double>>)
        return duration<double>(seconds_of(t));
    else if constexpr (std::is_same_v<TimeT, Micros>)
        return Micros{t.total_nanoseconds() / 1000};
    else if constexpr (std::is_same_v<TimeT, system_clock::time_point>)
        return system_clock::time_point(duration_cast<system_clock::duration>(nanoseconds(t.total_nanoseconds())));
    else
        return duration_cast<TimeT>(nanoseconds(t.total_nanoseconds()));
}

template <typename FrameT>
FrameT frame_as(const std::vector<std::uint8_t>& bytes) {
    if constexpr (std::is_same_v<FrameT, traceflow::Frame>) {
        traceflow::Frame f;
        f.bytes = bytes;
        f.wirelen = static_cast<std::uint32_t>(bytes.size());
        return f;
    } else if constexpr (std::is_same_v<FrameT, Bytes2>) {
        return Bytes2{bytes, static_cast<std::uint32_t>(bytes.size())};
    } else if constexpr (std::is_same_v<FrameT, std::vector<std::byte>>) {
        FrameT f;
        for (const std::uint8_t b : bytes) f.push_back(std::byte{b});
        return f;
    } else if constexpr (std::is_same_v<FrameT, std::array<std::uint8_t, 64>>) {
        FrameT f{};
        std::copy(bytes.begin(), bytes.end(), f.begin());
        return f;
    } else {
        return FrameT(bytes.begin(), bytes.end());
    }
}

/// Packet<> with the tcp details filled in: the reference run.
traceflow::Packet<> reference_packet(const Event& e, std::size_t i, const std::vector<IpAddress>& hosts) {
    traceflow::Packet<> p;
    p.index = i + 1;
    p.frame = frame_as<traceflow::Frame>(e.bytes);
    p.syn = e.syn;
    p.fin = e.fin;
    p.src = hosts[e.src];
    p.dst = hosts[e.dst];
    p.srcport = e.srcport;
    p.dstport = e.dstport;
    p.timestamp = e.time;
    p.tcp.rst = e.rst;
    p.tcp.ack = e.ack;
    p.tcp.seq = e.seq;
    p.tcp.payload_size = static_cast<std::uint32_t>(e.bytes.size() % 7);
    p.tcp.vlan = static_cast<std::uint16_t>(e.srcport % 2);
    return p;
}

template <typename P>
P own_packet(const Event& e, std::size_t i, const std::vector<IpAddress>& hosts) {
    using AddressT = std::remove_cv_t<decltype(P::src)>;
    using TimeT = std::remove_cv_t<decltype(P::timestamp)>;
    using FrameT = std::remove_cv_t<decltype(P::frame)>;
    P p;
    p.index = static_cast<decltype(p.index)>(i + 1);
    p.frame = frame_as<FrameT>(e.bytes);
    p.syn = e.syn;
    p.fin = e.fin;
    p.src = address_as<AddressT>(hosts[e.src]);
    p.dst = address_as<AddressT>(hosts[e.dst]);
    p.srcport = e.srcport;
    p.dstport = e.dstport;
    p.timestamp = time_as<TimeT>(e.time);
    if constexpr (std::is_same_v<P, TopLevel>) {
        p.rst = e.rst;
        p.ack = e.ack;
        p.seq = e.seq;
        p.payload_size = static_cast<std::uint32_t>(e.bytes.size() % 7);
        p.vlan = static_cast<std::uint16_t>(e.srcport % 2);
    }
    return p;
}

/// What a run gave, whatever the tracer's record type (typed by the address).
struct Flow {
    std::string label;
    std::vector<std::uint64_t> index;
    traceflow::EndReason reason;
    std::shared_ptr<const traceflow::FlowStats> stats;
};

struct Run {
    std::vector<Flow> index;
    std::map<std::string, std::string> files;
};

template <typename P, typename Make>
Run trace_all(const std::vector<Event>& events, traceflow::TraceFlowOptions options, Make make) {
    Run run;
    testutil::TempDir dir;
    if (!options.fout.empty()) options.fout = dir.str();
    {
        TraceFlow<P> tracer(options);
        for (std::size_t i = 0; i < events.size(); ++i) tracer.dump(make(events[i], i));
        tracer.end_of_input();
        tracer.finish();
        for (const auto& record : tracer.index())
            run.index.push_back(Flow{record.label, record.index, record.reason, record.stats});
    }
    if (!options.fout.empty())
        for (const auto& path : testutil::files_in(dir.path()))
            run.files[path.filename().string()] = testutil::read_file(path);
    return run;
}

void check_same_flows(const Run& got, const Run& want, bool same_labels = true) {
    REQUIRE(got.index.size() == want.index.size());
    for (std::size_t i = 0; i < got.index.size(); ++i) {
        if (same_labels) CHECK(got.index[i].label == want.index[i].label);
        CHECK(got.index[i].index == want.index[i].index);
        CHECK(got.index[i].reason == want.index[i].reason);
        if (got.index[i].stats && want.index[i].stats) {
            CHECK(got.index[i].stats->payload == want.index[i].stats->payload);
            CHECK(got.index[i].stats->history == want.index[i].stats->history);
        }
    }
}

std::vector<traceflow::TraceFlowOptions> mode_matrix() {
    std::vector<traceflow::TraceFlowOptions> modes;
    for (int m = 0; m < 4; ++m) {
        traceflow::TraceFlowOptions o;
        o.warning = nullptr;
        o.keying = m % 2 ? traceflow::FlowKeying::bidirectional : traceflow::FlowKeying::directional;
        o.lifecycle = m / 2 ? traceflow::Lifecycle::tcp : traceflow::Lifecycle::pcapkit;
        o.statistics = true;
        if (m / 2) o.idle_timeout = std::chrono::microseconds(1'000'500);
        // Off the whole milliseconds of the traffic: a double time is only
        // within 120 ns of the exact one, so no deadline may sit on an edge.
        o.fin_linger = std::chrono::microseconds(2'000'500);
        o.rst_linger = std::chrono::microseconds(1'000'500);
        modes.push_back(o);
    }
    return modes;
}

const std::vector<IpAddress> v4_hosts = {*IpAddress::parse("10.0.0.1"), *IpAddress::parse("192.0.2.7"),
                                         *IpAddress::parse("10.0.0.20")};
const std::vector<IpAddress> v6_hosts = {*IpAddress::parse("2001:db8::1"), *IpAddress::parse("fe80::2"),
                                         *IpAddress::parse("2001:db8::a:1")};

template <typename P>
void check_like_reference(const std::vector<IpAddress>& hosts, std::uint32_t seed, bool same_labels = true) {
    std::mt19937 rng(seed);
    const std::vector<Event> events = random_traffic(rng, hosts.size(), 300);
    for (const traceflow::TraceFlowOptions& options : mode_matrix()) {
        const Run want = trace_all<traceflow::Packet<>>(
            events, options, [&](const Event& e, std::size_t i) { return reference_packet(e, i, hosts); });
        const Run got =
            trace_all<P>(events, options, [&](const Event& e, std::size_t i) { return own_packet<P>(e, i, hosts); });
        check_same_flows(got, want, same_labels);
    }
}

}  // namespace

TEST_CASE("a struct with exactly pcapkit's fields traces as Packet<> in pcapkit mode", "[packet_concept]") {
    // Without rst/ack/seq the tcp lifecycle differs by design; pcapkit mode does not use them.
    std::mt19937 rng(7);
    const std::vector<Event> events = random_traffic(rng, v4_hosts.size(), 400);
    traceflow::TraceFlowOptions options;
    options.warning = nullptr;
    options.fout = "out";  // replaced by a temporary folder
    const Run want = trace_all<traceflow::Packet<>>(
        events, options, [&](const Event& e, std::size_t i) { return reference_packet(e, i, v4_hosts); });
    using Own = Plain<IpAddress, Timestamp, traceflow::Frame>;
    const Run got =
        trace_all<Own>(events, options, [&](const Event& e, std::size_t i) { return own_packet<Own>(e, i, v4_hosts); });
    check_same_flows(got, want);
    CHECK(got.files == want.files);
    CHECK(got.files.size() == want.index.size());
}

TEST_CASE("top-level optional fields trace as Packet<>'s tcp member in every mode", "[packet_concept]") {
    check_like_reference<TopLevel>(v4_hosts, 11);
    check_like_reference<TopLevel>(v6_hosts, 12);
}

TEST_CASE("every address type groups and labels as IpAddress does", "[packet_concept][address]") {
    using Ts = Timestamp;
    // Without the optional fields, pcapkit mode and bidirectional keying only.
    const auto same = [](auto tag, const std::vector<IpAddress>& hosts, std::uint32_t seed) {
        using P = decltype(tag);
        std::mt19937 rng(seed);
        const std::vector<Event> events = random_traffic(rng, hosts.size(), 300);
        for (const auto keying : {traceflow::FlowKeying::directional, traceflow::FlowKeying::bidirectional}) {
            traceflow::TraceFlowOptions options;
            options.warning = nullptr;
            options.keying = keying;
            using Ref = Plain<IpAddress, Ts>;
            const Run want = trace_all<Ref>(
                events, options, [&](const Event& e, std::size_t i) { return own_packet<Ref>(e, i, hosts); });
            const Run got = trace_all<P>(events, options,
                                         [&](const Event& e, std::size_t i) { return own_packet<P>(e, i, hosts); });
            check_same_flows(got, want);
        }
    };
    same(Plain<std::string, Ts>{}, v4_hosts, 1);
    same(Plain<std::string, Ts>{}, v6_hosts, 2);
    same(Plain<std::array<std::uint8_t, 4>, Ts>{}, v4_hosts, 3);
    same(Plain<std::array<std::uint8_t, 16>, Ts>{}, v6_hosts, 4);
    same(Plain<HostId, Ts>{}, v4_hosts, 5);
    same(Plain<Host4, Ts>{}, v4_hosts, 6);
}

TEST_CASE("text addresses from string views and literals are copied into the key", "[packet_concept][address]") {
    using P = Plain<std::string_view, double>;
    TraceFlow<P> tracer;
    std::string src = "192.0.2.1";
    P p;
    p.src = src;
    p.dst = "192.0.2.2";
    p.srcport = 1;
    p.dstport = 2;
    p.timestamp = 1700000000.5;
    p.index = 1;
    tracer.trace(p);
    src = "999.9.9.9";  // the caller's text changes; the open flow's key must not
    P q = p;
    q.src = "192.0.2.1";
    q.index = 2;
    const auto& flow = tracer.trace(q);
    CHECK(flow.label == "192.0.2.1_1-192.0.2.2_2-1700000000.5");
    CHECK(flow.index == std::vector<std::uint64_t>{1, 2});
    CHECK(tracer.open_count() == 1);

    using C = Plain<const char*, double>;
    TraceFlow<C> literal;
    C c;
    c.src = "192.0.2.1";
    c.dst = "2001:db8::1";
    c.timestamp = 1700000000.25;
    CHECK(literal.trace(c).label == "192.0.2.1_0-2001.db8..1_0-1700000000.25");
}

TEST_CASE("double timestamps label as Python's repr of that double", "[packet_concept][timestamp]") {
    // Expected texts are what `python3 -c 'print(repr(x))'` prints for each x.
    const std::vector<std::pair<double, const char*>> cases = {
        {1700000000.5, "1700000000.5"},
        {0.1 + 0.2, "0.30000000000000004"},
        {1511106549.91372, "1511106549.91372"},
        {1e16, "1e+16"},
        {1.5e300, "1.5e+300"},
        {123456789012345678.0, "1.2345678901234568e+17"},
        {0.0001, "0.0001"},
        {0.00001, "1e-05"},
        {1700000000.0, "1700000000.0"},
        {1700000000.123456789, "1700000000.1234567"},
        {9007199254740993.0, "9007199254740992.0"},
        {2.5e-300, "2.5e-300"},
        {-1.5, "-1.5"},
    };
    using P = Plain<std::string, double>;
    TraceFlow<P> tracer;
    std::uint16_t port = 0;
    for (const auto& [time, text] : cases) {
        P p;
        p.src = "10.0.0.1";
        p.dst = "10.0.0.2";
        p.srcport = ++port;
        p.timestamp = time;
        CHECK(tracer.trace(p).label == "10.0.0.1_" + std::to_string(port) + "-10.0.0.2_0-" + text);
        CHECK(traceflow::make_label(p.src, p.srcport, p.dst, p.dstport, time) == tracer.trace(p).label);
    }
}

TEST_CASE("every timestamp type traces as Timestamp does, timers included", "[packet_concept][timestamp]") {
    const auto same = [](auto tag, std::uint32_t seed) {
        using P = decltype(tag);
        std::mt19937 rng(seed);
        const std::vector<Event> events = random_traffic(rng, v4_hosts.size(), 300);
        traceflow::TraceFlowOptions options;
        options.warning = nullptr;
        options.idle_timeout = std::chrono::microseconds(1'000'500);
        options.active_timeout = std::chrono::microseconds(3'000'500);
        using Ref = Plain<IpAddress, Timestamp>;
        const Run want = trace_all<Ref>(events, options,
                                        [&](const Event& e, std::size_t i) { return own_packet<Ref>(e, i, v4_hosts); });
        const Run got =
            trace_all<P>(events, options, [&](const Event& e, std::size_t i) { return own_packet<P>(e, i, v4_hosts); });
        // Whole milliseconds since 1.7e9 s: the double's repr is the same text.
        check_same_flows(got, want);
        CHECK(want.index.size() > 3);
    };
    same(Plain<IpAddress, double>{}, 21);
    same(Plain<IpAddress, std::chrono::nanoseconds>{}, 22);
    same(Plain<IpAddress, std::chrono::microseconds>{}, 23);
    same(Plain<IpAddress, std::chrono::duration<double>>{}, 24);
    same(Plain<IpAddress, std::chrono::system_clock::time_point>{}, 25);
    same(Plain<IpAddress, Micros>{}, 26);
}

TEST_CASE("double and chrono times convert to the nearest Timestamp", "[packet_concept][timestamp]") {
    using traceflow::detail::values::to_timestamp;
    CHECK(to_timestamp(1700000000.5) == Timestamp{1700000000, 500'000'000});
    CHECK(to_timestamp(-1.25) == Timestamp{-2, 750'000'000});
    CHECK(to_timestamp(0.9999999999) == Timestamp{1, 0});
    CHECK(to_timestamp(std::nan("")) == Timestamp{});
    CHECK(to_timestamp(1e300).sec > 0);
    CHECK(to_timestamp(-1e300).sec < 0);
    CHECK(to_timestamp(std::chrono::nanoseconds(-1)) == Timestamp{-1, 999'999'999});
    CHECK(to_timestamp(std::chrono::minutes(2)) == Timestamp{120, 0});
    // Every whole-microsecond time survives double -> Timestamp -> double.
    std::mt19937_64 rng(3);
    for (int i = 0; i < 1000; ++i) {
        const Timestamp t =
            Timestamp::from_nanoseconds(static_cast<std::int64_t>(rng() % 4'000'000'000'000'000ULL) * 1000);
        const double d = seconds_of(t);
        CHECK(seconds_of(to_timestamp(d)) == d);
    }
}

TEST_CASE("every frame type writes the same pcap files as Frame", "[packet_concept][frame]") {
    const auto same = [](auto tag) {
        using P = decltype(tag);
        std::mt19937 rng(31);
        const std::vector<Event> events = random_traffic(rng, v4_hosts.size(), 200);
        traceflow::TraceFlowOptions options;
        options.warning = nullptr;
        options.fout = "out";
        using Ref = Plain<IpAddress, Timestamp, traceflow::Frame>;
        const Run want = trace_all<Ref>(events, options,
                                        [&](const Event& e, std::size_t i) { return own_packet<Ref>(e, i, v4_hosts); });
        const Run got =
            trace_all<P>(events, options, [&](const Event& e, std::size_t i) { return own_packet<P>(e, i, v4_hosts); });
        check_same_flows(got, want);
        CHECK(got.files == want.files);
        CHECK_FALSE(want.files.empty());
    };
    same(Plain<IpAddress, Timestamp, std::vector<std::uint8_t>>{});
    same(Plain<IpAddress, Timestamp, std::string>{});
    same(Plain<IpAddress, Timestamp, std::vector<std::byte>>{});
    same(Plain<IpAddress, Timestamp, Bytes2>{});
}

TEST_CASE("a ByteView frame reads the viewed bytes", "[packet_concept][frame]") {
    const std::vector<std::uint8_t> bytes = {9, 8, 7};
    Plain<IpAddress, Timestamp, traceflow::ByteView> p;
    p.frame = traceflow::ByteView(bytes.data(), bytes.size());
    CHECK(traceflow::detail::meta::packet_wirelen(p) == 3);
    CHECK(traceflow::detail::meta::packet_bytes(p).data == bytes.data());
}

TEST_CASE("a fixed-size array frame writes all its bytes", "[packet_concept][frame]") {
    using P = Plain<IpAddress, Timestamp, std::array<std::uint8_t, 64>>;
    P p = own_packet<P>(Event{0, 1, 1, 2, false, false, false, false, 0, {5, 0}, {1, 2, 3}}, 0, v4_hosts);
    CHECK(traceflow::detail::meta::packet_wirelen(p) == 64);
    CHECK(traceflow::detail::meta::packet_bytes(p).size == 64);
    CHECK(traceflow::detail::meta::packet_bytes(p)[2] == 3);
}

TEST_CASE("without rst the tcp lifecycle does not end on RST; without seq a SYN never restarts an open flow",
          "[packet_concept][optional]") {
    traceflow::TraceFlowOptions options;
    options.warning = nullptr;
    options.lifecycle = traceflow::Lifecycle::tcp;
    const auto packet = [](std::uint64_t index, bool syn, bool rst, std::uint32_t seq, std::int64_t sec) {
        TopLevel p;
        p.index = static_cast<int>(index);
        p.src = "10.0.0.1";
        p.dst = "10.0.0.2";
        p.srcport = 1000;
        p.dstport = 80;
        p.syn = syn;
        p.rst = rst;
        p.seq = seq;
        p.timestamp = static_cast<double>(sec);
        return p;
    };
    struct NoRstNoSeq : Plain<std::string, double> {};
    const auto strip = [](const TopLevel& t) {
        NoRstNoSeq p;
        p.index = static_cast<std::uint64_t>(t.index);
        p.src = t.src;
        p.dst = t.dst;
        p.srcport = static_cast<std::uint16_t>(t.srcport);
        p.dstport = static_cast<std::uint16_t>(t.dstport);
        p.syn = t.syn;
        p.timestamp = t.timestamp;
        return p;
    };
    // SYN, SYN with a new ISN (a new connection), RST, then a data packet 1.5 s later.
    const std::vector<TopLevel> packets = {packet(1, true, false, 100, 10), packet(2, true, false, 200, 11),
                                           packet(3, false, true, 0, 12), packet(4, false, false, 0, 14)};
    TraceFlow<TopLevel> full(options);
    TraceFlow<NoRstNoSeq> bare(options);
    for (const TopLevel& p : packets) {
        full.trace(p);
        bare.trace(strip(p));
    }
    full.end_of_input();
    bare.end_of_input();
    // Full: {1} reused by the new ISN, {2,3} ended by the RST, {4} alone.
    std::vector<std::vector<std::uint64_t>> full_flows, bare_flows;
    for (const auto& f : full.index()) full_flows.push_back(f.index);
    for (const auto& f : bare.index()) bare_flows.push_back(f.index);
    CHECK(full_flows == std::vector<std::vector<std::uint64_t>>{{1}, {2, 3}, {4}});
    CHECK(bare_flows == std::vector<std::vector<std::uint64_t>>{{1, 2, 3, 4}});
}
