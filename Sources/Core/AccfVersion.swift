/// The accf version, recorded in every output's metadata and in the pipeline's state file.
public enum AccfVersion {
    public static let string = "0.1.0"
}
