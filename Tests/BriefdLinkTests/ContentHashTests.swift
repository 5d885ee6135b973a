import BriefdIO
import BriefdApp
import Testing

/// The hashes briefd stores (drafts, snapshots, published files) are standard SHA-256 in lowercase hex: the same
/// as `sha256sum` gives, and the same as the hand-made implementation they replaced wrote into existing databases.
@Suite(.timeLimit(.minutes(5))) struct ContentHashTests {
    @Test func sha256MatchesTheStandardVectors() {
        #expect(ContentHash.sha256Hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            ContentHash.sha256Hex(Array("abc".utf8))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            ContentHash.sha256Hex(Array(String(repeating: "a", count: 1000).utf8))
                == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}
