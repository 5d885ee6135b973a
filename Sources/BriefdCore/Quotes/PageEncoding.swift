import Foundation
@preconcurrency import Glibc

/// Which character encoding to read a page in, decided much as a browser decides it (the WHATWG Encoding
/// Standard): a byte-order mark first, then (briefd's addition) UTF-8 if the bytes are valid UTF-8, then the
/// `Content-Type` header's charset, then a `<meta>` charset in the first bytes; and a label names the encoding
/// browsers use for it, not the older, narrower one of the same name.
///
/// That matters for real pages: a Chinese page labelled `gb2312` is GBK in practice (朱镕基's 镕 is not in
/// GB2312), and an English page labelled `iso-8859-1` uses windows-1252's curly quotes. And a page is converted
/// here, not by libxml2, because libxml2 stops at the first byte its converter refuses and loses the rest of
/// the article; here such a byte becomes U+FFFD, as in a browser.
enum PageEncoding {
    /// The page as UTF-8 when its encoding is known (BOM, header or meta), else nil: libxml2 then reads the
    /// bytes as it would (UTF-8, falling back byte by byte).
    static func utf8(_ html: [UInt8], declared: String?) -> [UInt8]? {
        guard let name = name(of: html, declared: declared) else { return nil }
        if name == "UTF-8" { return html }
        return convert(html, from: name)
    }

    /// The encoding to read the page in (a name glibc's iconv knows), or nil when no usable label is anywhere.
    static func name(of html: [UInt8], declared: String?) -> String? {
        if let bom = byteOrderMark(html) { return bom }
        // Not what a browser does, and safer: bytes that are valid UTF-8 with non-ASCII characters in them are
        // UTF-8 whatever the label says (a server's default "ISO-8859-1" on a UTF-8 site is common; a legacy
        // encoding's text is almost never valid UTF-8). Read as windows-1252, "’" would become "â€™" and no
        // excerpt would match its page.
        if isUTF8WithNonASCII(html) { return "UTF-8" }
        if let declared, let name = supportedName(declared) { return name }
        // A <meta> that could be read as ASCII cannot be UTF-16: browsers take such a label for UTF-8.
        if let meta = metaCharset(html), let name = supportedName(meta) {
            return name.hasPrefix("UTF-16") ? "UTF-8" : name
        }
        return nil
    }

    /// WHATWG's decoders for the labels whose everyday meaning is wider than their name's (as glibc's iconv names
    /// them). Other labels are used as they are when iconv knows them (KOI8-R, WINDOWS-1251, ISO-8859-2, …).
    static let browserEncodings: [String: String] = {
        var table: [String: String] = [:]
        let groups: [(String, [String])] = [
            (
                "GB18030",
                [
                    "gb2312", "gb_2312", "gb_2312-80", "chinese", "csgb2312", "csiso58gb231280", "iso-ir-58",
                    "gbk", "x-gbk", "cp936", "ms936", "windows-936", "gb18030",
                ]
            ),
            ("BIG5-HKSCS", ["big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5"]),
            (
                "CP1252",
                [
                    "iso-8859-1", "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987", "latin1", "l1",
                    "ascii", "us-ascii", "ansi_x3.4-1968", "cp1252", "windows-1252", "x-cp1252", "cp819",
                    "ibm819", "iso-ir-100", "csisolatin1",
                ]
            ),
            ("CP932", ["shift_jis", "shift-jis", "sjis", "ms_kanji", "ms932", "windows-31j", "x-sjis", "csshiftjis"]),
            (
                "CP949",
                [
                    "euc-kr", "ks_c_5601-1987", "ks_c_5601-1989", "ksc5601", "ksc_5601", "korean", "cseuckr",
                    "iso-ir-149", "windows-949",
                ]
            ),
            ("UTF-8", ["utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"]),
        ]
        for (name, labels) in groups { for label in labels { table[label] = name } }
        return table
    }()

    /// The encoding for `label` if iconv can convert from it; nil for a label it does not know (a typo, or
    /// `x-user-defined`), so that the next source is tried rather than the page being lost.
    static func supportedName(_ label: String) -> String? {
        let trimmed = label.trimmingCharacters(in: .whitespaces).lowercased()
        // Only what a charset label is made of reaches iconv_open (no "//" suffixes, no paths).
        guard !trimmed.isEmpty, trimmed.utf8.count <= 40, trimmed.utf8.allSatisfy(isLabelByte) else { return nil }
        let name = browserEncodings[trimmed] ?? trimmed.uppercased()
        if name == "UTF-8" { return name }
        let converter = iconv_open("UTF-8", name)
        guard converter != iconv_t(bitPattern: -1) else { return nil }
        iconv_close(converter)
        return name
    }

    /// `bytes` in `encoding` as UTF-8; a byte the encoding has no character for becomes U+FFFD.
    static func convert(_ bytes: [UInt8], from encoding: String) -> [UInt8]? {
        let converter = iconv_open("UTF-8", encoding)
        guard converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 2)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = bytes
        input.withUnsafeMutableBufferPointer { source in
            var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(source.baseAddress!)
                .assumingMemoryBound(to: CChar.self)
            var inLeft = source.count
            while inLeft > 0 {
                let (result, code, produced) = chunk.withUnsafeMutableBufferPointer { target in
                    var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(target.baseAddress!)
                        .assumingMemoryBound(to: CChar.self)
                    var outLeft = target.count
                    let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                    return (result, errno, target.count - outLeft)
                }
                output += chunk[0..<produced]
                guard result == -1 else { continue }
                switch code {
                case E2BIG:
                    continue  // The chunk is full: go on with the next one.
                case EILSEQ, EINVAL:
                    // A byte with no character here, or a sequence cut off at the end: one replacement, one byte on.
                    output += replacement
                    inPointer = inPointer.map { $0 + 1 }
                    inLeft -= 1
                    iconv(converter, nil, nil, nil, nil)
                default:
                    return
                }
            }
        }
        return output
    }

    static func isUTF8WithNonASCII(_ bytes: [UInt8]) -> Bool {
        bytes.contains { $0 >= 0x80 } && String(validating: bytes, as: UTF8.self) != nil
    }

    static func byteOrderMark(_ html: [UInt8]) -> String? {
        if html.starts(with: [0xEF, 0xBB, 0xBF]) { return "UTF-8" }
        if html.starts(with: [0xFF, 0xFE]) { return "UTF-16LE" }
        if html.starts(with: [0xFE, 0xFF]) { return "UTF-16BE" }
        return nil
    }

    /// The charset a `<meta charset=…>` or `<meta http-equiv content="…; charset=…">` names in the first
    /// 1,024 bytes (where browsers look), read as ASCII; nil when there is none.
    static func metaCharset(_ html: [UInt8]) -> String? {
        let head = html.prefix(1024).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        var searchFrom = head.startIndex
        while let meta = find(Array("<meta".utf8), in: head, from: searchFrom) {
            let end = head[meta...].firstIndex(of: UInt8(ascii: ">")) ?? head.endIndex
            let tag = Array(head[meta..<end])
            if let at = find(Array("charset".utf8), in: tag, from: 0) {
                var index = at + "charset".utf8.count
                func skip(_ bytes: Set<UInt8>) { while index < tag.count, bytes.contains(tag[index]) { index += 1 } }
                skip([0x20, 0x09, 0x0A, 0x0D])
                if index < tag.count, tag[index] == UInt8(ascii: "=") {
                    index += 1
                    skip([0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "\""), UInt8(ascii: "'")])
                    let start = index
                    while index < tag.count, isLabelByte(tag[index]) { index += 1 }
                    if index > start { return String(decoding: tag[start..<index], as: UTF8.self) }
                }
            }
            searchFrom = end
        }
        return nil
    }

    private static func isLabelByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x5F || byte == 0x3A
            || byte == 0x2E
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard needle.count <= haystack.count, from <= haystack.count - needle.count else { return nil }
        for start in from...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
        }
        return nil
    }
}
