/// Text from drafts and file names as the desk shows it: characters that would reorder or hide what is around them
/// are shown as their code, so that "rtl-\u{202E}gnp.md" cannot pass for "rtl-dm.png".
enum DeskText {
    /// Bidirectional controls (embeddings, overrides, isolates, marks) as visible `<U+202E>` text.
    static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isHidden) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isHidden(scalar) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
