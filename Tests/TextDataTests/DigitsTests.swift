import Basics
import Testing

/// The one digit-grouping formatter that Engine, TextData, Learners, WorkbenchUI and the CLI share.
@Suite struct DigitsTests {
    @Test func groupsInThrees() {
        #expect(Digits.grouped(0) == "0")
        #expect(Digits.grouped(999) == "999")
        #expect(Digits.grouped(1000) == "1,000")
        #expect(Digits.grouped(1_234_567) == "1,234,567")
        #expect(Digits.grouped(-1234) == "-1,234")
        #expect(Digits.grouped(Int.min) == "-9,223,372,036,854,775,808")
        #expect(Digits.grouped(UInt64.max) == "18,446,744,073,709,551,615")
    }
}
