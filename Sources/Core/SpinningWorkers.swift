import Dispatch
import Foundation
import Synchronization

/// Persistent worker threads that spin for a moment between jobs, behind `Parallel.run`.
///
/// Why not `DispatchQueue.concurrentPerform` alone: it wakes a sleeping pool thread per call, and
/// on a VM a halted vCPU can take longer to wake than a 150 µs part lasts — measured on the 2-core
/// machine of 2026-12-01, two 150 µs parts took 294 µs, i.e. the caller ran both. A training step on ml-100k is dozens of such
/// sub-millisecond calls, so 2 threads were no faster than 1. Workers that spin (~1 ms, with
/// `sched_yield`) after each job are awake for the next one; past that they park on a semaphore.
///
/// Parts are claimed one at a time from a single atomic word (generation | part count | next
/// part), so a worker can only ever run a part of the job it claimed it from, and every part
/// computes its fixed range: the bytes do not depend on which thread ran which part. One job at a
/// time: a nested or concurrent call falls back to `concurrentPerform`.
final class SpinningWorkers: @unchecked Sendable {
    static let shared = SpinningWorkers(workers: max(0, System.activeProcessorCount - 1))

    private static let partBits: UInt64 = 20
    private static let partMask: UInt64 = (1 << partBits) - 1
    /// How long an idle worker keeps spinning before it parks.
    private static let spinNanoseconds: UInt64 = 1_000_000

    private let word = Atomic<UInt64>(0)
    private let remaining = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let parked = Atomic<Int>(0)
    private let wakeUp = DispatchSemaphore(value: 0)
    private let workerCount: Int
    private let startOnce = Mutex<Bool>(false)
    /// The current job's body; written before the word is published, read after a claim.
    private var body: ((Int) -> Void)?

    init(workers: Int) { workerCount = workers }

    /// Runs `body(k)` for k in 0..<parts on the caller and the workers; false when the pool is
    /// busy (nested or concurrent use) or too small, and the caller must run the parts itself.
    func run(parts: Int, _ body: (Int) -> Void) -> Bool {
        guard workerCount > 0, parts >= 2, UInt64(parts) <= Self.partMask else { return false }
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { busy.store(false, ordering: .releasing) }
        startWorkersIfNeeded()
        withoutActuallyEscaping(body) { escaping in
            self.body = escaping
            remaining.store(parts, ordering: .relaxed)
            let generation = (word.load(ordering: .relaxed) >> (2 * Self.partBits)) &+ 1
            word.store(generation << (2 * Self.partBits) | UInt64(parts) << Self.partBits, ordering: .sequentiallyConsistent)
            let sleepers = parked.exchange(0, ordering: .sequentiallyConsistent)
            for _ in 0..<sleepers { wakeUp.signal() }
            runClaimedParts(of: generation)
            while remaining.load(ordering: .acquiring) > 0 {}
            self.body = nil
        }
        return true
    }

    /// Claims and runs parts of `generation` until none is left.
    private func runClaimedParts(of generation: UInt64) {
        while true {
            let current = word.load(ordering: .acquiring)
            guard current >> (2 * Self.partBits) == generation else { return }
            let count = (current >> Self.partBits) & Self.partMask, next = current & Self.partMask
            guard next < count else { return }
            guard word.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing).exchanged else { continue }
            body.unsafelyUnwrapped(Int(next))
            remaining.subtract(1, ordering: .releasing)
        }
    }

    private func startWorkersIfNeeded() {
        startOnce.withLock { started in
            guard !started else { return }
            started = true
            for _ in 0..<workerCount {
                let thread = Thread { [self] in workerLoop() }
                thread.name = "accf-worker"
                thread.start()
            }
        }
    }

    private func workerLoop() {
        var seen: UInt64 = 0
        while true {
            let generation = waitForNewGeneration(after: seen)
            seen = generation
            runClaimedParts(of: generation)
        }
    }

    /// Spins (yielding) until a job newer than `seen` is published, then parks if none came.
    private func waitForNewGeneration(after seen: UInt64) -> UInt64 {
        var deadline = DispatchTime.now().uptimeNanoseconds + Self.spinNanoseconds
        var spins = 0
        while true {
            let generation = word.load(ordering: .acquiring) >> (2 * Self.partBits)
            if generation != seen { return generation }
            spins += 1
            if spins & 63 == 0 {
                if DispatchTime.now().uptimeNanoseconds < deadline {
                    sched_yield()
                } else {
                    parked.add(1, ordering: .sequentiallyConsistent)
                    if word.load(ordering: .sequentiallyConsistent) >> (2 * Self.partBits) == seen { wakeUp.wait() }
                    deadline = DispatchTime.now().uptimeNanoseconds + Self.spinNanoseconds
                }
            }
        }
    }
}
