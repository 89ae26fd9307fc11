// SPDX-License-Identifier: MIT
// CallbackList: the tracer's callbacks of one kind, compiled only by programs that register one.
#pragma once

#include "../../version.hpp"

#include <functional>
#include <utility>
#include <vector>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::tracer {

/// Callbacks taking a `const Record&`, kept behind two function pointers
/// that add() sets. A tracer calls and destroys the list through them, so a
/// TU that never registers a callback compiles no std::function or vector
/// of them (a tenth of a tracer's functions at -O0).
template <typename Record>
class CallbackList {
public:
    using Callback = std::function<void(const Record&)>;

    CallbackList() = default;
    CallbackList(const CallbackList&) = delete;
    CallbackList& operator=(const CallbackList&) = delete;
    CallbackList(CallbackList&& other) noexcept
        : list_(std::exchange(other.list_, nullptr)),
          call_(std::exchange(other.call_, nullptr)),
          destroy_(std::exchange(other.destroy_, nullptr)) {}
    CallbackList& operator=(CallbackList&& other) noexcept {
        CallbackList moved(std::move(other));
        std::swap(list_, moved.list_);
        std::swap(call_, moved.call_);
        std::swap(destroy_, moved.destroy_);
        return *this;
    }
    ~CallbackList() {
        if (list_ != nullptr) destroy_(list_);
    }

    void add(Callback callback) {
        using List = std::vector<Callback>;
        if (list_ == nullptr) {
            list_ = new List();
            call_ = [](const void* list, const Record& record) {
                for (const Callback& each : *static_cast<const List*>(list)) each(record);
            };
            destroy_ = [](void* list) { delete static_cast<List*>(list); };
        }
        static_cast<List*>(list_)->push_back(std::move(callback));
    }

    [[nodiscard]] bool empty() const noexcept { return list_ == nullptr; }

    /// Runs every callback, in the order they were added, with `record`.
    void operator()(const Record& record) const {
        if (list_ != nullptr) call_(list_, record);
    }

private:
    void* list_ = nullptr;  // a std::vector<Callback>, made by the first add()
    void (*call_)(const void*, const Record&) = nullptr;
    void (*destroy_)(void*) = nullptr;
};

}  // namespace detail::tracer
TRACEFLOW_NAMESPACE_END
