import FuzzSupport
import Ingest

/// LightGCN adjacency lists (`user item item …`); the first byte picks a train or test file name.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzLightGCN(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    FuzzSupport.run(data + 1, size - 1, config: FuzzSupport.config(.lightgcn), path: data[0] & 1 == 0 ? "train.txt" : "test.txt")
    return 0
}

FuzzSupport.runDriver(fuzzLightGCN)
