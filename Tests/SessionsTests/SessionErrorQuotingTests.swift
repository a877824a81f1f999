import Sessions
import Testing

/// A session name in an error is quoted by TextData's `Quoted`, like every other piece of input.
@Suite struct SessionErrorQuotingTests {
    @Test func invalidNameEscapesControlCharactersLikeOtherInput() {
        let e = SessionError.invalidName("a\u{1B}[2J\nb", reason: "not a folder name")
        #expect(e.description == #"invalid session name 'a\u{1B}[2J\nb': not a folder name"#)
    }
}
