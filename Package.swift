// swift-tools-version: 6.0
import PackageDescription
import Foundation

// MARK: - Vector ISA for the kernels
//
// A plain release build targets baseline x86-64 (SSE2), where SIMD16<Float> is split into four
// registers and fused multiply-add becomes a library call (DESIGN.md, "Performance facts").
// The portable default is `haswell` (AVX2 + FMA: nearly every x86 server of the last decade).
// `ACCF_TARGET_CPU=znver4` (or `skylake-avx512`, or `native`) opts into AVX-512 for machines that
// have it; `ACCF_TARGET_CPU=generic` turns the flag off. arm64 needs nothing: NEON is baseline.
let targetCPU: String? = {
    let requested = ProcessInfo.processInfo.environment["ACCF_TARGET_CPU"]
    if requested == "generic" { return nil }
    #if arch(x86_64)
    return requested ?? "haswell"
    #else
    return requested
    #endif
}()
let kernelSettings: [SwiftSetting] = targetCPU.map { [.unsafeFlags(["-target-cpu", $0])] } ?? []
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")

let package = Package(
    name: "accf",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "accf", targets: ["pipeline"]),
        // For the libFuzzer harnesses in Fuzz/ (a separate package); nothing builds it by default.
        .library(name: "AccfLibraries", targets: ["Core", "Ingest", "Graph", "Train", "Export"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // MARK: - System libraries (Debian: libzstd-dev, libsqlite3-dev, zlib1g-dev)
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        // A header-only shim (no library): the compiler's prefetch builtin for the sparse kernels.
        .systemLibrary(name: "CPrefetch", path: "Sources/CPrefetch"),

        // MARK: - Library targets, one per pipeline stage, on a small shared core
        .target(name: "Core",
                dependencies: ["CZstd", logging],
                swiftSettings: kernelSettings),
        .target(name: "Ingest", dependencies: ["Core", "CZstd", "CZlib", logging], swiftSettings: kernelSettings),
        .target(name: "Graph", dependencies: ["Core", "Ingest", "CPrefetch", logging], swiftSettings: kernelSettings),
        .target(name: "Train", dependencies: ["Core", "Ingest", "Graph", logging], swiftSettings: kernelSettings),
        .target(name: "Export", dependencies: ["Core", "Ingest", "Graph", "Train", "CSQLite", logging],
                swiftSettings: kernelSettings),

        // MARK: - The `accf` executable: command line, manifests, stage runner
        .executableTarget(
            name: "pipeline",
            dependencies: ["Core", "Ingest", "Graph", "Train", "Export",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           logging,
                           .product(name: "TOMLKit", package: "TOMLKit")],
            swiftSettings: kernelSettings),

        // MARK: - Tests, one target per module
        .testTarget(name: "CoreTests", dependencies: ["Core"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "Core"], resources: [.copy("Fixtures")]),
        .testTarget(name: "GraphTests", dependencies: ["Graph", "Ingest", "Core"]),
        .testTarget(name: "TrainTests", dependencies: ["Train", "Graph", "Ingest", "Core"]),
        .testTarget(name: "ExportTests", dependencies: ["Export", "Train", "Graph", "Ingest", "Core", "CSQLite"]),
        .testTarget(name: "PipelineTests", dependencies: ["pipeline", "Core", "Ingest", "Graph", "Train"]),
    ]
)
