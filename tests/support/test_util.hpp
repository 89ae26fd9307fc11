// SPDX-License-Identifier: MIT
// Test helpers: temporary folders, whole-file reads, packet builders.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <traceflow/packet.hpp>

namespace testutil {

/// A fresh folder under the system temp dir, removed with its contents at scope exit.
class TempDir {
public:
    TempDir() {
        static std::atomic<unsigned> counter{0};
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() /
                ("traceflow-test-" + std::to_string(rd()) + "-" + std::to_string(counter++));
        std::filesystem::create_directories(path_);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] std::string str() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

inline std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// The regular files of `dir`, sorted by name.
inline std::vector<std::filesystem::path> files_in(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        if (entry.is_regular_file()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

/// Every file directly in `dir`, by name, with its contents.
inline std::map<std::string, std::string> contents_of(const std::filesystem::path& dir) {
    std::map<std::string, std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        files[entry.path().filename().string()] = read_file(entry.path());
    return files;
}

/// Writes `bytes` to `path`.
inline void write_file(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<std::uint8_t> read_bytes(const std::filesystem::path& p) {
    const std::string s = read_file(p);
    return std::vector<std::uint8_t>(s.begin(), s.end());
}

/// A decoded packet with the given 4-tuple and flags, and `size` payload bytes of frame.
inline traceflow::Packet<> make_packet(std::uint64_t index, const char* src, std::uint16_t srcport, const char* dst,
                                       std::uint16_t dstport, bool syn = false, bool fin = false,
                                       traceflow::Timestamp ts = {1'500'000'000, 0}, std::size_t size = 60) {
    traceflow::Packet<> p;
    p.index = index;
    p.src = traceflow::IpAddress::parse(src).value();
    p.dst = traceflow::IpAddress::parse(dst).value();
    p.srcport = srcport;
    p.dstport = dstport;
    p.syn = syn;
    p.fin = fin;
    p.timestamp = ts;
    p.frame.timestamp = ts;
    p.frame.bytes.resize(size);
    for (std::size_t i = 0; i < size; ++i) p.frame.bytes[i] = static_cast<std::uint8_t>(index * 31 + i);
    p.frame.wirelen = static_cast<std::uint32_t>(size);
    return p;
}

}  // namespace testutil
