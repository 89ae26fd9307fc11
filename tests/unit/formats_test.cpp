// SPDX-License-Identifier: MIT
// Output formats: pcap bytes and times in both byte orders and resolutions,
// json that parses, plist that Python's plistlib reads, tree and text.
#include <traceflow/formats/builtin.hpp>  // json, plist, tree, text: the tracer alone knows pcap
#include <traceflow/output/file_output.hpp>
#include <traceflow/trace_flow.hpp>

#include <cstdlib>

#include "frame_builder.hpp"
#include "mini_json.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

using testutil::make_packet;
using traceflow::TraceFlow;

namespace {

traceflow::TraceFlowOptions options(std::string fout, std::string format) {
    traceflow::TraceFlowOptions o;
    o.fout = std::move(fout);
    o.format = std::move(format);
    o.warning = nullptr;
    return o;
}

// An Ethernet/IPv4/TCP frame so the text formats have headers to describe.
std::vector<std::uint8_t> ethernet_tcp_frame(std::uint16_t sport, std::uint16_t dport, std::uint8_t flags) {
    using namespace testutil;
    const Bytes segment = cat({tcp(sport, dport, flags, 0, 5, 1, 0), {'h', 'i', '"', '<'}});
    return ethernet(0x0800, ipv4(6, segment, 5, 0x4000));
}

traceflow::Packet<> tcp_packet(std::uint64_t index, bool fin, traceflow::Timestamp ts) {
    auto p = make_packet(index, "10.0.0.1", 1234, "10.0.0.2", 80, false, fin, ts, 0);
    p.frame.bytes = ethernet_tcp_frame(1234, 80, fin ? 0x11 : 0x10);
    p.frame.wirelen = static_cast<std::uint32_t>(p.frame.bytes.size() + 100);  // as if snapped
    return p;
}

std::uint32_t load(const std::vector<std::uint8_t>& b, std::size_t at, bool big) {
    return big ? (std::uint32_t{b[at]} << 24 | std::uint32_t{b[at + 1]} << 16 | std::uint32_t{b[at + 2]} << 8 |
                  b[at + 3])
               : (std::uint32_t{b[at + 3]} << 24 | std::uint32_t{b[at + 2]} << 16 | std::uint32_t{b[at + 1]} << 8 |
                  b[at]);
}

}  // namespace

TEST_CASE("pcap output holds the real frames with exact times", "[formats][pcap]") {
    const bool big = GENERATE(false, true);
    const bool nano = GENERATE(false, true);
    testutil::TempDir dir;
    const traceflow::Timestamp t1{1'600'000'000, 123'456'789};
    const traceflow::Timestamp t2{1'600'000'001, 999'999'999};
    std::vector<traceflow::Packet<>> packets = {tcp_packet(3, false, t1), tcp_packet(7, true, t2)};
    std::string path;
    {
        TraceFlow<> t(dir.str(), "pcap", big ? traceflow::ByteOrder::big : traceflow::ByteOrder::little, nano);
        for (const auto& p : packets) t(p);
        path = t.index().at(0).fpout.value();
    }
    const std::vector<std::uint8_t> b = testutil::read_bytes(path);
    REQUIRE(b.size() == 24 + 2 * (16 + packets[0].frame.bytes.size()));
    CHECK(load(b, 0, big) == (nano ? 0xA1B23C4Du : 0xA1B2C3D4u));
    CHECK(load(b, 16, big) == 262144u);  // snaplen
    CHECK(load(b, 20, big) == 1u);       // link type of the first packet
    std::size_t at = 24;
    for (const auto& p : packets) {
        CHECK(load(b, at, big) == static_cast<std::uint32_t>(p.timestamp.sec));
        CHECK(load(b, at + 4, big) == (nano ? p.timestamp.nsec : p.timestamp.nsec / 1000));
        CHECK(load(b, at + 8, big) == p.frame.bytes.size());
        CHECK(load(b, at + 12, big) == p.frame.wirelen);
        CHECK(std::equal(p.frame.bytes.begin(), p.frame.bytes.end(), b.begin() + static_cast<std::ptrdiff_t>(at + 16)));
        at += 16 + p.frame.bytes.size();
    }
}

TEST_CASE("json output parses and names each frame", "[formats][json]") {
    testutil::TempDir dir;
    std::string path;
    {
        TraceFlow<> t(options(dir.str(), "json"));
        t(tcp_packet(2, false, {10, 500'000'000}));
        t(tcp_packet(5, true, {11, 0}));
        path = t.index().at(0).fpout.value();
    }
    CHECK(path.size() > 5);
    CHECK(path.substr(path.size() - 5) == ".json");
    const testjson::Value doc = testjson::parse(testutil::read_file(path));
    REQUIRE(doc.members.size() == 2);
    CHECK(doc.members[0].first == "Frame 2");
    CHECK(doc.members[1].first == "Frame 5");
    const testjson::Value& f = doc["Frame 2"]["frame"];
    CHECK(f["number"].as_int() == 2);
    CHECK(f["time"].as_string() == "10.500000000");
    CHECK(f["time_epoch"].text == "10.5");
    CHECK(f["caplen"].as_int() == 58);
    CHECK(f["wirelen"].as_int() == 158);
    const testjson::Value& layers = doc["Frame 2"]["layers"];
    REQUIRE(layers.items.size() >= 3);
    CHECK(layers.items[0]["layer"].as_string() == "Ethernet");
    bool saw_tcp = false;
    for (const auto& layer : layers.items) saw_tcp = saw_tcp || layer["layer"].as_string() == "TCP";
    CHECK(saw_tcp);
}

TEST_CASE("a json flow with a single frame is still valid after the tracer ends", "[formats][json]") {
    testutil::TempDir dir;
    std::string path;
    {
        TraceFlow<> t(options(dir.str(), "json"));
        t(tcp_packet(1, false, {10, 0}));
        path = t.index().at(0).fpout.value();
    }  // never closed by FIN: the destructor completes the file
    const testjson::Value doc = testjson::parse(testutil::read_file(path));
    CHECK(doc.members.size() == 1);
}

TEST_CASE("json output gives ports, lengths and counts as numbers, other fields as strings", "[formats][json]") {
    testutil::TempDir dir;
    std::string path;
    {
        TraceFlow<> t(options(dir.str(), "json"));
        t(tcp_packet(1, false, {10, 0}));
        path = t.index().at(0).fpout.value();
    }
    const testjson::Value doc = testjson::parse(testutil::read_file(path));
    const testjson::Value* tcp = nullptr;
    const testjson::Value* ip = nullptr;
    for (const auto& layer : doc["Frame 1"]["layers"].items) {
        if (layer["layer"].as_string() == "TCP") tcp = &layer;
        if (layer["layer"].as_string() == "IPv4") ip = &layer;
    }
    REQUIRE(tcp != nullptr);
    REQUIRE(ip != nullptr);
    using Kind = testjson::Value::Kind;
    CHECK((*tcp)["srcport"].kind == Kind::number);
    CHECK((*tcp)["srcport"].as_int() == 1234);
    CHECK((*tcp)["dstport"].kind == Kind::number);
    CHECK((*tcp)["dstport"].as_int() == 80);
    CHECK((*tcp)["seq"].kind == Kind::number);
    CHECK((*tcp)["payload_length"].kind == Kind::number);
    CHECK((*tcp)["payload_length"].as_int() == 4);
    CHECK((*tcp)["flags"].kind == Kind::string);     // "0x010 (ACK)"
    CHECK((*tcp)["checksum"].kind == Kind::string);  // hex
    CHECK((*ip)["ttl"].kind == Kind::number);
    CHECK((*ip)["total_length"].kind == Kind::number);
    CHECK((*ip)["src"].as_string() == "10.0.0.1");
    CHECK((*ip)["protocol"].as_string() == "6 (TCP)");
}

TEST_CASE("plist output is read by Python's plistlib", "[formats][plist]") {
    testutil::TempDir dir;
    std::string path;
    {
        TraceFlow<> t(options(dir.str(), "xml"));
        t(tcp_packet(4, false, {10, 0}));
        t(tcp_packet(6, true, {12, 250'000'000}));
        path = t.index().at(0).fpout.value();
    }
    CHECK(path.substr(path.size() - 6) == ".plist");
    const std::string script = dir.str() + "/check.py";
    std::ofstream(script) << "import plistlib, sys\n"
                             "d = plistlib.load(open(sys.argv[1], 'rb'))\n"
                             "assert list(d) == ['Frame 4', 'Frame 6'], list(d)\n"
                             "assert d['Frame 6']['number'] == 6\n"
                             "assert d['Frame 6']['time'] == '12.250000000'\n"
                             "assert d['Frame 6']['layers'][0]['layer'] == 'Ethernet'\n";
    const std::string command = "python3 " + script + " " + path;
    CHECK(std::system(command.c_str()) == 0);
}

TEST_CASE("tree and text outputs list every frame", "[formats][text]") {
    const std::string format = GENERATE(std::string("tree"), std::string("txt"), std::string("text"));
    testutil::TempDir dir;
    std::string path;
    {
        TraceFlow<> t(options(dir.str(), format));
        t(tcp_packet(8, false, {10, 0}));
        t(tcp_packet(9, true, {10, 1000}));
        path = t.index().at(0).fpout.value();
    }
    CHECK(path.substr(path.size() - 4) == ".txt");
    const std::string text = testutil::read_file(path);
    CHECK(text.find("Frame 8") != std::string::npos);
    CHECK(text.find("Frame 9") != std::string::npos);
    CHECK(text.find("10.000001000") != std::string::npos);
    CHECK(text.find("TCP") != std::string::npos);
}

TEST_CASE("pcap files of 100k flows under a small descriptor budget", "[formats][files]") {
    // /dev/shm keeps 100k file creations fast; the budget is the point here.
    const bool shm = std::filesystem::is_directory("/dev/shm");
    testutil::TempDir fallback;
    const std::filesystem::path root =
        shm ? std::filesystem::path("/dev/shm") / ("traceflow-files-" + std::to_string(std::random_device{}()))
            : fallback.path() / "out";
    traceflow::TraceFlowOptions o = options(root.string(), "pcap");
    o.max_open_files = 200;  // what `ulimit -n 256` leaves room for
    const std::size_t flows = 100'000;
    std::size_t total_records = 0;
    {
        TraceFlow<> t(o);
        // A second round for every tenth flow: its file was closed by the LRU
        // and must be reopened to append; the rest are completed at the end.
        for (int round = 0; round < 2; ++round) {
            for (std::size_t i = 0; i < flows; ++i) {
                if (round == 1 && i % 10 != 0) continue;
                auto p = make_packet(round * flows + i + 1, "10.0.0.1", static_cast<std::uint16_t>(1024 + i % 60000),
                                     i < 60000 ? "10.0.0.2" : "10.0.0.3", 80, false, round == 1, {1, 0}, 40);
                t(p);
                ++total_records;
            }
        }
        CHECK(t.closed().size() == flows / 10);
        CHECK(t.open_count() == flows - flows / 10);
    }
    std::size_t files = 0;
    std::size_t bytes = 0;
    for (const auto& e : std::filesystem::directory_iterator(root)) {
        ++files;
        bytes += static_cast<std::size_t>(e.file_size());
    }
    std::filesystem::remove_all(root);
    CHECK(files == flows);
    CHECK(bytes == flows * 24 + total_records * (16 + 40));
}
