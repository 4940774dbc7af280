#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension AccfError {
    /// An output (file, folder or lock) that could not be created, classified by `errno`.
    ///
    /// Why a classification: exit 73 tells a scheduler "a human must fix a path or a permission"
    /// (docs/operations.md fails the job at once), exit 74 "retry after freeing space". A full disk
    /// or inode table (ENOSPC, EDQUOT) or a device error (EIO) while creating a folder is the
    /// second kind; found by the disk-full tests, where `mkdir` on a full filesystem said 73.
    public static func cannotCreate(_ file: String, errno code: Int32) -> AccfError {
        let reason = String(cString: strerror(code))
        switch code {
        case ENOSPC, EDQUOT, EIO:
            return .io(file, "cannot create: \(reason)")
        default:
            return .cannotCreate(file, reason)
        }
    }
}
