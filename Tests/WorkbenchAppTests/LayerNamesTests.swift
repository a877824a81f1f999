import Engine
import Testing
import WorkbenchUI
@testable import WorkbenchApp

/// Layer names have one source, `LayerKind` (Basics): the engine's specs, the palette the
/// service sends the UI and the UI's `:add` all name a type through it.
@Suite struct LayerNamesTests {
    @Test func thePaletteIsNamedByTheEngine() {
        #expect(ModelEditing.palette.map(\.kind.rawValue) == LayerSpec.typeNames)
        for t in ModelEditing.palette {
            #expect(t.displayName == ModelEditing.defaultSpec(t.kind).kerasClassName)
            // The UI reads a class name typed after :add without a table of its own.
            #expect(LayerKind(name: t.displayName) == t.kind, "\(t.displayName)")
            // The spec the workbench adds for a kind is of that kind.
            #expect(ModelEditing.defaultSpec(t.kind).type == t.kind)
        }
    }
}
