import Testing
import TerminalUI
@testable import WorkbenchUI

/// The `:` commands for the schedule, class weights and callbacks hand their text to the
/// service (which parses it as the command line does); without one they say what they need.
@Suite struct TrainingSettingsCommandsTests {
    @Test func commandsCarryTheirSettingsToTheService() async {
        var s = await loadedState(size: Size(width: 120, height: 30))
        func command(_ text: String) -> [ServiceCall] { calls(press(&s, [.character(":")] + typed(text) + [.enter])) }
        #expect(command("classweight balanced") == [.changeSettings(.classWeight("balanced"))])
        #expect(command("schedule cosine:decay_steps=100") == [.changeSettings(.schedule("cosine:decay_steps=100"))])
        #expect(command("earlystop monitor=val_loss,patience=3,restore_best") == [.changeSettings(.earlyStopping("monitor=val_loss,patience=3,restore_best"))])
        #expect(command("plateau factor=0.5,patience=2") == [.changeSettings(.reduceLROnPlateau("factor=0.5,patience=2"))])
        #expect(command("checkpoint best") == [.changeSettings(.checkpoint("best"))])
        #expect(command("plateau").isEmpty)
        #expect(s.render().grid.text().contains(":plateau needs settings"))
    }
}
