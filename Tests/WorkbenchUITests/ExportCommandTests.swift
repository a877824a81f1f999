import Testing
import TerminalUI
@testable import WorkbenchUI

/// `:export onnx|keras|safetensors [folder]` asks the service to export the console's run; the
/// status line says where it wrote or why not.
@Suite struct ExportCommandTests {
    @Test func exportCarriesTheFormatAndFolderAndTheStatusLineSaysTheOutcome() async {
        var s = await loadedState(size: Size(width: 120, height: 30))
        func command(_ text: String) -> [ServiceCall] { calls(press(&s, [.character(":")] + typed(text) + [.enter])) }
        #expect(command("export keras out/model") == [.export(format: "keras", folder: "out/model")])
        #expect(command("export onnx") == [.export(format: "onnx", folder: nil)])
        #expect(command("export safetensors  my folder ") == [.export(format: "safetensors", folder: "my folder")])

        // Without a known format: nothing asked, and the status line says what is needed.
        #expect(command("export").isEmpty)
        #expect(s.render().grid.text().contains(":export needs a format: onnx, keras, safetensors"))
        #expect(command("export tflite out").isEmpty)

        // The service's answers reach the status line.
        _ = s.update(.reply(.command(.export(format: "keras", folder: "out"), .done("exported run 1 as keras to out"))))
        #expect(s.render().grid.text().contains("exported run 1 as keras to out"))
        _ = s.update(.reply(.command(.export(format: "keras", folder: "taken"), .refused("export: taken: exists and is not empty"))))
        #expect(s.render().grid.text().contains("export: taken: exists and is not empty"))
    }

}
