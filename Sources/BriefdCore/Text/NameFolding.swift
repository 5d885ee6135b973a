import Foundation

/// Folds names for comparison: lower case, diacritics removed, typographic apostrophes, dashes and spaces
/// made plain.
///
/// "Sébastien" and "Sebastien" fold alike, so a name typed without its accents is found as a near miss of the
/// registry's spelling rather than as an unknown person.
public enum NameFolding {
    public static func fold(_ text: some StringProtocol) -> String {
        let source = String(text)
        let isASCII = source.utf8.allSatisfy { $0 < 0x80 }
        if isASCII { return source.lowercased() }
        var result = String.UnicodeScalarView()
        for scalar in source.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.value {
            case 0x0300...0x036F, 0x1AB0...0x1AFF, 0x1DC0...0x1DFF, 0x20D0...0x20FF, 0xFE20...0xFE2F:
                continue  // combining marks
            case 0x2018, 0x2019, 0x02BC, 0x0060, 0x00B4:
                result.append("'")
            case 0x2010...0x2015, 0x2212:
                result.append("-")
            case 0x00A0, 0x2007, 0x202F:
                result.append(" ")
            default:
                result.append(contentsOf: String(scalar).lowercased().unicodeScalars)
            }
        }
        return String(result)
    }
}

extension Unicode.Scalar {
    /// A letter or digit: part of a word. ASCII is answered without Unicode property tables, which are
    /// slow enough to dominate a check run.
    @inline(__always) var isWordCharacter: Bool {
        if value < 0x80 {
            return (value >= 0x61 && value <= 0x7A) || (value >= 0x41 && value <= 0x5A)
                || (value >= 0x30 && value <= 0x39)
        }
        return properties.isAlphabetic || properties.numericType != nil
    }

    @inline(__always) var isUppercaseLetter: Bool {
        if value < 0x80 { return value >= 0x41 && value <= 0x5A }
        return properties.isUppercase
    }
}
