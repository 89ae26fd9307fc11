// SPDX-License-Identifier: MIT
// Test helper (POSIX): run a program with pipes on its stdin/stdout, write
// a capture into it record by record, read its output lines with a timeout.
#pragma once

#if defined(__unix__) || defined(__APPLE__)
#define TRACEFLOW_TEST_HAVE_SPAWN 1

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <traceflow/io/capture_reader.hpp>

extern char** environ;

namespace testutil {

using Clock = std::chrono::steady_clock;

/// A child process; stdin and/or stdout are pipes when asked, stderr goes to a file.
class Child {
public:
    /// As `stdout_path`: stdout is a pipe whose reader is gone before the child starts (every write is EPIPE).
    static constexpr const char* closed_pipe = "\x01closed-pipe";

    /// Starts `args` (args[0] is the program). `stdout_path` empty: stdout is a pipe (out()).
    Child(const std::vector<std::string>& args, const std::string& stderr_path, bool pipe_stdin = true,
          const std::string& stdout_path = {}) {
        std::signal(SIGPIPE, SIG_IGN);  // writing to a child that ended is an EPIPE, not our death
        int in[2] = {-1, -1};
        int out[2] = {-1, -1};
        if (pipe_stdin && ::pipe(in) != 0) throw std::runtime_error("pipe");
        const bool reader_gone = stdout_path == closed_pipe;
        if ((stdout_path.empty() || reader_gone) && ::pipe(out) != 0) throw std::runtime_error("pipe");
        if (reader_gone) {
            ::close(out[0]);
            out[0] = -1;
        }
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        if (pipe_stdin) {
            posix_spawn_file_actions_adddup2(&actions, in[0], 0);
            posix_spawn_file_actions_addclose(&actions, in[0]);
            posix_spawn_file_actions_addclose(&actions, in[1]);
        }
        if (stdout_path.empty() || reader_gone) {
            posix_spawn_file_actions_adddup2(&actions, out[1], 1);
            if (out[0] >= 0) posix_spawn_file_actions_addclose(&actions, out[0]);
            posix_spawn_file_actions_addclose(&actions, out[1]);
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        }
        posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        std::vector<char*> argv;
        for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        // Default signal actions and no blocked signal in the child, whatever
        // this process inherited (a background job starts with SIGINT ignored).
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        sigset_t defaults;
        sigemptyset(&defaults);
        for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) sigaddset(&defaults, sig);
        posix_spawnattr_setsigdefault(&attr, &defaults);
        sigset_t none;
        sigemptyset(&none);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
        const int rc = posix_spawn(&pid_, argv[0], &actions, &attr, argv.data(), environ);
        posix_spawnattr_destroy(&attr);
        posix_spawn_file_actions_destroy(&actions);
        if (pipe_stdin) {
            ::close(in[0]);
            in_ = in[1];
        }
        if (stdout_path.empty() || reader_gone) {
            ::close(out[1]);
            out_ = out[0];
        }
        if (rc != 0) throw std::runtime_error("posix_spawn failed");
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() {
        close_stdin();
        close_stdout();
        if (pid_ > 0 && !waited_) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }

    /// Writes all of `bytes` to the child's stdin; false when it no longer reads.
    bool write(const std::vector<std::uint8_t>& bytes) { return write(bytes.data(), bytes.size()); }
    bool write(const std::uint8_t* data, std::size_t size) {
        while (size > 0) {
            const ::ssize_t n = ::write(in_, data, size);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return false;
            data += n;
            size -= static_cast<std::size_t>(n);
        }
        return true;
    }
    void close_stdin() {
        if (in_ >= 0) ::close(in_);
        in_ = -1;
    }
    void close_stdout() {
        if (out_ >= 0) ::close(out_);
        out_ = -1;
    }

    /// The next line of stdout (without '\n'), or nothing when `timeout` passes or stdout ends first.
    std::optional<std::string> line(std::chrono::milliseconds timeout) {
        const auto deadline = Clock::now() + timeout;
        for (;;) {
            const std::size_t nl = buffer_.find('\n');
            if (nl != std::string::npos) {
                std::string l = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return l;
            }
            if (out_ < 0) return std::nullopt;
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0) return std::nullopt;
            ::pollfd p{out_, POLLIN, 0};
            const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
            if (ready < 0 && errno == EINTR) continue;
            if (ready <= 0) return std::nullopt;
            char chunk[4096];
            const ::ssize_t n = ::read(out_, chunk, sizeof chunk);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                close_stdout();
                continue;
            }
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }
    /// Every line until stdout ends (or `timeout`).
    std::vector<std::string> rest(std::chrono::milliseconds timeout) {
        std::vector<std::string> out;
        const auto deadline = Clock::now() + timeout;
        while (auto l = line(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now())))
            out.push_back(*l);
        return out;
    }

    void signal(int sig) { ::kill(pid_, sig); }

    /// Waits for the child (killing it after `timeout`) and returns its wait status.
    int wait(std::chrono::milliseconds timeout) {
        const auto deadline = Clock::now() + timeout;
        int status = 0;
        for (;;) {
            const ::pid_t r = ::waitpid(pid_, &status, WNOHANG);
            if (r == pid_) break;
            if (Clock::now() > deadline) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        waited_ = true;
        return status;
    }

private:
    ::pid_t pid_ = -1;
    int in_ = -1;
    int out_ = -1;
    bool waited_ = false;
    std::string buffer_;
};

/// A capture cut into its file header and its records, each as written in the file.
struct CaptureParts {
    std::vector<std::uint8_t> header;
    std::vector<std::vector<std::uint8_t>> records;
};

/// Cuts a classic pcap (as read whole into `bytes`) into header and records, using the library's reader.
inline CaptureParts cut_records(const std::vector<std::uint8_t>& bytes) {
    CaptureParts parts;
    auto reader = traceflow::io::CaptureReader::from_memory(traceflow::ByteView(bytes.data(), bytes.size()), "cut");
    traceflow::io::Record r;
    std::vector<std::uint64_t> offsets;
    while (reader.next(r)) offsets.push_back(r.offset);
    offsets.push_back(bytes.size());
    parts.header.assign(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(offsets.empty() ? 0 : offsets[0]));
    for (std::size_t i = 0; i + 1 < offsets.size(); ++i)
        parts.records.emplace_back(bytes.begin() + static_cast<std::ptrdiff_t>(offsets[i]),
                                   bytes.begin() + static_cast<std::ptrdiff_t>(offsets[i + 1]));
    return parts;
}

}  // namespace testutil

#endif
