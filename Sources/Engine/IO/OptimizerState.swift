import Foundation

/// An optimiser's state in a safetensors file: one tensor per slot and weight, named
/// `<slot>/<layer>/<weight>` (e.g. `m/lstm/kernel`), and metadata `optimizer` (the kind) and
/// `iterations`. An optimiser that has not stepped yet has no tensors.
extension Optimizer {
    /// The state as the bytes of a safetensors file; `metadata` is stored alongside.
    public func stateData(for model: Sequential, metadata: [String: String] = [:]) throws -> Data {
        let names = model.namedParameters.map(\.name)
        var tensors: [(name: String, tensor: Tensor)] = []
        let slots = self.slots
        for slot in slotNames {
            guard let values = slots[slot], values.count == names.count else { continue }   // not stepped yet
            for (name, t) in zip(names, values) { tensors.append(("\(slot)/\(name)", t)) }
        }
        var meta = metadata
        meta["optimizer"] = spec.kind.rawValue
        meta["iterations"] = String(iterations)
        return try SafeTensors.encode(tensors, metadata: meta)
    }

    /// Restores state written by `stateData(for:)`; `path` names the file in errors. A file of
    /// another optimiser kind, or one that has not stepped, leaves a fresh optimiser (returns
    /// false); otherwise every slot must be there, shaped like the model's weights.
    @discardableResult
    public func restoreState(from data: Data, path: String, model: Sequential) throws -> Bool {
        let (tensors, metadata) = try SafeTensors.decode(data, path: path)
        guard let kind = metadata["optimizer"], let iterationsText = metadata["iterations"],
              let iterations = Int(iterationsText), iterations >= 0 else {
            throw EngineError.file(path: path, reason: "not an optimiser state file (metadata 'optimizer' and 'iterations' missing or invalid)")
        }
        guard kind == spec.kind.rawValue, iterations > 0 else { return false }
        let named = model.namedParameters
        var slots: [String: [Tensor]] = [:]
        for slot in slotNames {
            var values: [Tensor] = []
            for (name, p) in named {
                guard let t = tensors["\(slot)/\(name)"] else {
                    throw EngineError.file(path: path, reason: "optimiser slot '\(slot)/\(name)' is missing")
                }
                guard t.shape == p.value.shape else {
                    throw EngineError.file(path: path, reason: "optimiser slot '\(slot)/\(name)' has shape \(t.shape), the weight has \(p.value.shape)")
                }
                values.append(t)
            }
            slots[slot] = values
        }
        do {
            try restore(iterations: iterations, slots: slots, params: model.parameters)
        } catch let e as EngineError {
            throw EngineError.file(path: path, reason: e.description)
        }
        return true
    }
}
