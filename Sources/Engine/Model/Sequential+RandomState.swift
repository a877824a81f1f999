extension Sequential {
    /// The state of every layer that draws random numbers while training (the dropouts), by
    /// layer name: part of a trainer snapshot.
    public var generatorStates: [String: SeededGenerator] {
        var out: [String: SeededGenerator] = [:]
        for case let d as any RandomLayer in layers { out[d.name] = d.generator }
        return out
    }

    /// Restores `generatorStates`. Every random layer must be present, and no other names;
    /// nothing changes when it throws.
    public func restoreGeneratorStates(_ states: [String: SeededGenerator]) throws {
        let dropouts = layers.compactMap { $0 as? any RandomLayer }
        let expected = Set(dropouts.map(\.name))
        guard Set(states.keys) == expected else {
            let missing = expected.subtracting(states.keys).sorted(), extra = Set(states.keys).subtracting(expected).sorted()
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
            if !extra.isEmpty { parts.append("unknown \(extra.joined(separator: ", "))") }
            throw EngineError.invalidSpec(field: "layer generators", reason: parts.joined(separator: "; ")
                                          + " (the model's random layers: \(expected.isEmpty ? "none" : expected.sorted().joined(separator: ", ")))")
        }
        for case let (name, g) in states where g.state.count != 4 {
            throw EngineError.invalidSpec(field: "layer generators.\(name)", reason: "a generator state has 4 words, got \(g.state.count)")
        }
        for d in dropouts { if let g = states[d.name] { d.generator = g } }
    }
}
