import Engine
import Foundation

/// One line of `history.jsonl`: a training step (after every batch) or an epoch end.
///
/// Step: `{"type":"step","run":1,"epoch":1,"batch":3,"step":3,"loss":…,"accuracy":…,
/// "batch_loss":…,"samples_per_second":…,"time":…}` where loss and accuracy are the epoch's
/// running means (Keras's progress bar) and `time` is wall-clock seconds since 1970.
/// Epoch: the same with `"type":"epoch"`, no batch loss, and `val_loss`, `val_accuracy`
/// (absent without validation data) and `seconds` (the epoch's duration).
public struct HistoryRecord: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case step, epoch }

    public var kind: Kind
    public var run: Int
    public var epoch: Int
    public var batch: Int?
    public var step: Int
    public var loss: Float
    public var accuracy: Float
    public var batchLoss: Float?
    public var validationLoss: Float?
    public var validationAccuracy: Float?
    public var samplesPerSecond: Double
    public var seconds: Double?
    public var time: Double

    enum CodingKeys: String, CodingKey {
        case kind = "type", run, epoch, batch, step, loss, accuracy, batchLoss = "batch_loss"
        case validationLoss = "val_loss", validationAccuracy = "val_accuracy"
        case samplesPerSecond = "samples_per_second", seconds, time
    }

    public init(run: Int, progress p: BatchProgress, time: Double) {
        kind = .step; self.run = run; epoch = p.epoch; batch = p.batch; step = p.step
        loss = p.loss; accuracy = p.accuracy; batchLoss = p.batchLoss
        samplesPerSecond = p.samplesPerSecond; self.time = time
    }

    public init(run: Int, step: Int, summary e: EpochSummary, time: Double) {
        kind = .epoch; self.run = run; epoch = e.epoch; self.step = step
        loss = e.loss; accuracy = e.accuracy
        validationLoss = e.validationLoss; validationAccuracy = e.validationAccuracy
        samplesPerSecond = e.samplesPerSecond; seconds = e.seconds; self.time = time
    }

    /// The record without what depends on the clock (time, throughput, durations): two runs
    /// of the same training compare equal on this.
    public var withoutTiming: HistoryRecord {
        var r = self
        r.time = 0; r.samplesPerSecond = 0; r.seconds = r.seconds == nil ? nil : 0
        return r
    }
}

/// Reading and writing `history.jsonl`.
enum HistoryLog {
    /// The words of the notice about damaged lines (for finding it among the others).
    static let damagedLinesNotice = "damaged line"

    /// What a history file holds.
    struct Parsed {
        var records: [HistoryRecord]
        var notices: [String]
        /// Line numbers of damaged lines that were skipped (not counting a torn last line).
        var damagedLines: [Int]
    }

    /// Parses the file's bytes. A last line without its newline that does not parse is a
    /// write torn by a kill: it is dropped with a notice. Any other line that does not parse is
    /// damage: it is skipped, and one notice names the file and the lines, so one bad line
    /// costs that line and never the session.
    static func parse(_ data: Data, path: String) -> Parsed {
        var records: [HistoryRecord] = []
        var notices: [String] = []
        var damaged: [Int] = []
        var firstProblem = ""
        let decoder = SessionJSON.decoder
        let bytes = [UInt8](data)
        var start = 0, line = 0
        while start < bytes.count {
            line += 1
            let end = bytes[start...].firstIndex(of: 0x0A)
            let slice = bytes[start..<(end ?? bytes.count)]
            defer { start = (end ?? bytes.count) + 1 }
            if slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do {
                records.append(try decoder.decode(HistoryRecord.self, from: Data(slice)))
            } catch {
                if end == nil {
                    notices.append("\(path): dropped a torn last line (\(slice.count) bytes, line \(line)): the process was probably killed while writing it")
                    continue
                }
                if damaged.isEmpty { firstProblem = ModelDirectory.describe(error) }
                damaged.append(line)
            }
        }
        if !damaged.isEmpty {
            let shown = damaged.prefix(8).map { "line \($0)" }.joined(separator: ", ") + (damaged.count > 8 ? " and \(damaged.count - 8) more" : "")
            notices.append("\(path): skipped \(damaged.count) \(damagedLinesNotice)\(damaged.count == 1 ? "" : "s") (\(shown); \(firstProblem)); the other records are used")
        }
        return Parsed(records: records, notices: notices, damagedLines: damaged)
    }

    static func encode(_ records: [HistoryRecord]) throws -> Data {
        let e = SessionJSON.lineEncoder
        var out = Data()
        for r in records {
            out.append(try e.encode(r))
            out.append(0x0A)
        }
        return out
    }
}
