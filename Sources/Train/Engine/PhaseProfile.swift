import Core

/// Wall-time accumulators per named phase of a training step, for `accf bench train --profile`.
///
/// Why opt-in and per step context: a model wraps its phases in `context.phase("name") { … }`;
/// without a profile that is a direct call (no clock reads), so training pays nothing. Phases are
/// reported in the order they were first seen; nested phases are counted in both.
public final class PhaseProfile {
    public private(set) var order: [String] = []
    public private(set) var seconds: [String: Double] = [:]
    public private(set) var calls: [String: Int] = [:]

    public init() {}

    /// Adds `elapsed` seconds to `name`.
    public func add(_ name: String, _ elapsed: Double) {
        if seconds[name] == nil { order.append(name) }
        seconds[name, default: 0] += elapsed
        calls[name, default: 0] += 1
    }

    /// Times `body` under `name`.
    @inline(__always)
    public func measure<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let w = Stopwatch()
        defer { add(name, w.seconds) }
        return try body()
    }
}

extension StepContext {
    /// Runs `body`, timing it under `name` when a profile is attached (a plain call otherwise).
    @inline(__always)
    public func phase<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        guard let profile else { return try body() }
        return try profile.measure(name, body)
    }
}

extension Optional where Wrapped == PhaseProfile {
    /// Times `body` under `name` when a profile is present (a plain call otherwise).
    @inline(__always)
    public func measure<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        guard let profile = self else { return try body() }
        return try profile.measure(name, body)
    }
}
