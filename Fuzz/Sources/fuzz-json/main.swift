import FuzzSupport
import Ingest

/// Yelp and Amazon review lines; the first byte picks the flavor and the scan path
/// (parallel block scanner or line by line), the rest is the file.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let mode = data[0]
    FuzzSupport.run(data + 1, size - 1, config: FuzzSupport.config(mode & 1 == 0 ? .yelpJSON : .amazonJSON),
                    parallelJSON: mode & 2 == 0)
    return 0
}

FuzzSupport.runDriver(fuzzJSON)
