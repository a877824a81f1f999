import TerminalUI

extension WorkbenchState {
    /// Starts over from a session snapshot.
    mutating func load(_ s: WorkbenchSnapshot) -> [Effect] {
        let message = isLoaded ? "opened session \(s.sessionName)" : ""
        status = StatusSnapshot(sessionName: s.sessionName, state: s.state, lastMessage: message)
        // A search belongs to the session it was typed in: its header does not carry over.
        dataset.clearSearch()
        dataset.setDataset(s.dataset)
        dataset.setMisclassified(s.misclassified)
        model.forgetEdits()
        model.setModel(s.model)
        chart.setCharts(s.charts)
        console.classNames = s.dataset?.labels ?? []
        if let v = s.view { apply(view: v) }
        savedView = viewState
        viewChange = nil
        presets = s.presets
        layerTypes = s.layerTypes
        themeNames = s.themeNames
        var effects: [Effect] = []
        if let t = s.themeName {
            themeName = t
            // The session remembers its theme: ask for it when it is not the one on screen.
            if t != themeOnScreen { effects.append(.call(.setTheme(t))) }
        }
        isLoaded = true
        return effects + (console.text.isEmpty ? [] : predict(console.text))
    }
}
