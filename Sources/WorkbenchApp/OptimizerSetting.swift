import Engine
import WorkbenchUI

extension SessionWorkbenchService {
    /// `:optimizer`'s text, `kind[:key=value…]` (`sgd:momentum=0.9:nesterov`,
    /// `adamw:weight_decay=0.004`, `rmsprop:rho=0.9:centered`), over the plan's optimiser:
    /// the same kind keeps its settings, a new kind starts from its defaults; both keep the
    /// learning rate (and its schedule) and gradient clipping. Errors name the field.
    static func optimizer(parsing text: String, over base: OptimizerSpec) throws -> OptimizerSpec {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
        let kindName = parts[0].lowercased()
        guard let kind = OptimizerSpec.Kind(rawValue: kindName) else {
            throw EngineError.invalidSpec(field: "--optimizer", reason: "unknown optimizer '\(parts[0])' (\(OptimizerSpec.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        var opt = base
        if base.kind != kind {
            opt = OptimizerSpec(kind: kind, learningRate: base.learningRate)
            opt.schedule = base.schedule
            opt.globalClipNorm = base.globalClipNorm
            opt.kerasSparseEmbeddingMoments = base.kerasSparseEmbeddingMoments
        }
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            let key = pair[0].lowercased().replacingOccurrences(of: "-", with: "_")
            let field = "--optimizer \(key)"
            func number() throws -> Float {
                guard pair.count == 2, let v = Float(pair[1]), v.isFinite else {
                    throw EngineError.invalidSpec(field: field, reason: "needs a number, e.g. \(key)=0.9")
                }
                return v
            }
            func flag() throws -> Bool {
                guard pair.count == 2 else { return true }
                switch pair[1].lowercased() {
                case "true", "on", "yes", "1": return true
                case "false", "off", "no", "0": return false
                default: throw EngineError.invalidSpec(field: field, reason: "is on or off, not '\(pair[1])'")
                }
            }
            func only(_ kinds: [OptimizerSpec.Kind]) throws {
                guard kinds.contains(kind) else {
                    throw EngineError.invalidSpec(field: field, reason: "applies to \(kinds.map(\.rawValue).joined(separator: " and ")), not \(kind.rawValue)")
                }
            }
            switch key {
            case "momentum":
                try only([.sgd, .rmsprop])
                opt.momentum = try number()
            case "nesterov":
                try only([.sgd])
                opt.nesterov = try flag()
            case "weight_decay":
                try only([.adamw])
                opt.weightDecay = try number()
            case "rho":
                try only([.rmsprop])
                opt.rho = try number()
            case "centered":
                try only([.rmsprop])
                opt.centered = try flag()
            case "beta1", "beta_1":
                try only([.adam, .adamw])
                opt.beta1 = try number()
            case "beta2", "beta_2":
                try only([.adam, .adamw])
                opt.beta2 = try number()
            case "epsilon":
                try only([.adam, .adamw, .rmsprop])
                opt.epsilon = try number()
            case "clipnorm", "global_clipnorm":
                let v = try number()
                opt.globalClipNorm = v > 0 ? v : nil
            default:
                throw EngineError.invalidSpec(field: field, reason: "unknown setting (momentum, nesterov, weight_decay, rho, centered, beta1, beta2, epsilon, clipnorm)")
            }
        }
        if opt.nesterov && (kind != .sgd || opt.momentum == 0) {
            throw EngineError.invalidSpec(field: "--optimizer nesterov", reason: "needs sgd with momentum > 0")
        }
        try opt.validate()
        return opt
    }
}
