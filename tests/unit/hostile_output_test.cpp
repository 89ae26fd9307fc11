// SPDX-License-Identifier: MIT
// Hostile output: folders that cannot be written, a full disk, too few file
// descriptors, a callback that throws. Each gives a clear IoError (path and
// error_code) or the callback's own exception, and the tracer stays usable
// and destructible (run these under ASan).
//
// Tests run as root in CI, where chmod 0500 does not stop writes
// (CAP_DAC_OVERRIDE). There the "not writable" case uses a read-only tmpfs
// when mounting is permitted, else /sys (sysfs refuses new files even to
// root); a file used as a parent folder fails for everyone. The disk-full case
// points a flow's file at /dev/full through a symlink (always possible) and,
// when mounting is permitted, also fills a 64 KiB tmpfs.
#include <traceflow/io/capture_reader.hpp>
#include <traceflow/label.hpp>
#include <traceflow/output/file_output.hpp>
#include <traceflow/trace_flow.hpp>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include "test_catch.hpp"
#include "test_util.hpp"

using testutil::make_packet;
using traceflow::Index;
using traceflow::IoError;
using traceflow::TraceFlow;
namespace fs = std::filesystem;

namespace {

struct Warnings {
    std::shared_ptr<std::vector<std::string>> seen = std::make_shared<std::vector<std::string>>();
    traceflow::WarningSink sink() const {
        auto s = seen;
        return [s](std::string_view m) { s->emplace_back(m); };
    }
};

traceflow::TraceFlowOptions options(const fs::path& fout, const Warnings& w, std::size_t max_open_files = 64) {
    traceflow::TraceFlowOptions o;
    o.fout = fout.string();
    o.format = "pcap";
    o.max_open_files = max_open_files;
    o.warning = w.sink();
    return o;
}

/// The file TraceFlow writes the flow opened by `p` to.
std::string flow_file(const fs::path& root, const traceflow::Packet<>& p) {
    return (root / (traceflow::make_label(p.src, p.srcport, p.dst, p.dstport, p.timestamp) + ".pcap")).string();
}

/// Frame byte strings of a pcap file, in order.
std::vector<std::vector<std::uint8_t>> records_of(const std::string& path) {
    std::vector<std::vector<std::uint8_t>> out;
    traceflow::io::CaptureReader reader(path);
    traceflow::io::Record r;
    while (reader.next(r)) out.emplace_back(r.frame.bytes.begin(), r.frame.bytes.end());
    return out;
}

/// A tmpfs mounted at a fresh folder for the scope, or nothing when mounting is not permitted.
class TmpfsMount {
public:
    explicit TmpfsMount(const char* options, unsigned long flags = 0) {
        if (::mount("tmpfs", dir_.str().c_str(), "tmpfs", flags, options) == 0)
            mounted_ = true;
        else
            error_ = errno;
    }
    TmpfsMount(const TmpfsMount&) = delete;
    TmpfsMount& operator=(const TmpfsMount&) = delete;
    ~TmpfsMount() {
        if (mounted_) ::umount2(dir_.str().c_str(), MNT_DETACH);
    }
    [[nodiscard]] bool mounted() const noexcept { return mounted_; }
    [[nodiscard]] int error() const noexcept { return error_; }
    [[nodiscard]] const fs::path& path() const { return dir_.path(); }

private:
    testutil::TempDir dir_;
    bool mounted_ = false;
    int error_ = 0;
};

/// Lowers the soft RLIMIT_NOFILE for the scope; restores it after.
class FdLimit {
public:
    explicit FdLimit(rlim_t soft) {
        REQUIRE(::getrlimit(RLIMIT_NOFILE, &old_) == 0);
        rlimit lowered = old_;
        lowered.rlim_cur = soft;
        REQUIRE(::setrlimit(RLIMIT_NOFILE, &lowered) == 0);
    }
    FdLimit(const FdLimit&) = delete;
    FdLimit& operator=(const FdLimit&) = delete;
    ~FdLimit() { restore(); }
    void restore() {
        if (!restored_) ::setrlimit(RLIMIT_NOFILE, &old_);
        restored_ = true;
    }

private:
    rlimit old_{};
    bool restored_ = false;
};

/// Descriptors open in this process now.
rlim_t open_descriptors() {
    rlim_t count = 0;
    for (const auto& entry : fs::directory_iterator("/proc/self/fd")) {
        (void)entry;
        ++count;
    }
    return count;  // includes the iterator's own, closed again by now: one spare
}

/// How many more files can be opened right now (probed with /dev/null, then closed).
std::size_t free_descriptors() {
    std::vector<std::FILE*> held;
    while (held.size() < 1000) {
        std::FILE* f = std::fopen("/dev/null", "rb");
        if (f == nullptr) break;
        held.push_back(f);
    }
    for (std::FILE* f : held) std::fclose(f);
    return held.size();
}

/// `flows` flows of `per_flow` packets each, interleaved, every one opening its own file.
std::vector<traceflow::Packet<>> interleaved(unsigned flows, unsigned per_flow, std::size_t size = 60) {
    std::vector<traceflow::Packet<>> out;
    std::uint64_t n = 0;
    for (unsigned round = 0; round < per_flow; ++round)
        for (unsigned f = 0; f < flows; ++f)
            out.push_back(make_packet(++n, "10.0.0.1", static_cast<std::uint16_t>(1000 + f), "10.0.0.2", 80, false,
                                      false, {1'500'000'000, 0}, size));
    return out;
}

void check_io_error(const IoError& e, const std::string& path, std::initializer_list<int> codes) {
    CAPTURE(e.what(), e.code().value(), e.code().message());
    CHECK(e.path() == path);
    bool known = false;
    for (const int c : codes) known = known || e.code() == std::error_code(c, std::generic_category());
    CHECK(known);
    CHECK(std::string(e.what()).find(path) == 0);
}

}  // namespace

TEST_CASE("hostile output: a root that cannot be written gives an IoError naming the flow's file", "[hostile]") {
    Warnings w;
    const auto p = make_packet(1, "10.0.0.1", 1000, "10.0.0.2", 80, true);
    const auto expect_write_refused = [&](const fs::path& root, std::initializer_list<int> codes) {
        TraceFlow<> tracer(options(root, w));
        try {
            tracer.dump(p);
            tracer.finish();
            FAIL("expected IoError");
        } catch (const IoError& e) {
            check_io_error(e, flow_file(root, p), codes);
        }
        CHECK(tracer.index().size() == 1);  // the packet was traced all the same
    };

    testutil::TempDir dir;
    fs::permissions(dir.path(), fs::perms::owner_read | fs::perms::owner_exec);
    const bool dac_override = [&] {
        std::ofstream probe(dir.path() / "probe");
        return static_cast<bool>(probe);
    }();
    if (!dac_override) {
        expect_write_refused(dir.path(), {EACCES});
    } else {
        // Root: chmod is no obstacle. A read-only tmpfs is, if we may mount one; /sys always is.
        TmpfsMount ro("size=64k", MS_RDONLY);
        if (ro.mounted()) {
            expect_write_refused(ro.path(), {EROFS});
        } else {
            WARN("cannot mount a read-only tmpfs (errno " << ro.error() << "); using /sys instead");
        }
        if (fs::is_directory("/sys")) expect_write_refused("/sys", {EACCES, EROFS, EPERM});
    }
    fs::permissions(dir.path(), fs::perms::owner_all);
}

TEST_CASE("hostile output: a file where a folder of the root should be is an IoError from the constructor",
          "[hostile]") {
    // (An output root that is itself a file: trace_flow_test.)
    testutil::TempDir dir;
    const fs::path file = dir.path() / "plain-file";
    std::ofstream(file) << "x";
    Warnings w;
    const fs::path root = file / "out";
    try {
        TraceFlow<> tracer(options(root, w));
        FAIL("expected IoError");
    } catch (const IoError& e) {
        CAPTURE(e.what());
        CHECK(e.path() == root.string());
        CHECK(e.code().value() != 0);
        CHECK(fs::is_regular_file(file));
    }
}

TEST_CASE("hostile output: a full disk (/dev/full) is an IoError with ENOSPC", "[hostile]") {
    testutil::TempDir dir;
    Warnings w;
    const auto first = make_packet(1, "10.0.0.1", 1000, "10.0.0.2", 80, true);
    const std::string full = flow_file(dir.path(), first);
    // The flow's file is a symlink to /dev/full: every write that reaches the device fails with ENOSPC.
    fs::create_symlink("/dev/full", full);
    const auto other = make_packet(2, "10.0.0.3", 1000, "10.0.0.2", 80, true);

    SECTION("small writes sit in the buffer: the error comes from finish()") {
        TraceFlow<> tracer(options(dir.path(), w));
        tracer.dump(first);
        tracer.dump(other);
        try {
            tracer.finish();
            FAIL("expected IoError");
        } catch (const IoError& e) {
            check_io_error(e, full, {ENOSPC});
        }
        // The other flow's file is complete all the same once finish() is retried.
        tracer.finish();
        CHECK(records_of(flow_file(dir.path(), other)).size() == 1);
    }
    SECTION("more than a buffer's worth: the error comes from dump()") {
        TraceFlow<> tracer(options(dir.path(), w));
        try {
            for (std::uint64_t i = 1; i <= 200; ++i)
                tracer.dump(make_packet(i, "10.0.0.1", 1000, "10.0.0.2", 80, i == 1, false, {1'500'000'000, 0}, 1500));
            FAIL("expected IoError");
        } catch (const IoError& e) {
            check_io_error(e, full, {ENOSPC});
        }
    }
    SECTION("the error of a flow ended by its FIN comes from the dump() after it") {
        TraceFlow<> tracer(options(dir.path(), w));
        tracer.dump(first);
        const auto fin = make_packet(2, "10.0.0.1", 1000, "10.0.0.2", 80, false, true);
        try {
            tracer.dump(fin);  // ends the flow: its file is flushed and closed here
            FAIL("expected IoError");
        } catch (const IoError& e) {
            check_io_error(e, full, {ENOSPC});
        }
        REQUIRE(tracer.closed().size() == 1);
        CHECK(tracer.closed()[0].index == std::vector<std::uint64_t>{1, 2});
    }
    // Whatever happened, the tracer's destructor reported through the warning sink, not by crashing.
}

TEST_CASE("hostile output: a full tmpfs is an IoError with ENOSPC", "[hostile]") {
    TmpfsMount disk("size=64k");
    if (!disk.mounted()) {
        TESTUTIL_SKIP("mounting a tmpfs is not permitted here (errno "
                      << disk.error() << "): disk-full on a real file system; the /dev/full case still runs");
    }
    Warnings w;
    std::optional<IoError> error;
    {
        TraceFlow<> tracer(options(disk.path(), w, 4));
        try {
            for (const auto& p : interleaved(40, 10, 1000)) tracer.dump(p);
            tracer.finish();
        } catch (const IoError& e) {
            error = e;
        }
    }
    REQUIRE(error);
    CAPTURE(error->what());
    CHECK(error->code() == std::errc::no_space_on_device);
    CHECK(fs::path(error->path()).parent_path() == disk.path());
}

TEST_CASE("hostile output: a lowered descriptor limit", "[hostile]") {
    testutil::TempDir dir;
    Warnings w;
    const auto packets = interleaved(20, 5);

    SECTION("max_open_files below the limit: every file written") {
        {
            FdLimit limit(open_descriptors() + 3);
            const std::size_t available = free_descriptors();
            CAPTURE(available);
            REQUIRE(available >= 3);
            REQUIRE(available < 20);
            TraceFlow<> tracer(options(dir.path(), w, 2));
            for (const auto& p : packets) tracer.dump(p);
            tracer.finish();
        }
        std::size_t records = 0;
        for (const auto& entry : fs::directory_iterator(dir.path()))
            records += records_of(entry.path().string()).size();
        CHECK(records == packets.size());
    }
    SECTION("max_open_files above the limit: files are closed until one opens, and every file is written") {
#if defined(__SANITIZE_ADDRESS__)
        // With every descriptor taken, the sanitizers' runtime cannot work (it needs a pipe).
        TESTUTIL_SKIP("under sanitizers: their runtime needs free descriptors");
#endif
        {
            FdLimit limit(open_descriptors() + 3);
            const std::size_t available = free_descriptors();
            CAPTURE(available);
            REQUIRE(available < 20);  // 20 flows cannot all be open
            TraceFlow<> tracer(options(dir.path(), w, 64));
            for (const auto& p : packets) tracer.dump(p);  // never "Too many open files"
            tracer.finish();
        }
        std::size_t records = 0;
        std::size_t files = 0;
        for (const auto& entry : fs::directory_iterator(dir.path())) {
            records += records_of(entry.path().string()).size();
            ++files;
        }
        CHECK(files == 20);
        CHECK(records == packets.size());
    }
}

TEST_CASE("hostile output: a callback that throws propagates; the tracer and its files stay whole", "[hostile]") {
    testutil::TempDir dir;
    Warnings w;
    const auto a1 = make_packet(1, "10.0.0.1", 1000, "10.0.0.2", 80, true);
    const auto b1 = make_packet(2, "10.0.0.3", 2000, "10.0.0.2", 80, true);
    const auto a2 = make_packet(3, "10.0.0.1", 1000, "10.0.0.2", 80);
    const auto a_fin = make_packet(4, "10.0.0.1", 1000, "10.0.0.2", 80, false, true);
    const auto b2 = make_packet(5, "10.0.0.3", 2000, "10.0.0.2", 80);
    const std::string a_file = flow_file(dir.path(), a1);
    const std::string b_file = flow_file(dir.path(), b1);
    {
        TraceFlow<> tracer(options(dir.path(), w, 1));
        int calls = 0;
        tracer.register_callback([&calls](const Index&) {
            ++calls;
            throw std::runtime_error("callback failed");
        });
        tracer.dump(a1);
        tracer.dump(b1);
        tracer.dump(a2);
        CHECK_THROWS_WITH(tracer.dump(a_fin), "callback failed");
        CHECK(calls == 1);
        // The flow is recorded as ended all the same, with its FIN frame.
        REQUIRE(tracer.closed().size() == 1);
        CHECK(tracer.closed()[0].index == std::vector<std::uint64_t>{1, 3, 4});
        // The tracer goes on.
        tracer.dump(b2);
        tracer.finish();
        REQUIRE(tracer.index().size() == 2);
    }
    // Every frame the index lists is in its flow's file, the FIN frame included.
    const auto a_records = records_of(a_file);
    CHECK(a_records.size() == 3);
    if (a_records.size() == 3) CHECK(a_records[2] == a_fin.frame.bytes);
    CHECK(records_of(b_file).size() == 2);
    CHECK(w.seen->empty());
}

TEST_CASE("hostile output: a flow's file is complete when its callback runs", "[hostile]") {
    // A callback that uploads or post-processes the finished flow's file must
    // find every frame the Index lists in it, flushed, for every way a flow ends.
    testutil::TempDir dir;
    Warnings w;
    std::vector<std::size_t> records_seen;
    std::vector<std::size_t> frames_listed;
    {
        traceflow::TraceFlowOptions o = options(dir.path(), w);
        TraceFlow<> tracer(o);
        tracer.register_callback([&](const Index& flow) {
            REQUIRE(flow.fpout);
            frames_listed.push_back(flow.index.size());
            try {
                records_seen.push_back(records_of(*flow.fpout).size());
            } catch (const traceflow::FormatError& e) {  // e.g. still empty: nothing flushed yet
                INFO(e.what());
                records_seen.push_back(0);
            }
        });
        tracer.dump(make_packet(1, "10.0.0.1", 1000, "10.0.0.2", 80, true));
        tracer.dump(make_packet(2, "10.0.0.1", 1000, "10.0.0.2", 80));
        tracer.dump(make_packet(3, "10.0.0.1", 1000, "10.0.0.2", 80, false, true));  // ends the flow
        tracer.dump(make_packet(4, "10.0.0.3", 1000, "10.0.0.2", 80, true));
    }
    REQUIRE(frames_listed.size() == 1);
    CHECK(frames_listed[0] == 3);
    CHECK(records_seen[0] == 3);
}

TEST_CASE("hostile output: a flow whose file fails as it ends is still in the index", "[hostile]") {
    // A flow ended by eviction (or a timeout, or the tcp lifecycle) has its
    // file completed as it ends; when that write fails the IoError must not
    // drop the flow from index().
    testutil::TempDir dir;
    Warnings w;
    const auto a1 = make_packet(1, "10.0.0.1", 1000, "10.0.0.2", 80, true);
    fs::create_symlink("/dev/full", flow_file(dir.path(), a1));
    traceflow::TraceFlowOptions o = options(dir.path(), w);
    o.max_flows = 1;
    TraceFlow<> tracer(o);
    tracer.dump(a1);
    tracer.dump(make_packet(2, "10.0.0.1", 1000, "10.0.0.2", 80));
    try {
        tracer.dump(make_packet(3, "10.0.0.3", 2000, "10.0.0.2", 80, true));  // evicts flow A
        FAIL("expected IoError");
    } catch (const IoError& e) {
        check_io_error(e, flow_file(dir.path(), a1), {ENOSPC});
    }
    const std::vector<Index> index = tracer.index();
    bool found = false;
    for (const Index& flow : index) {
        if (flow.index == std::vector<std::uint64_t>{1, 2}) {
            found = true;
            CHECK(flow.reason == traceflow::EndReason::evicted);
        }
    }
    CHECK(found);
}
