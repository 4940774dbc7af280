/// Raw pointers handed to `Parallel.run` workers.
///
/// Swift 6 rejects capturing raw pointers in `@Sendable` closures; the kernels that split one
/// buffer into disjoint per-thread ranges wrap the base pointer in this, and each worker touches
/// only its own range.
struct SendablePointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}

/// The read-only counterpart, for buffers the workers share without writing.
struct ReadPointer<T>: @unchecked Sendable {
    let base: UnsafePointer<T>
}
