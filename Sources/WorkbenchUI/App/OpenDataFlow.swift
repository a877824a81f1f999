import TerminalUI

/// Opening a data file as a new session, in three steps drawn over the panes: choose a file
/// (folders and readable files), check how it is read (the columns the service guessed,
/// changeable; the first examples; the summary and its warnings), then name the session.
/// Every file read goes through the service; this is only what the screen shows.
public struct OpenDataFlow: Hashable, Sendable {
    public enum Step: Hashable, Sendable {
        /// The file picker; `listing` nil while the folder is read.
        case browse
        /// The file as read with `reading`; `preview` nil while the service reads it.
        case inspect(path: String, reading: DataReading, preview: DataPreview?)
        /// The name of the new session (the preview is kept for going back).
        case name(DataPreview, editor: LineEditor)
    }

    public internal(set) var step: Step = .browse
    public internal(set) var listing: DirectoryListing?
    /// The picker's row: 0 is `..` when there is a parent folder.
    public internal(set) var selection = 0
    /// Why the last request was refused, shown in the overlay.
    public internal(set) var problem: String?
    /// The picker's selected data file as the reader parses it (nil until the service answers).
    public internal(set) var filePreview: DataPreview?

    public init() {}

    /// The picker's rows: the parent folder, then the folder's entries.
    public var rows: [FileEntry] {
        guard let listing else { return [] }
        return (listing.parent == nil ? [] : [FileEntry(name: "..", isDirectory: true)]) + listing.entries
    }

    mutating func move(_ delta: Int) {
        let n = rows.count
        guard n > 0 else { return }
        selection = min(max(0, selection + delta), n - 1)
    }

    mutating func refused(_ reason: String) { problem = reason }

    /// The path of the picker's selected entry when it is a data file.
    var selectedDataFile: String? {
        guard let listing, rows.indices.contains(selection), rows[selection].isDataFile else { return nil }
        return listing.path(of: rows[selection])
    }

    /// After the selection moved: the selected data file's preview is asked for (and an old
    /// one dropped).
    mutating func previewSelection() -> [Effect] {
        guard let path = selectedDataFile else {
            filePreview = nil
            return []
        }
        if filePreview?.path == path { return [] }
        filePreview = nil
        return [.call(.previewData(path: path, reading: DataReading()))]
    }

    /// The bottom row's hints for the step.
    public var hints: [KeyHint] {
        switch step {
        case .browse:
            return [KeyHint(key: "↑↓", label: "move"), KeyHint(key: "Enter", label: "open"),
                    KeyHint(key: "⌫", label: "parent folder"), KeyHint(key: "Esc", label: "cancel")]
        case let .inspect(_, _, preview):
            var h: [KeyHint] = []
            if let p = preview, !p.columns.isEmpty {
                h += [KeyHint(key: "t", label: "text column"), KeyHint(key: "l", label: "label column")]
                if p.format == "csv" || p.format == "tsv" { h.append(KeyHint(key: "h", label: "header")) }
            }
            let goOn = (preview?.summary?.warnings.isEmpty ?? true) ? "name the session" : "go on anyway"
            if preview?.summary != nil { h.append(KeyHint(key: "Enter", label: goOn)) }
            return h + [KeyHint(key: "Esc", label: "back")]
        case .name:
            return [KeyHint(key: "Enter", label: "create"), KeyHint(key: "Esc", label: "back")]
        }
    }
}

extension DataReading {
    /// The reading with the text (or label) column moved to the next of `columns`, skipping
    /// the other role's column.
    func cycling(text: Bool, columns: [String]) -> DataReading {
        guard columns.count >= 2 else { return self }
        var r = self
        let current = text ? textColumn : labelColumn
        let other = text ? labelColumn : textColumn
        let at = current.flatMap { c in columns.firstIndex(of: c) } ?? -1
        var next = (at + 1) % columns.count
        if columns[next] == other { next = (next + 1) % columns.count }
        if text { r.textColumn = columns[next] } else { r.labelColumn = columns[next] }
        return r
    }
}

extension WorkbenchState {
    /// Opens the data flow: the file picker on the working folder, or `path` read at once.
    mutating func openData(_ path: String?) -> [Effect] {
        var flow = OpenDataFlow()
        if let path {
            flow.step = .inspect(path: path, reading: DataReading(), preview: nil)
            overlay = .openData(flow)
            return [.call(.previewData(path: path, reading: DataReading()))]
        }
        overlay = .openData(flow)
        return [.call(.listDirectory(nil))]
    }

    mutating func handleOpenData(_ flow: OpenDataFlow, _ key: Key) -> [Effect] {
        var flow = flow
        let action = keyMap.action(for: key, context: .help)
        defer { if case .openData? = overlay { overlay = .openData(flow) } }
        switch flow.step {
        case .browse:
            switch (key, action) {
            case (_, .up?): flow.move(-1); return flow.previewSelection()
            case (_, .down?): flow.move(1); return flow.previewSelection()
            case (_, .pageUp?): flow.move(-10); return flow.previewSelection()
            case (_, .pageDown?): flow.move(10); return flow.previewSelection()
            case (_, .top?): flow.move(-flow.rows.count); return flow.previewSelection()
            case (_, .bottom?): flow.move(flow.rows.count); return flow.previewSelection()
            case (.backspace, _), (.left, _):
                if let parent = flow.listing?.parent { return [.call(.listDirectory(parent))] }
            case (.enter, _), (.right, _):
                guard let listing = flow.listing, flow.rows.indices.contains(flow.selection) else { return [] }
                let entry = flow.rows[flow.selection]
                if entry.name == ".." { return [.call(.listDirectory(listing.parent))] }
                let path = listing.path(of: entry)
                if entry.isDirectory { return [.call(.listDirectory(path))] }
                flow.problem = nil
                // The picker's preview already read it: shown at once.
                if let p = flow.filePreview, p.path == path, p.summary != nil {
                    flow.step = .inspect(path: path, reading: DataReading(), preview: p)
                    return []
                }
                flow.step = .inspect(path: path, reading: DataReading(), preview: nil)
                return [.call(.previewData(path: path, reading: DataReading()))]
            case (.escape, _), (_, .escape?), (_, .quit?):
                overlay = nil
            default: break
            }
        case let .inspect(path, _, preview):
            switch key {
            case .escape, .backspace:
                flow.problem = nil
                flow.step = .browse
                if flow.listing == nil { return [.call(.listDirectory(nil))] }
            case .character("t"), .character("l"):
                guard let p = preview, p.columns.count >= 2 else { return [] }
                let next = p.reading.cycling(text: key == .character("t"), columns: p.columns)
                flow.step = .inspect(path: path, reading: next, preview: p)
                return [.call(.previewData(path: path, reading: next))]
            case .character("h"):
                guard let p = preview, p.format == "csv" || p.format == "tsv" else { return [] }
                // Other column names with or without a header: the service guesses again.
                let next = DataReading(format: p.format, header: !(p.reading.header ?? true))
                flow.step = .inspect(path: path, reading: next, preview: p)
                return [.call(.previewData(path: path, reading: next))]
            case .enter:
                guard let p = preview, p.summary != nil else { return [] }
                flow.problem = nil
                flow.step = .name(p, editor: LineEditor(text: suggestedSessionName(forDataFile: p.path)))
            default: break
            }
        case let .name(preview, editor):
            var editor = editor
            switch key {
            case .escape:
                flow.problem = nil
                flow.step = .inspect(path: preview.path, reading: preview.reading, preview: preview)
            case .enter:
                let name = editor.text.trimmingSpaces()
                guard !name.isEmpty else {
                    flow.problem = "a session needs a name"
                    return []
                }
                flow.problem = nil
                status.show("creating session \(name) from \(preview.path)…")
                return saveViewNow() + [.call(.newSessionFromData(name: name, path: preview.path, reading: preview.reading))]
            default:
                _ = editor.handle(key)
                flow.step = .name(preview, editor: editor)
            }
        }
        return []
    }

    /// The service's answers for the flow; dropped when the flow has moved on.
    mutating func applyData(_ r: ServiceReply) -> [Effect] {
        guard case var .openData(flow)? = overlay else { return [] }
        switch r {
        case let .directory(result):
            guard case .browse = flow.step else { return [] }
            switch result {
            case let .listed(listing):
                let previous = flow.listing?.path
                flow.listing = listing
                flow.problem = nil
                // Back in the parent: the folder just left stays selected.
                let back = previous.flatMap { p in flow.rows.firstIndex { listing.path(of: $0) == p } }
                flow.selection = back ?? (listing.parent == nil || listing.entries.isEmpty ? 0 : 1)
                flow.filePreview = nil
                overlay = .openData(flow)
                let effects = flow.previewSelection()
                overlay = .openData(flow)
                return effects
            case let .refused(reason):
                flow.problem = reason
            }
        case let .dataPreview(path, reading, result):
            if case .browse = flow.step {
                // The picker's preview of its selected file; a failure is shown there too.
                guard path == flow.selectedDataFile, reading == DataReading() else { return [] }
                switch result {
                case let .preview(preview): flow.filePreview = preview
                case let .refused(reason):
                    flow.filePreview = DataPreview(path: path, format: "?", reading: reading, columns: [], rows: [], summary: nil, problem: reason)
                }
                overlay = .openData(flow)
                return []
            }
            guard case let .inspect(p, wanted, _) = flow.step, p == path, wanted == reading else { return [] }
            switch result {
            case let .preview(preview):
                flow.problem = nil
                flow.step = .inspect(path: path, reading: reading, preview: preview)
            case let .refused(reason):
                flow.problem = reason
            }
        default:
            return []
        }
        overlay = .openData(flow)
        return []
    }
}

extension ServiceCaller {
    /// The data-file calls, answered by the service's `DataFileService` part (refused when
    /// it has none).
    static func sendData(_ call: ServiceCall, to service: any WorkbenchService) async -> ServiceReply {
        let none = "this workbench cannot open data files"
        let files = service.dataFiles
        switch call {
        case let .listDirectory(path):
            return .directory(await files?.listDirectory(path) ?? .refused(none))
        case let .previewData(path, reading):
            return .dataPreview(path: path, reading: reading, await files?.previewData(path: path, reading: reading) ?? .refused(none))
        case let .newSessionFromData(name, path, reading):
            return .session(await files?.newSession(named: name, data: path, reading: reading) ?? .refused(none))
        default:
            return await send(call, to: service)
        }
    }
}
