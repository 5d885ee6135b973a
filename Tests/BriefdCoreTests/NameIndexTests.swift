import Testing

@testable import BriefdCore

@Suite("Name matching against the registry")
struct NameIndexTests {
    let people = TestSupport.registry.personNames
    let publications = TestSupport.registry.publicationNames

    func spelling(_ match: NameIndex.Match) -> [String] {
        guard case .nearMiss(let ids) = match else { return [] }
        return ids.map { TestSupport.registry.people[$0].name }
    }

    @Test func exactNamesAndAliasesMatchExactly() {
        #expect(people.match("Mara Feld") == .exact(0))
        #expect(people.match("M. Feld") == .exact(0))
        #expect(publications.match("Wire China") == .exact(0))
        #expect(publications.match("the Wire China") == .exact(0))
    }

    @Test func aDroppedLetterInTheSurnameIsANearMiss() {
        #expect(spelling(people.match("Mara Fld")) == ["Mara Feld"])
    }

    @Test func aTranspositionIsANearMiss() {
        #expect(spelling(people.match("Mara Fled")) == ["Mara Feld"])
    }

    @Test func missingDiacriticsAreANearMiss() {
        #expect(spelling(people.match("Sebastien Roblin")) == ["Sébastien Roblin"])
    }

    @Test func differentShortGivenNamesAreDifferentPeople() {
        // Li Wen and Li Wei are both in the registry: each is exact, neither is a misspelling of the other.
        #expect(people.match("Li Wen") == .exact(2))
        #expect(people.match("Li Wei") == .exact(3))
        // And a third short name is a different person, not a near miss of either.
        #expect(people.match("Li Wan") == .none)
    }

    @Test func anAmbiguousNearMissNamesBothCandidates() {
        #expect(Set(spelling(people.match("Marc Feld"))) == ["Mara Feld", "Mark Feld"])
    }

    @Test func distantNamesAreUnknown() {
        #expect(people.match("Daniel Okafor") == .none)
        #expect(people.match("Maria Feldman") == .none)
    }

    @Test func publicationNearMiss() {
        guard case .nearMiss(let ids) = publications.match("Caxin") else {
            Issue.record("Caxin should be a near miss")
            return
        }
        #expect(TestSupport.registry.publications[ids[0]].name == "Caixin")
    }

    @Test func tenThousandPeopleAreIndexedNotScanned() {
        var people = (0..<10_000).map { Person(name: "Given\($0) Surname\($0 * 7)") }
        people.append(Person(name: "Mara Feld"))
        let registry = Registry(publications: [], people: people)
        #expect(registry.personNames.match("Mara Fedl") == .nearMiss([10_000]))
        // An indexed lookup scores only the entries sharing a token key, not all 10,001.
        #expect(registry.personNames.candidateCount(for: "Mara Fedl") <= 2)
    }

    @Test func deletionKeysAreEveryOneLetterDeletionOnEitherPath() {
        #expect(NameIndex.deletionKeys("feld") == ["feld", "eld", "fld", "fed", "fel"])
        #expect(NameIndex.deletionKeys("xi") == ["xi"])
        // Not ASCII: cut by scalars, so "é" goes as one letter.
        #expect(NameIndex.deletionKeys("josé") == ["josé", "osé", "jsé", "joé", "jos"])
    }
}
