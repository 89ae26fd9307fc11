// SPDX-License-Identifier: MIT
// PodArray: a growable array of trivially copyable values over one untyped core, for the tracer's internal tables.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::containers {

/// The untyped core of every PodArray: bytes on the heap, grown by
/// doubling. Elements are trivially copyable, so growing, copying and
/// moving are byte copies done here once; a std::vector per element type
/// would compile its own growth, allocator and iterator functions in every
/// user's TU (about 50 functions each at -O0).
class RawArray {
public:
    RawArray() noexcept = default;
    RawArray(const RawArray& other) { append_bytes(other.data_, other.size_); }
    RawArray(RawArray&& other) noexcept
        : data_(std::exchange(other.data_, nullptr)),
          size_(std::exchange(other.size_, 0)),
          capacity_(std::exchange(other.capacity_, 0)) {}
    RawArray& operator=(const RawArray& other) {
        if (this != &other) {
            RawArray copy(other);
            swap(copy);
        }
        return *this;
    }
    RawArray& operator=(RawArray&& other) noexcept {
        RawArray moved(std::move(other));
        swap(moved);
        return *this;
    }
    ~RawArray() { delete[] data_; }

    void swap(RawArray& other) noexcept {
        std::swap(data_, other.data_);
        std::swap(size_, other.size_);
        std::swap(capacity_, other.capacity_);
    }

protected:
    // Makes the capacity at least `bytes`, moving what is held.
    void reserve_bytes(std::size_t bytes) {
        if (bytes <= capacity_) return;
        auto* fresh = new unsigned char[bytes];
        if (size_ != 0) std::memcpy(fresh, data_, size_);
        delete[] data_;
        data_ = fresh;
        capacity_ = bytes;
    }

    // Room for `bytes` more at the end (capacity doubles, so appends are
    // amortised O(1)); returns where they go. size_ is the caller's to raise.
    unsigned char* room_for(std::size_t bytes) {
        if (capacity_ - size_ < bytes) {
            if (bytes > max_bytes - size_) throw std::bad_alloc();
            const std::size_t need = size_ + bytes;
            const std::size_t doubled = capacity_ > max_bytes / 2 ? max_bytes : capacity_ * 2;
            reserve_bytes(need > doubled ? need : doubled);
        }
        return data_ + size_;
    }

    void append_bytes(const void* bytes, std::size_t n) {
        if (n == 0) return;
        std::memcpy(room_for(n), bytes, n);
        size_ += n;
    }

    // Gives the memory back.
    void release() noexcept {
        delete[] data_;
        data_ = nullptr;
        size_ = capacity_ = 0;
    }

    static constexpr std::size_t max_bytes = ~std::size_t{0} / 2;

    unsigned char* data_ = nullptr;  // new unsigned char[]: aligned for any fundamental type
    std::size_t size_ = 0;           // bytes held
    std::size_t capacity_ = 0;       // bytes allocated
};

/// A std::vector-like array of trivially copyable `T` (the subset the
/// tracer's tables use); a thin typed view of RawArray. Value-initialises
/// what it adds, as std::vector does.
template <typename T>
class PodArray : private RawArray {
    static_assert(std::is_trivially_copyable_v<T>, "PodArray holds trivially copyable values only");
    static_assert(alignof(T) <= alignof(std::max_align_t), "PodArray storage has fundamental alignment");

public:
    PodArray() noexcept = default;
    /// `n` value-initialised elements.
    explicit PodArray(std::size_t n) { resize(n); }

    [[nodiscard]] std::size_t size() const noexcept { return size_ / sizeof(T); }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_ / sizeof(T); }

    [[nodiscard]] T* data() noexcept { return reinterpret_cast<T*>(data_); }
    [[nodiscard]] const T* data() const noexcept { return reinterpret_cast<const T*>(data_); }
    [[nodiscard]] T* begin() noexcept { return data(); }
    [[nodiscard]] T* end() noexcept { return data() + size(); }
    [[nodiscard]] const T* begin() const noexcept { return data(); }
    [[nodiscard]] const T* end() const noexcept { return data() + size(); }

    [[nodiscard]] T& operator[](std::size_t i) noexcept { return data()[i]; }
    [[nodiscard]] const T& operator[](std::size_t i) const noexcept { return data()[i]; }
    [[nodiscard]] T& front() noexcept { return data()[0]; }
    [[nodiscard]] const T& front() const noexcept { return data()[0]; }
    [[nodiscard]] T& back() noexcept { return data()[size() - 1]; }
    [[nodiscard]] const T& back() const noexcept { return data()[size() - 1]; }

    void push_back(const T& value) {
        const T copy = value;  // `value` may live in this array, which room_for() can move
        ::new (static_cast<void*>(room_for(sizeof(T)))) T(copy);
        size_ += sizeof(T);
    }
    void pop_back() noexcept { size_ -= sizeof(T); }
    void clear() noexcept { size_ = 0; }
    void reserve(std::size_t n) {
        if (n > max_bytes / sizeof(T)) throw std::bad_alloc();
        reserve_bytes(n * sizeof(T));
    }

    /// Makes the size `n`; new elements are `value`.
    void resize(std::size_t n, const T& value = T()) {
        const T copy = value;
        if (n > size()) {
            reserve(n);
            for (T* p = end(); p != data() + n; ++p) ::new (static_cast<void*>(p)) T(copy);
        }
        size_ = n * sizeof(T);
    }

    /// Inserts [first, last) (random-access iterators to values convertible
    /// to T, not into this array) before `pos`; returns where they start.
    template <typename It>
    T* insert(const T* pos, It first, It last) {
        const auto at = static_cast<std::size_t>(pos - data());
        const auto n = static_cast<std::size_t>(last - first);
        if (n == 0) return data() + at;
        if (n > max_bytes / sizeof(T)) throw std::bad_alloc();
        room_for(n * sizeof(T));
        T* where = data() + at;
        std::memmove(static_cast<void*>(where + n), static_cast<const void*>(where), size_ - at * sizeof(T));
        for (T* p = where; first != last; ++first, ++p) ::new (static_cast<void*>(p)) T(static_cast<T>(*first));
        size_ += n * sizeof(T);
        return where;
    }

    /// Removes the first `n` elements, moving the rest down.
    void erase_front(std::size_t n) noexcept {
        const std::size_t bytes = n * sizeof(T);
        if (size_ > bytes) std::memmove(data_, data_ + bytes, size_ - bytes);
        size_ = size_ > bytes ? size_ - bytes : 0;
    }

    /// Empties the array and gives its memory back.
    void release() noexcept { RawArray::release(); }

    void swap(PodArray& other) noexcept { RawArray::swap(other); }
};

}  // namespace detail::containers
TRACEFLOW_NAMESPACE_END
