// swift-tools-version: 6.0
import PackageDescription

// libFuzzer harnesses for accf's input parsers and manifest decoding (issue #10).
//
// A package of its own so the main build never compiles them: `scripts/fuzz.sh TARGET SECONDS`
// builds this package with `-sanitize=fuzzer,address` and runs one harness on a seed corpus made
// from the test fixtures and the shipped manifests. Each harness is one small executable whose
// only entry point is `LLVMFuzzerTestOneInput` (libFuzzer supplies `main`).
let accf: Target.Dependency = .product(name: "AccfLibraries", package: "accf")

let package = Package(
    name: "accf-fuzz",
    dependencies: [
        .package(name: "accf", path: ".."),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        .target(name: "FuzzSupport", dependencies: [accf]),
        .executableTarget(name: "fuzz-json", dependencies: ["FuzzSupport", accf]),
        .executableTarget(name: "fuzz-csv", dependencies: ["FuzzSupport", accf]),
        .executableTarget(name: "fuzz-movielens", dependencies: ["FuzzSupport", accf]),
        .executableTarget(name: "fuzz-lightgcn", dependencies: ["FuzzSupport", accf]),
        // The manifest code lives in the `accf` executable, which no package can depend on:
        // `Manifest` is a symlink to ../../../Sources/pipeline/Manifest, compiled here as is.
        .executableTarget(name: "fuzz-manifest",
                          dependencies: ["FuzzSupport", accf, .product(name: "TOMLKit", package: "TOMLKit")]),
    ]
)
