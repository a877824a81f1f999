import Basics
import Foundation

extension Sequential {
    /// A table like Keras's model.summary(): each layer with its type, output shape and
    /// parameter count, then the totals.
    public func summary(title: String = "sequential") -> String {
        let rows: [(String, String, String)] = layers.enumerated().map { i, l in
            ("\(l.name) (\(spec.layers[i].kerasClassName))", outputShapes[i].shapeDescription, Digits.grouped(l.parameterCount))
        }
        let w0 = max(31, rows.map { $0.0.count }.max() ?? 0)
        let w1 = max(22, rows.map { $0.1.count }.max() ?? 0)
        let w2 = max(13, rows.map { $0.2.count }.max() ?? 0)
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        func lpad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        func line(_ l: String, _ m: String, _ r: String, _ f: String) -> String {
            l + String(repeating: f, count: w0 + 2) + m + String(repeating: f, count: w1 + 2) + m + String(repeating: f, count: w2 + 2) + r
        }
        var out = ["Model: \"\(title)\"", line("┏", "┳", "┓", "━"),
                   "┃ \(pad("Layer (type)", w0)) ┃ \(pad("Output Shape", w1)) ┃ \(lpad("Param #", w2)) ┃",
                   line("┡", "╇", "┩", "━")]
        for (i, r) in rows.enumerated() {
            out.append("│ \(pad(r.0, w0)) │ \(pad(r.1, w1)) │ \(lpad(r.2, w2)) │")
            out.append(i == rows.count - 1 ? line("└", "┴", "┘", "─") : line("├", "┼", "┤", "─"))
        }
        let total = parameterCount, trainable = trainableParameterCount, frozen = total - trainable
        out.append(" Total params: \(Digits.grouped(total)) (\(Self.bytes(total * 4)))")
        out.append(" Trainable params: \(Digits.grouped(trainable)) (\(Self.bytes(trainable * 4)))")
        out.append(" Non-trainable params: \(Digits.grouped(frozen)) (\(Self.bytes(frozen * 4)))")
        return out.joined(separator: "\n")
    }

    static func bytes(_ n: Int) -> String {
        let units = ["B", "KB", "MB", "GB"]
        var v = Double(n), u = 0
        while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
        return String(format: "%.2f %@", v, units[u])
    }
}
