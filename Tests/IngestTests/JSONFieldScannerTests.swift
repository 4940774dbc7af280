import XCTest
@testable import Ingest

final class JSONFieldScannerTests: XCTestCase {
    private func scan(_ line: String, _ keys: [String]) -> ([String?], String?) {
        var s = JSONFieldScanner(keys: keys)
        var values = [JSONValueRef](repeating: JSONValueRef(), count: keys.count)
        let bytes = Array(line.utf8)
        return bytes.withUnsafeBufferPointer { p in
            let err = s.scan(p, into: &values)
            let out: [String?] = values.map { v in
                switch v.kind {
                case .missing: return nil
                case .string:
                    var scratch: [UInt8] = []
                    let raw = UnsafeBufferPointer(rebasing: p[v.start..<v.end])
                    if v.hasEscapes {
                        guard JSONFieldScanner.decodeString(raw, into: &scratch) else { return "<invalid>" }
                        return String(decoding: scratch, as: UTF8.self)
                    }
                    return String(decoding: raw, as: UTF8.self)
                default: return String(decoding: p[v.start..<v.end], as: UTF8.self)
                }
            }
            return (out, err)
        }
    }

    func testPlainFieldsAnyOrderAndMissing() {
        let (v, e) = scan(#"{"b":2,"a":"x","c":true}"#, ["a", "b", "d"])
        XCTAssertNil(e)
        XCTAssertEqual(v, ["x", "2", nil])
    }

    func testEscapesInSkippedAndWantedStrings() {
        let (v, e) = scan(#"{"t":"say \"}\" and \\","a":"q\"uote\\","n":{"x":[1,{"y":"]}"}],"z":null},"b":-1.5e3}"#, ["a", "b"])
        XCTAssertNil(e)
        XCTAssertEqual(v, ["q\"uote\\", "-1.5e3"])
    }

    func testUnicodeEscapesIncludingSurrogatePairs() {
        let (v, e) = scan(#"{"a":"\u00e9\ud83d\ude00\u4e2d\/","b":"ü"}"#, ["a", "b"])
        XCTAssertNil(e)
        XCTAssertEqual(v, ["é😀中/", "ü"])
    }

    func testEscapedKeyMatches() {
        let (v, e) = scan(#"{"user\u005fid":"u"}"#, ["user_id"])
        XCTAssertNil(e)
        XCTAssertEqual(v, ["u"])
    }

    func testLoneSurrogateIsInvalid() {
        let (v, _) = scan(#"{"a":"\ud800x"}"#, ["a"])
        XCTAssertEqual(v, ["<invalid>"])
        let (w, _) = scan(#"{"a":"\udc00"}"#, ["a"])
        XCTAssertEqual(w, ["<invalid>"])
    }

    func testNestedValueOfWantedKeyIsReportedAsNested() {
        var s = JSONFieldScanner(keys: ["a"])
        var values = [JSONValueRef()]
        let bytes = Array(#"{"a":{"b":1}}"#.utf8)
        XCTAssertNil(bytes.withUnsafeBufferPointer { s.scan($0, into: &values) })
        XCTAssertEqual(values[0].kind, .nested)
    }

    func testMalformedLinesAreRejected() {
        for bad in [#"{"a":"x""#, #"{"a":"x"} trailing"#, #"["a"]"#, #"{"a":[1,2}"#, #"{"a":{"b":"}"}"#, #"{"a" "x"}"#,
                    #"{"a":nul}"#, #"{"a":"x",}"#, "", #"{"a":"unterminated\"}"#] {
            XCTAssertNotNil(scan(bad, ["a"]).1, bad)
        }
        XCTAssertNil(scan("  {}  ", ["a"]).1)
    }

    func testDuplicateKeyLastWins() {
        XCTAssertEqual(scan(#"{"a":"1","a":"2"}"#, ["a"]).0, ["2"])
    }
}
