import FuzzSupport
import Ingest

/// MovieLens / RecBole files (`u.data`, `ratings.dat`, `ratings.csv`, `.inter`): delimiter and
/// header are detected from the first line, so the whole input is the file.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzMovieLens(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzSupport.run(data, size, config: FuzzSupport.config(.movielens))
    return 0
}

FuzzSupport.runDriver(fuzzMovieLens)
