// SPDX-License-Identifier: MIT
// The process around a run: stop signals (Ctrl-C ends reading, files are
// completed), standard output's health, and ending by a signal's default action.
#pragma once

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <unistd.h>
#define TRACEFLOW_CLI_POSIX 1
#endif

namespace cli {

// Set by the signal handler (SIGINT, SIGTERM, SIGHUP) and by a broken stdout:
// reading stops at the next record. Lock-free, so safe in a handler.
inline std::atomic<bool> stop_reading{false};
inline volatile std::sig_atomic_t stop_signal = 0;
static_assert(std::atomic<bool>::is_always_lock_free, "the stop flag is set from a signal handler");

extern "C" void on_stop_signal(int sig) {
    stop_signal = sig;
    stop_reading.store(true);
}

inline constexpr int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};

// The handler runs once (SA_RESETHAND: a second Ctrl-C ends at once) and
// without SA_RESTART, so a read waiting on a pipe returns. A signal ignored
// when we started (nohup) stays ignored. SIGPIPE is ignored while running, so
// that a closed pipe is an EPIPE on write (OutputState) and the files being
// written are completed; run() then ends by SIGPIPE's default action (die_by).
inline void install_signal_handlers() {
#if defined(TRACEFLOW_CLI_POSIX)
    for (int sig : stop_signals) {
        struct sigaction old {};
        if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        struct sigaction sa {};
        sa.sa_handler = on_stop_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = static_cast<int>(SA_RESETHAND);
        ::sigaction(sig, &sa, nullptr);
    }
    std::signal(SIGPIPE, SIG_IGN);
#else
    for (int sig : stop_signals) std::signal(sig, on_stop_signal);
#endif
}

// Ends the process by `sig` with its default action (the shell sees 128 + sig).
[[noreturn]] inline void die_by(int sig) {
    std::signal(sig, SIG_DFL);
#if defined(TRACEFLOW_CLI_POSIX)
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
#endif
    std::raise(sig);
    std::_Exit(128 + sig);
}

inline const char* signal_name(int sig) {
    switch (sig) {
        case SIGINT: return "SIGINT";
        case SIGTERM: return "SIGTERM";
#if defined(SIGHUP)
        case SIGHUP: return "SIGHUP";
#endif
        default: return "a signal";
    }
}

inline bool stderr_is_terminal() {
#if defined(TRACEFLOW_CLI_POSIX)
    return ::isatty(2) != 0;
#else
    return false;
#endif
}

// Standard output's health: a closed pipe (EPIPE) stops reading quietly;
// any other failure is an error (exit 2). Both keep the files complete.
// Reading stops on a closed pipe; on another failure only when no files are
// written (with files, reading goes on so that they are all written).
// Every listing (table, JSON, CSV, streamed or not) writes stdout through
// write() and flush(), so each failure is seen at the call that met it, with
// its errno; after the first, nothing more is written. run() then dies by
// SIGPIPE after a closed pipe, or exits 2 after another failure.
struct OutputState {
    bool closed_at_start = false;
    bool writes_files = false;
    bool broken_pipe = false;
    int error = 0;  // errno of the first failure other than EPIPE (-1: unknown)

    [[nodiscard]] bool failed() const noexcept { return broken_pipe || error != 0; }

    // Writes `text` to stdout (buffered); on failure as flush().
    bool write(std::string_view text) {
        if (failed()) return false;
        if (text.empty()) return true;
        errno = 0;
        if (std::fwrite(text.data(), 1, text.size(), stdout) == text.size() && !std::ferror(stdout)) return true;
        fail(errno);
        return false;
    }

    // Flushes stdout; on failure records why, says so (not for EPIPE), and may stop reading.
    bool flush() {
        if (failed()) return false;
        errno = 0;
        if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return true;
        fail(errno);
        return false;
    }

    // Flushes and closes stdout at the end of a run: a full disk is often
    // seen only here. A failure after an earlier one is not reported again.
    void close() {
        flush();
        errno = 0;
        const bool closed = std::fclose(stdout) == 0;
        if (!closed && !failed()) fail(errno);
    }
    void fail(int err) {
        if (err == EPIPE) {
            broken_pipe = true;
            stop_reading.store(true);
            return;
        }
        error = err != 0 ? err : -1;
        std::fprintf(stderr, "traceflow: error: writing standard output: %s\n",
                     error > 0 ? std::strerror(error) : "write failed");
        if (!writes_files) stop_reading.store(true);
    }
};

// A closed fd 1 would be taken by the first file we open, and the listing
// would land in it: hold fd 1 with /dev/null and report the closed stdout.
inline bool stdout_is_closed() {
#if defined(TRACEFLOW_CLI_POSIX)
    if (::fcntl(1, F_GETFD) != -1 || errno != EBADF) return false;
    const int fd = ::open("/dev/null", O_WRONLY);
    if (fd >= 0 && fd != 1) ::close(fd);
    return true;
#else
    return false;
#endif
}

}  // namespace cli
