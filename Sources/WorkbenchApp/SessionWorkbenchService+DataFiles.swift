import Foundation
import Sessions
import TextData
import WorkbenchUI

/// Opening a data file from the workbench: folder listings, a preview read as the reader
/// parses the file (columns guessed when not chosen), its summary with `DataWarnings`, and a
/// new session on it. File reads run off the actor so the console is not held up.
extension SessionWorkbenchService: DataFileService {
    /// Entries listed at most (a folder of a million files is cut, not read whole).
    static let maxListed = 2000
    /// Examples previewed.
    static let previewRows = 8

    public nonisolated func listDirectory(_ path: String?) async -> DirectoryResult {
        await Task.detached { Self.listing(path) }.value
    }

    public nonisolated func previewData(path: String, reading: DataReading) async -> DataPreviewResult {
        await Task.detached { Self.preview(path: path, reading: reading) }.value
    }

    public func newSession(named name: String, data path: String, reading: DataReading) async -> SessionResult {
        do { try SessionName.validate(name) } catch { return .refused("\(error)") }
        let absolute = Self.absolute(path)
        if manager.store.exists(name) {
            let built = (try? manager.store.record(name).dataset.path).map { " (built on \($0))" } ?? ""
            return .refused("a session named '\(name)' exists\(built): choose another name for \(absolute)")
        }
        let resolved: (DatasetFormat, ReadOptions)
        do { resolved = try Self.readOptions(path: absolute, reading) } catch { return .refused("\(error)") }
        var setup = SessionSetup(data: absolute, format: resolved.0, readOptions: resolved.1, validation: .split(0.1), model: .preset(.lstm))
        setup.fit.epochs = 3
        do { return await switchTo(try await manager.create(name, setup: setup)) } catch { return .refused("new session \(name): \(error)") }
    }

    // MARK: - Off the actor

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL.path
    }

    static func listing(_ path: String?) -> DirectoryResult {
        let dir = absolute(path ?? FileManager.default.currentDirectoryPath)
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else { return .refused("\(dir): not a folder") }
        let names: [String]
        do { names = try fm.contentsOfDirectory(atPath: dir) } catch { return .refused("\(dir): cannot list (\(error.localizedDescription))") }
        var entries: [FileEntry] = []
        for name in names where !name.hasPrefix(".") {
            let full = (dir as NSString).appendingPathComponent(name)
            guard fm.isReadableFile(atPath: full), let attributes = try? fm.attributesOfItem(atPath: full) else { continue }
            let type = attributes[.type] as? FileAttributeType
            if type == .typeDirectory {
                entries.append(FileEntry(name: name, isDirectory: true))
            } else if type == .typeRegular {
                let ext = (name as NSString).pathExtension.lowercased()
                entries.append(FileEntry(name: name, isDirectory: false, size: (attributes[.size] as? NSNumber)?.intValue,
                                         isDataFile: ["tsv", "txt", "csv", "jsonl", "ndjson"].contains(ext)))
            }
        }
        entries.sort { ($0.isDirectory ? 0 : 1, $0.name) < ($1.isDirectory ? 0 : 1, $1.name) }
        let parent = dir == "/" ? nil : (dir as NSString).deletingLastPathComponent
        return .listed(DirectoryListing(path: dir, parent: parent, entries: Array(entries.prefix(maxListed))))
    }

    /// The format and read options of `reading`, guessing what it leaves out.
    static func readOptions(path: String, _ reading: DataReading) throws -> (DatasetFormat, ReadOptions) {
        var format: DatasetFormat
        var header = reading.header
        if let name = reading.format {
            guard let f = DatasetFormat(rawValue: name) else {
                throw TextDataError.invalidConfiguration(what: path, reason: "unknown format '\(name)' (\(DatasetFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            format = f
        } else {
            let guessed = try DataColumns.guessFormat(path: path)
            format = guessed.format
            header = header ?? guessed.hasHeader
        }
        // Columns or a header chosen for a .tsv file make it a table.
        if format == .labelTabText, reading.textColumn != nil || reading.labelColumn != nil || header != nil { format = .tsv }
        switch format {
        case .tsv, .csv:
            var text = reading.textColumn, label = reading.labelColumn
            if text == nil || label == nil {
                let sample = try DataColumns.sample(path: path, format: format, hasHeader: header)
                if let g = DataColumns.guess(sample) {
                    text = text ?? sample.columns[g.text]
                    label = label ?? sample.columns[g.label]
                }
                // Without a header the columns are named by index.
                if !sample.hasHeader {
                    header = false
                }
            }
            let column = { (s: String?) in s.map { (header ?? true) ? ReadOptions.Column.name($0) : ReadOptions.Column(parsing: $0) } }
            return (format, ReadOptions(textColumn: column(text), labelColumn: column(label), hasHeader: header ?? true))
        case .jsonl:
            var text = reading.textColumn, label = reading.labelColumn
            if text == nil || label == nil {
                let sample = try DataColumns.sample(path: path, format: .jsonl, hasHeader: nil)
                if let g = DataColumns.guess(sample) {
                    text = text ?? sample.columns[g.text]
                    label = label ?? sample.columns[g.label]
                }
            }
            return (format, ReadOptions(textKey: text, labelKey: label))
        case .labelTabText, .directory:
            return (format, ReadOptions())
        }
    }

    static func preview(path: String, reading: DataReading) -> DataPreviewResult {
        let absolute = absolute(path)
        let format: DatasetFormat, options: ReadOptions, sample: DataSample
        do {
            (format, options) = try readOptions(path: absolute, reading)
            sample = try DataColumns.sample(path: absolute, format: format, hasHeader: options.hasHeader, limit: previewRows)
        } catch {
            return .refused("\(error)")
        }
        func name(_ c: ReadOptions.Column?) -> String? {
            switch c {
            case let .name(n)?: return n
            case let .index(i)?: return String(i)
            case nil: return nil
            }
        }
        let filled = DataReading(format: format.rawValue,
                                 textColumn: format == .jsonl ? options.textKey : name(options.textColumn),
                                 labelColumn: format == .jsonl ? options.labelKey : name(options.labelColumn),
                                 header: format == .tsv || format == .csv ? options.hasHeader : nil)
        var rows: [PreviewRow] = []
        var summary: DataSummary?
        var problem: String?
        do {
            let examples = try DatasetReader.read(path: absolute, format: format, options: options)
            rows = examples.prefix(previewRows).map { PreviewRow(label: $0.label, text: $0.text) }
            var counts: [String: Int] = [:]
            for e in examples { counts[e.label, default: 0] += 1 }
            let lengths = DatasetStatistics.LengthSummary(examples.map { $0.text.unicodeScalars.count })
            let warnings = DatasetReader.warnings(for: examples, path: absolute, format: format, options: options)
            summary = DataSummary(examples: examples.count,
                                  classes: counts.map { DataSummary.ClassCount(label: $0.key, count: $0.value) }
                                      .sorted { ($0.count, $1.label) > ($1.count, $0.label) },
                                  lengthP50: lengths.p50, lengthP90: lengths.p90, lengthP99: lengths.p99, lengthMax: lengths.max,
                                  warnings: warnings.map(\.description))
        } catch {
            problem = "\(error)"
        }
        return .preview(DataPreview(path: absolute, format: format.rawValue, reading: filled,
                                    columns: format == .labelTabText || format == .directory ? [] : sample.columns,
                                    rows: rows, summary: summary, problem: problem))
    }
}
