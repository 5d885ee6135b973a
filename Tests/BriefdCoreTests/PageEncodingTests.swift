import Testing

@testable import BriefdCore

/// Pages in the encodings Chinese, Taiwanese, Japanese and older English sites really use, labelled as they are
/// really labelled: the article text must come out whole, as a browser would show it.
@Suite struct PageEncodingTests {
    /// 国务院前总理朱镕基说，改革必须继续推进。 in GBK: 镕 (0xE9 0x46) is not in GB2312.
    static let gbk: [UInt8] = [
        0xB9, 0xFA, 0xCE, 0xF1, 0xD4, 0xBA, 0xC7, 0xB0, 0xD7, 0xDC, 0xC0, 0xED, 0xD6, 0xEC, 0xE9, 0x46, 0xBB, 0xF9,
        0xCB,
        0xB5, 0xA3, 0xAC, 0xB8, 0xC4, 0xB8, 0xEF, 0xB1, 0xD8, 0xD0, 0xEB, 0xBC, 0xCC, 0xD0, 0xF8, 0xCD, 0xC6, 0xBD,
        0xF8,
        0xA1, 0xA3,
    ]
    /// 總理朱鎔基說改革必須繼續推進。 in Big5.
    static let big5: [UInt8] = [
        0xC1, 0x60, 0xB2, 0x7A, 0xA6, 0xB6, 0xC2, 0xE8, 0xB0, 0xF2, 0xBB, 0xA1, 0xA7, 0xEF, 0xAD, 0xB2, 0xA5, 0xB2,
        0xB6,
        0xB7, 0xC4, 0x7E, 0xC4, 0xF2, 0xB1, 0xC0, 0xB6, 0x69, 0xA1, 0x43,
    ]
    /// 首相は改革を続けると述べた。 in Shift_JIS (Windows-31J).
    static let shiftJIS: [UInt8] = [
        0x8E, 0xF1, 0x91, 0x8A, 0x82, 0xCD, 0x89, 0xFC, 0x8A, 0x76, 0x82, 0xF0, 0x91, 0xB1, 0x82, 0xAF, 0x82, 0xE9,
        0x82,
        0xC6, 0x8F, 0x71, 0x82, 0xD7, 0x82, 0xBD, 0x81, 0x42,
    ]

    static func page(meta: String?, paragraph: [UInt8]) -> [UInt8] {
        let head = meta.map { "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=\($0)\">" } ?? ""
        return Array("<html><head>\(head)<title>News</title></head><body><article><p>".utf8) + paragraph
            + Array("</p><p>The end of the article.</p></article></body></html>".utf8)
    }

    static func text(_ html: [UInt8], header: String? = nil) -> String {
        ArticleExtractor.extract(html: html, charset: header)?.text ?? ""
    }

    @Test func aPageLabelledGB2312IsReadAsGBKAsBrowsersDo() {
        let expected = "国务院前总理朱镕基说，改革必须继续推进。"
        #expect(Self.text(Self.page(meta: "gb2312", paragraph: Self.gbk)).hasPrefix(expected))
        #expect(Self.text(Self.page(meta: nil, paragraph: Self.gbk), header: "GB2312").hasPrefix(expected))
        // The rest of the article is not lost after the character GB2312 lacks.
        #expect(Self.text(Self.page(meta: "gb2312", paragraph: Self.gbk)).contains("The end of the article."))
    }

    @Test func big5AndShiftJISPagesAreRead() {
        #expect(Self.text(Self.page(meta: "big5", paragraph: Self.big5)).hasPrefix("總理朱鎔基說改革必須繼續推進。"))
        #expect(Self.text(Self.page(meta: "Shift_JIS", paragraph: Self.shiftJIS)).hasPrefix("首相は改革を続けると述べた。"))
    }

    @Test func aPageLabelledLatin1HasWindows1252Quotes() {
        let paragraph =
            Array("He said ".utf8) + [0x93] + Array("reform must go on".utf8) + [0x94, 0x20, 0x96]
            + Array(" and left.".utf8)
        #expect(
            Self.text(Self.page(meta: nil, paragraph: paragraph), header: "ISO-8859-1").hasPrefix(
                "He said \u{201C}reform must go on\u{201D} \u{2013} and left."))
        // 0x81 has no character in windows-1252: the text goes on after it.
        let odd = Array("Before ".utf8) + [0x81] + Array(" after.".utf8)
        #expect(Self.text(Self.page(meta: "iso-8859-1", paragraph: odd)).contains("after."))
    }

    @Test func theSourcesOfTheEncodingComeInTheBrowsersOrder() {
        let gbkPage = Self.page(meta: "gb2312", paragraph: Self.gbk)
        // A label nobody knows in the header: the page's own meta is used, not lost.
        #expect(PageEncoding.name(of: gbkPage, declared: "x-no-such-charset") == "GB18030")
        // UTF-8 bytes are UTF-8, whatever the server's label says.
        let utf8Page = Array("<meta charset=\"iso-8859-1\"><p>Xi\u{2019}s \u{201C}common prosperity\u{201D}</p>".utf8)
        #expect(PageEncoding.name(of: utf8Page, declared: "iso-8859-1") == "UTF-8")
        #expect(Self.text(utf8Page, header: "ISO-8859-1") == "Xi\u{2019}s \u{201C}common prosperity\u{201D}")
        // The header wins over the meta; a byte-order mark wins over both.
        #expect(PageEncoding.name(of: gbkPage, declared: "utf-8") == "UTF-8")
        #expect(PageEncoding.name(of: [0xEF, 0xBB, 0xBF] + gbkPage, declared: "iso-8859-1") == "UTF-8")
        // <meta charset="..."> as HTML5 writes it, quotes and case as they come.
        #expect(PageEncoding.metaCharset(Array("<html><HEAD><META CHARSET='GBK'></head>".utf8)) == "gbk")
        #expect(PageEncoding.metaCharset(Array("<meta name=\"description\" content=\"charset\"><p>".utf8)) == nil)
        // Past the first 1,024 bytes browsers stop looking, and so does briefd.
        let late = Array(String(repeating: " ", count: 1_100).utf8) + Array("<meta charset=\"gbk\">".utf8)
        #expect(PageEncoding.metaCharset(late) == nil)
        #expect(PageEncoding.name(of: Array("<p>plain</p>".utf8), declared: nil) == nil)
        // A <meta> saying UTF-16 in a page read as ASCII is UTF-8; labels are only ever charset names.
        #expect(PageEncoding.name(of: Array("<meta charset=utf-16><p>plain</p>".utf8), declared: nil) == "UTF-8")
        #expect(PageEncoding.supportedName("utf-8//TRANSLIT") == nil)
        #expect(PageEncoding.supportedName("koi8-r") == "KOI8-R")
    }
}
