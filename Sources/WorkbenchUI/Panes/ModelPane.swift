import Basics
import TerminalUI

/// The model as a graph: one box per layer joined by arrows, with output shapes and
/// parameter counts, then the total, the optimizer and the loss. `j`/`k` select a layer;
/// `a` adds one below it (a type picker), `d` deletes, `K`/`J` move, `e` edits its settings
/// in an inline prompt (Tab moves to the next setting), `P` picks a preset. Edits go to the
/// service, which answers with the new model or a reason for refusing.
public struct ModelPane: Pane {
    public static let kind = PaneKind.model

    public private(set) var model: ModelSnapshot?
    public private(set) var selection = 0
    /// The first layer shown; kept in step with the selection by `fit(rect:)`.
    public private(set) var scroll = 0

    /// Selects the layer drawn on screen row `y` of a pane drawn in `rect` (a mouse click);
    /// false when none is there.
    @discardableResult
    public mutating func click(row y: Int, rect: Rect) -> Bool {
        guard editing == nil, let m = model, let g = geometry(rect, m) else { return false }
        guard let hit = g.layerRows(scroll: g.scroll(scroll, selection: selection)).first(where: { $0.rows.contains(y) })
        else { return false }
        selection = hit.layer
        return true
    }

    /// The pane is drawn in `rect` (from the update loop, after every event): the scroll
    /// follows the selection, so drawing reads it and changes nothing.
    public mutating func fit(rect: Rect) {
        guard let m = model, let g = geometry(rect, m) else { return }
        scroll = g.scroll(scroll, selection: selection)
    }

    /// How the layer graph fits `rect`: its area, rows per layer, and how many layers show.
    struct Geometry {
        var area: Rect
        var count: Int
        var rowsPerLayer: Int
        var boxed: Bool
        var visibleLayers: Int

        /// The first layer shown: the scroll moved just enough to show the selection.
        func scroll(_ scroll: Int, selection: Int) -> Int {
            var top = scroll
            if selection < top { top = selection }
            if selection >= top + visibleLayers { top = selection - visibleLayers + 1 }
            return min(max(0, top), max(0, count - visibleLayers))
        }

        /// Screen rows of each layer drawn from `scroll` on.
        func layerRows(scroll: Int) -> [(layer: Int, rows: Range<Int>)] {
            var out: [(layer: Int, rows: Range<Int>)] = []
            var y = area.y
            for i in scroll..<max(scroll, count) {
                guard y < area.maxY, !boxed || y + 3 <= area.maxY else { break }
                out.append((i, y..<(y + (boxed ? 3 : 1))))
                y += boxed ? 3 : 1
                if rowsPerLayer > 1 && i + 1 < count && y < area.maxY { y += 1 }
            }
            return out
        }
    }

    /// The rows left for the prompt, the footer and the input line, and the graph's
    /// geometry; nil when nothing fits.
    func geometry(_ rect: Rect, _ m: ModelSnapshot) -> Geometry? {
        guard rect.width > 0, rect.height > 0 else { return nil }
        let parts = frame(rect, m)
        let area = parts.graph, n = m.layers.count
        guard area.height > 0, area.width > 0 else { return nil }
        let rowsPerLayer: Int
        let boxed: Bool
        if 4 * n - 1 <= area.height && area.width >= 20 {
            rowsPerLayer = 4; boxed = true
        } else if 2 * n - 1 <= area.height {
            rowsPerLayer = 2; boxed = false
        } else {
            rowsPerLayer = 1; boxed = false
        }
        let visibleLayers = max(1, (area.height + (rowsPerLayer > 1 ? 1 : 0)) / rowsPerLayer)
        return Geometry(area: area, count: n, rowsPerLayer: rowsPerLayer, boxed: boxed, visibleLayers: visibleLayers)
    }

    static func capitalised(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }

    /// The footer lines, their rows, whether the input line shows, and the graph's area.
    private func frame(_ rect: Rect, _ m: ModelSnapshot) -> (footer: [(String, String)], footerRows: Int, input: Bool, graph: Rect) {
        var bottom = rect.maxY
        if editing != nil { bottom -= 1 }
        let optimizer = ([m.optimizer] + m.optimizerSettings.map { "\($0.name) \($0.value)" }).joined(separator: "  ")
        // Class weights and callbacks, each on its own line under the loss, when set.
        let training = m.training.map { (Self.capitalised($0.name) + " ", $0.value) }
        let footer: [(String, String)] = rect.height >= 10
            ? [("Total params ", Digits.grouped(m.totalParameters)), ("Optimizer ", optimizer), ("Loss ", m.loss)]
                + (rect.height >= 10 + 2 * training.count ? training : [])
            : [("", "\(Digits.grouped(m.totalParameters)) params · \(m.optimizer) · \(m.loss)")]
        let footerRows = min(footer.count, max(0, bottom - rect.y - 1))
        bottom -= footerRows
        var top = rect.y
        // The input line only when it does not push the graph into a more compact form.
        let height = bottom - top, n = m.layers.count
        let needed = 4 * n - 1 <= height && rect.width >= 20 ? 4 * n - 1 : (2 * n - 1 <= height ? 2 * n - 1 : n)
        let input = !m.inputShape.isEmpty && height - 1 >= needed
        if input { top += 1 }
        return (footer, footerRows, input, Rect(x: rect.x, y: top, width: rect.width, height: max(0, bottom - top)))
    }
    /// The inline prompt: which layer and setting, and the text typed.
    public private(set) var editing: Editing?
    /// An edit sent and not answered yet.
    public private(set) var pendingEdit: ModelEdit?
    /// Input that came while an edit was in flight, in order. Edits are sequential: each key
    /// must act on the model the previous edit made (`J` twice moves a layer down twice, not
    /// down and back), so it waits for the answer and is replayed by `resumeWaiting`.
    public private(set) var waiting: [WaitingInput] = []

    public enum WaitingInput: Hashable, Sendable {
        case key(KeyAction?, Key)
        case edit(ModelEdit)
    }

    /// The pane's own actions: what waits while an edit is in flight.
    static let modelActions: Set<KeyAction> = [.up, .down, .top, .bottom, .pageUp, .pageDown, .addLayer, .deleteLayer,
                                               .moveLayerUp, .moveLayerDown, .editLayer, .enter, .pickPreset, .undo, .redo]

    public struct Editing: Hashable, Sendable {
        public var layer: Int
        public var setting: Int
        public var editor: LineEditor
    }

    public init(model: ModelSnapshot? = nil) {
        self.model = model
    }

    public var keyContext: KeyContext { editing == nil ? .model : .commandLine }

    public var subtitle: String {
        guard let m = model else { return "" }
        return "\(Digits.grouped(m.totalParameters)) params"
    }

    public func commands(_ keyMap: KeyMap) -> [KeyHint] {
        if editing != nil {
            return [KeyHint(key: "Enter", label: "apply"), KeyHint(key: "Tab", label: "next setting"),
                    KeyHint(key: "Esc", label: "cancel")]
        }
        return keyMap.hints(for: .model)
    }

    private var layerCount: Int { model?.layers.count ?? 0 }

    public var selectedLayer: LayerSnapshot? {
        guard let m = model, m.layers.indices.contains(selection) else { return nil }
        return m.layers[selection]
    }

    // MARK: Data

    /// A model that arrived on its own (session loaded, checkpoint restored).
    public mutating func setModel(_ m: ModelSnapshot?) {
        model = m
        selection = min(selection, max(0, layerCount - 1))
        if let e = editing, !(m?.layers.indices.contains(e.layer) ?? false) { editing = nil }
    }

    /// The service's answer to `edit`: the new model, and the selection follows the layer.
    public mutating func applied(_ edit: ModelEdit, model m: ModelSnapshot) {
        if pendingEdit == edit { pendingEdit = nil }
        model = m
        switch edit {
        case let .addLayer(_, at): selection = at
        case let .deleteLayer(at): selection = at
        case let .moveLayer(_, to): selection = to
        case .applyPreset: selection = 0
        case .undo, .redo:
            // The layer list may have changed shape: keep the selection's row if it still exists.
            break
        default: break
        }
        selection = min(max(0, selection), max(0, layerCount - 1))
    }

    public mutating func refused(_ edit: ModelEdit) {
        if pendingEdit == edit { pendingEdit = nil }
    }

    /// The edit that sets the selected layer's setting `kind` from text (the `:units 32` commands).
    public func edit(setting kind: LayerSettingKind, value: String) -> Result<ModelEdit, EditInputError> {
        guard let layer = selectedLayer else { return .failure(EditInputError("no layer selected")) }
        guard layer.settings.contains(where: { $0.kind == kind }) else {
            return .failure(EditInputError("\(layer.typeLabel) has no \(kind.rawValue) setting"))
        }
        return ModelEdit.setting(kind, layer: selection, value: value)
    }

    // MARK: Keys

    public mutating func handle(_ action: KeyAction?, key: Key) -> PaneResponse {
        if editing != nil { return handleEditing(key) }
        if pendingEdit != nil || !waiting.isEmpty, let a = action, Self.modelActions.contains(a) {
            waiting.append(.key(action, key))
            return .consumed
        }
        return act(action, key: key)
    }

    private mutating func act(_ action: KeyAction?, key: Key) -> PaneResponse {
        if editing != nil { return handleEditing(key) }
        switch action {
        case .up?: selection = max(0, selection - 1)
        case .down?: selection = min(max(0, layerCount - 1), selection + 1)
        case .top?: selection = 0
        case .bottom?: selection = max(0, layerCount - 1)
        case .pageUp?: selection = max(0, selection - 5)
        case .pageDown?: selection = min(max(0, layerCount - 1), selection + 5)
        case .addLayer?:
            return .consumed(.pick(.addLayer(at: layerCount == 0 ? 0 : selection + 1)))
        case .deleteLayer?:
            guard selectedLayer != nil else { return .warning("no layer to delete") }
            return send(.deleteLayer(at: selection))
        case .moveLayerUp?:
            guard selectedLayer != nil else { return .warning("no layer to move") }
            guard selection > 0 else { return .warning("the layer is already at the top") }
            return send(.moveLayer(from: selection, to: selection - 1))
        case .moveLayerDown?:
            guard selectedLayer != nil else { return .warning("no layer to move") }
            guard selection + 1 < layerCount else { return .warning("the layer is already at the bottom") }
            return send(.moveLayer(from: selection, to: selection + 1))
        case .editLayer?, .enter?:
            return startEditing()
        case .pickPreset?:
            return .consumed(.pick(.preset))
        case .trainingSettings?:
            return .consumed(.pick(.trainingSetting))
        case .undo?: return send(.undo)
        case .redo?: return send(.redo)
        default:
            return .ignored
        }
        return .consumed
    }

    /// Marks `edit` as sent and asks the app to send it; while another edit is in flight it
    /// waits for that one's answer.
    mutating func send(_ edit: ModelEdit) -> PaneResponse {
        if pendingEdit != nil {
            waiting.append(.edit(edit))
            return .consumed
        }
        pendingEdit = edit
        return .consumed(.call(.edit(edit)))
    }

    /// After an edit's answer: replays the input that waited for it, in order, until one of
    /// them sends an edit (which then waits for its own answer). Returns what they ask for.
    public mutating func resumeWaiting() -> [PaneRequest] {
        var requests: [PaneRequest] = []
        while pendingEdit == nil, !waiting.isEmpty {
            switch waiting.removeFirst() {
            case let .key(action, key): requests += act(action, key: key).requests
            case let .edit(edit): requests += send(edit).requests
            }
        }
        return requests
    }

    /// A different session: edits in flight or waiting belong to the old one.
    public mutating func forgetEdits() {
        pendingEdit = nil
        waiting = []
    }

    mutating func startEditing(setting: LayerSettingKind? = nil) -> PaneResponse {
        guard let layer = selectedLayer else { return .warning("no layer to edit") }
        guard !layer.settings.isEmpty else { return .warning("\(layer.typeLabel) has no settings to edit") }
        let index = setting.flatMap { k in layer.settings.firstIndex { $0.kind == k } } ?? 0
        editing = Editing(layer: selection, setting: index, editor: LineEditor(text: layer.settings[index].value))
        return .consumed
    }

    private mutating func handleEditing(_ key: Key) -> PaneResponse {
        guard var e = editing, let m = model, m.layers.indices.contains(e.layer) else {
            editing = nil
            return .consumed
        }
        let settings = m.layers[e.layer].settings
        guard settings.indices.contains(e.setting) else {
            editing = nil
            return .consumed
        }
        switch key {
        case .escape:
            editing = nil
            return .consumed
        case .tab, .backTab:
            let n = settings.count
            e.setting = ((e.setting + (key == .tab ? 1 : -1)) % n + n) % n
            e.editor = LineEditor(text: settings[e.setting].value)
            editing = e
            return .consumed
        case .enter:
            let setting = settings[e.setting]
            if setting.value == e.editor.text.trimmingSpaces() {
                editing = nil
                return .consumed
            }
            switch ModelEdit.setting(setting.kind, layer: e.layer, value: e.editor.text) {
            case let .success(edit):
                editing = nil
                return send(edit)
            case let .failure(err):
                return .warning(err.description)
            }
        default:
            guard e.editor.handle(key) else { return .consumed }
            editing = e
            return .consumed
        }
    }

    // MARK: Drawing

    public func render(into grid: inout CellGrid, rect: Rect, focused: Bool) -> Point? {
        guard rect.width > 0, rect.height > 0 else { return nil }
        guard let m = model else {
            Draw.centred(&grid, "no model yet", rect: rect, row: rect.height / 2)
            return nil
        }
        var cursor: Point?
        var bottom = rect.maxY
        if let e = editing {
            bottom -= 1
            cursor = drawPrompt(&grid, e, m: m, x: rect.x, y: bottom, width: rect.width)
        }

        // Footer: total, optimizer, loss (one line when short of room).
        let parts = frame(rect, m)
        for (i, (name, value)) in parts.footer.suffix(parts.footerRows).enumerated() {
            let y = bottom - parts.footerRows + i
            let x = Draw.text(&grid, name, x: rect.x, y: y, width: rect.width, style: Style(.dim))
            Draw.text(&grid, value, x: x, y: y, width: rect.maxX - x,
                      style: i == 0 && parts.footerRows >= 3 && parts.footerRows == parts.footer.count ? Style(.text, .bold) : .text)
        }
        if parts.input {
            Draw.text(&grid, "Input " + m.inputShape, x: rect.x, y: rect.y, width: rect.width, style: Style(.dim))
        }
        if let g = geometry(rect, m) { drawGraph(&grid, m, g, focused: focused) }
        return cursor
    }

    private func drawPrompt(_ grid: inout CellGrid, _ e: Editing, m: ModelSnapshot, x: Int, y: Int, width: Int) -> Point? {
        guard m.layers.indices.contains(e.layer), m.layers[e.layer].settings.indices.contains(e.setting) else { return nil }
        let s = m.layers[e.layer].settings[e.setting]
        grid.fill(Rect(x: x, y: y, width: width, height: 1), style: Style(.input))
        let label = "\(s.label): "
        let cx = grid.put(label, x: x, y: y, style: Style(.accent, .bold), maxWidth: width)
        var hint = s.choices.isEmpty ? "" : "  " + s.choices.joined(separator: " ")
        let room = x + width - cx
        let fieldW = max(1, min(room, max(8, room - TextWidth.of(hint))))
        let view = e.editor.view(width: fieldW)
        grid.put(view.text, x: cx, y: y, style: Style(.input), maxWidth: fieldW)
        if room - fieldW > 2 {
            hint = TextWidth.truncated(hint, to: room - fieldW)
            grid.put(hint, x: cx + fieldW, y: y, style: Style(.dim), maxWidth: room - fieldW)
        }
        return Point(x: cx + view.cursorColumn, y: y)
    }

    /// Boxes and arrows when there is room, else one line per layer with arrows between,
    /// else one line per layer; scrolled to keep the selection in view.
    private func drawGraph(_ grid: inout CellGrid, _ m: ModelSnapshot, _ g: Geometry, focused: Bool) {
        let n = m.layers.count
        let area = g.area
        guard n > 0 else {
            Draw.text(&grid, "no layers: press a to add one or P for a preset", x: area.x, y: area.y,
                      width: area.width, style: Style(.dim))
            return
        }
        let typeW = m.layers.map { TextWidth.of($0.typeLabel) }.max() ?? 0
        let shapeW = m.layers.map { TextWidth.of($0.outputShape) }.max() ?? 0
        let paramW = m.layers.map { Digits.grouped($0.parameterCount).count }.max() ?? 0
        let boxed = g.boxed
        let scroll = g.scroll(self.scroll, selection: selection)

        let contentW = typeW + 2 + shapeW + 2 + paramW
        let boxW = min(area.width, contentW + 4)
        let arrowX = area.x + (boxed ? boxW / 2 : 2)
        for (i, rows) in g.layerRows(scroll: scroll) {
            let y = rows.lowerBound
            let layer = m.layers[i]
            let selected = i == selection
            let style: Style = selected ? (focused ? Style(.selection) : Style(.text, .bold)) : .text
            let pending = pendingEdit != nil && selected
            if boxed {
                let r = Rect(x: area.x, y: y, width: boxW, height: 3)
                grid.box(r, title: layer.name, focused: selected)
                let inner = Rect(x: r.x + 1, y: y + 1, width: r.width - 2, height: 1)
                if selected { grid.fill(inner, style: style) }
                drawColumns(&grid, layer, x: inner.x + 1, y: inner.y, width: inner.width - 2, typeW: typeW,
                            shapeW: shapeW, paramW: paramW, style: style, pending: pending)
            } else {
                let row = Rect(x: area.x, y: y, width: area.width, height: 1)
                if selected { grid.fill(row, style: style) }
                let mark = grid.put(selected ? "▸ " : "  ", x: row.x, y: y, style: style)
                drawColumns(&grid, layer, x: mark, y: y, width: row.maxX - mark, typeW: typeW, shapeW: shapeW,
                            paramW: paramW, style: style, pending: pending)
            }
            if g.rowsPerLayer > 1 && i + 1 < n && rows.upperBound < area.maxY {
                grid.put("↓", x: arrowX, y: rows.upperBound, style: Style(.dim))
            }
        }
        if scroll > 0 { grid.put("↑", x: area.maxX - 1, y: area.y, style: Style(.dim)) }
        if scroll + g.visibleLayers < n { grid.put("↓", x: area.maxX - 1, y: area.maxY - 1, style: Style(.accent)) }
    }

    /// "LSTM(64)   (None, 64)   33,024": type, shape and right-aligned parameters; the shape
    /// goes first when the width runs short, then the parameters.
    private func drawColumns(_ grid: inout CellGrid, _ layer: LayerSnapshot, x: Int, y: Int, width: Int,
                             typeW: Int, shapeW: Int, paramW: Int, style: Style, pending: Bool) {
        guard width > 0 else { return }
        let params = Digits.grouped(layer.parameterCount)
        let showShape = typeW + 2 + shapeW + 2 + paramW <= width
        let showParams = showShape || typeW + 2 + paramW <= width
        let typeRoom = showParams ? min(width, typeW) : width
        var cx = grid.put(TextWidth.padded(layer.typeLabel, to: typeRoom), x: x, y: y,
                          style: pending ? style.with(.dim) : style.with(.bold), maxWidth: typeRoom)
        if showShape {
            cx = grid.put("  " + TextWidth.padded(layer.outputShape, to: shapeW), x: cx, y: y,
                          style: style.role == .text ? Style(.dim) : style, maxWidth: x + width - cx)
        }
        if showParams {
            let px = x + width - paramW + (paramW - params.count)
            grid.put(params, x: max(cx + 2, px), y: y, style: style, maxWidth: x + width - max(cx + 2, px))
        }
    }
}
