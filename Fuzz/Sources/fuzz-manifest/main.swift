#if canImport(Glibc)
import Glibc
#endif
import Core
import FuzzSupport
import Export
import Graph
import Ingest
import Train

/// A manifest as `accf run` reads it: TOML parsing (TOMLKit), the key-line finder, every
/// section decoded into its stage's config and validated. Anything but a sane config or an
/// exit-64 `AccfError` is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzManifest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    guard let text = String(validating: bytes, as: UTF8.self) else { return 0 }   // Manifest.load refuses these (exit 64)
    let path = "/fuzz/pipeline.toml"
    do {
        let manifest = try Manifest(text: text, path: path)
        _ = try manifest.decode(PipelineSettings.self, section: "pipeline")
        try manifest.decode(SyntheticConfig.self, section: "synth").validate()
        try manifest.decode(IngestConfig.self, section: "ingest").validate()
        try manifest.decode(GraphConfig.self, section: "graph").validate()
        try manifest.decode(TrainConfig.self, section: "train").validate()
        try manifest.decode(ExportConfig.self, section: "export").validate()
        for key in ["ingest.inputs", "train.dim", "nothing.here"] { _ = manifest.location(of: key) }
    } catch let error as AccfError {
        guard error.status == .usage else { FuzzSupport.fail("unexpected status \(error.status): \(error)") }
    } catch {
        FuzzSupport.fail("not an AccfError: \(error)")
    }
    return 0
}

FuzzSupport.runDriver(fuzzManifest)
