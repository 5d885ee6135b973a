/// Reading an HTTP/1.1 message as it went over the wire (an archive's copy): its header block and its body,
/// which may still be chunked.
public enum HTTPWire {
    /// The value of header `name` (case-insensitive) in a header block; the first one when repeated.
    public static func header(_ name: String, in block: [UInt8]) -> String? {
        let wanted = name.lowercased()
        for line in String(decoding: block, as: UTF8.self).split(whereSeparator: { $0 == "\r\n" || $0 == "\n" }) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].trimmingWhitespace().lowercased() == wanted {
                return String(line[line.index(after: colon)...]).trimmingWhitespace()
            }
        }
        return nil
    }

    /// The body with its chunked framing removed. A body cut short (at the archive's bound) gives what arrived;
    /// framing that does not parse gives nil.
    public static func dechunk(_ body: [UInt8]) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(body.count)
        var index = 0
        while index < body.count {
            guard let lineEnd = firstCRLF(in: body, from: index) else { return output }  // Cut inside a size line.
            let sizeText =
                String(decoding: body[index..<lineEnd], as: UTF8.self)
                .split(separator: ";", maxSplits: 1).first.map { String($0).trimmingWhitespace() } ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0 else { return nil }
            if size == 0 { return output }
            let start = lineEnd + 2
            let end = min(start + size, body.count)
            output.append(contentsOf: body[min(start, body.count)..<end])
            index = end + 2
        }
        return output
    }

    private static func firstCRLF(in bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == 0x0D && bytes[index + 1] == 0x0A { return index }
            index += 1
        }
        return nil
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\r" { slice.removeLast() }
        return String(slice)
    }
}
