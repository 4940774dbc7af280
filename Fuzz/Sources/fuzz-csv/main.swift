import FuzzSupport
import Ingest

/// Generic delimited logs; the first byte picks the layout (delimiter, header, columns by
/// name or position, timestamp format), the rest is the file.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let mode = data[0]
    var c = FuzzSupport.config(.csv)
    c.delimiter = [",", "\t", ";", "::"][Int(mode & 3)]
    c.hasHeader = mode & 4 == 0
    if c.hasHeader {
        c.userColumn = .name("user_id"); c.itemColumn = .name("item_id")
        c.ratingColumn = mode & 8 == 0 ? .name("rating") : nil
        c.timestampColumn = mode & 16 == 0 ? .name("timestamp") : nil
    } else {
        c.userColumn = .index(0); c.itemColumn = .index(1)
        c.ratingColumn = mode & 8 == 0 ? .index(2) : nil
        c.timestampColumn = mode & 16 == 0 ? .index(3) : nil
    }
    c.timestampFormat = [.unixSeconds, .unixMilliseconds, .iso8601, .pattern("%d-%m-%Y")][Int(mode >> 5) & 3]
    FuzzSupport.run(data + 1, size - 1, config: c)
    return 0
}

FuzzSupport.runDriver(fuzzCSV)
