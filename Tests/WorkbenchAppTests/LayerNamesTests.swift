import Engine
import Testing
import WorkbenchUI
@testable import WorkbenchApp

/// Layer names have one source, the engine: the palette the service sends the UI names each
/// type by `LayerSpec.kerasClassName`, and offers exactly the engine's types.
@Suite struct LayerNamesTests {
    @Test func thePaletteIsNamedByTheEngine() {
        #expect(ModelEditing.palette.map(\.kind.rawValue) == LayerSpec.typeNames)
        for t in ModelEditing.palette {
            #expect(t.displayName == ModelEditing.defaultSpec(t.kind).kerasClassName)
            // The UI reads a class name typed after :add without a table of its own.
            #expect(LayerKind(name: t.displayName) == t.kind, "\(t.displayName)")
        }
    }
}
