import Core
import Graph

/// Reads the graph stage's output for the train stage.
///
/// One indirection so the train binding does not change when the graph file format lands.
enum GraphStageFile {
    static func read(_ path: String) throws -> NormalizedGraph {
        throw AccfError.internalError("\(path): the graph file format has not landed in this build; remove [graph] from the manifest")
    }
}
