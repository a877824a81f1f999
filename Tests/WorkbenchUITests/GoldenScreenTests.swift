import Testing
import TerminalUI
import Charts
@testable import WorkbenchUI
@testable import WorkbenchUITestSupport

/// Whole-screen golden tests: each pane, the status line and the overlays drawn at a fixed
/// size from data built here (no clock, no service), compared row by row with the screen
/// written below, and where colour carries meaning with the style letters of `styleLetter`.
@Suite struct GoldenScreenTests {
    // MARK: Fixed data

    static let dataset = DatasetSnapshot(
        fileName: "reviews.tsv",
        labelCounts: [LabelCount(label: "pos", count: 120), LabelCount(label: "neg", count: 80), LabelCount(label: "mixed", count: 20)],
        lengthHistogram: [HistogramBin(lowerBound: 1, upperBound: 10, count: 40), HistogramBin(lowerBound: 11, upperBound: 20, count: 100),
                          HistogramBin(lowerBound: 21, upperBound: 30, count: 60), HistogramBin(lowerBound: 31, upperBound: 40, count: 20)],
        vocabularySize: 1_234, exampleCount: 220,
        examples: [
            DatasetExample(label: "pos", text: "great food and friendly staff"),
            DatasetExample(label: "neg", text: "cold soup, slow service, never again"),
            DatasetExample(label: "pos", text: "lovely view"),
            DatasetExample(label: "mixed", text: "good pizza but the wait was far too long for a weekday lunch"),
            DatasetExample(label: "neg", text: "rude waiter"),
            DatasetExample(label: "pos", text: "best coffee in town"),
        ])

    static let model = ModelSnapshot(
        layers: [
            LayerSnapshot(name: "embedding", typeLabel: "Embedding(64)", kind: .embedding, outputShape: "(None, 100, 64)",
                          parameterCount: 64_000, settings: [LayerSetting(kind: .units, label: "dim", value: "64")]),
            LayerSnapshot(name: "lstm", typeLabel: "LSTM(32)", kind: .lstm, outputShape: "(None, 32)",
                          parameterCount: 12_416, settings: [LayerSetting(kind: .units, value: "32")]),
            LayerSnapshot(name: "dense", typeLabel: "Dense(1, sigmoid)", kind: .dense, outputShape: "(None, 1)",
                          parameterCount: 33, settings: [LayerSetting(kind: .units, value: "1")]),
        ],
        inputShape: "(None, 100)", optimizer: "Adam", optimizerSettings: [NamedValue("lr", "0.001")],
        loss: "binary_crossentropy", preset: "lstm",
        training: [NamedValue("class weights", "pos=2, neg=1"), NamedValue("callbacks", "EarlyStopping(val_loss, patience 3)")])

    static func point(_ step: Int, _ value: Double, epoch: Int = 1) -> MetricPoint {
        MetricPoint(step: step, epoch: epoch, relativeTime: Double(step) * 0.5, wallTime: 1_700_000_000 + Double(step) * 0.5, value: value)
    }

    /// One run: 20 batches over 2 epochs, loss falling from 0.7 and accuracy rising from 0.5.
    static let charts: ChartSnapshot = {
        let steps = 1...20
        return ChartSnapshot(runs: [RunHistory(
            id: "1", name: "run 1",
            batchLoss: steps.map { point($0, 0.7 - 0.02 * Double($0), epoch: ($0 - 1) / 10 + 1) },
            batchAccuracy: steps.map { point($0, 0.5 + 0.02 * Double($0), epoch: ($0 - 1) / 10 + 1) },
            epochLoss: [point(10, 0.55, epoch: 1), point(20, 0.35, epoch: 2)],
            epochAccuracy: [point(10, 0.65, epoch: 1), point(20, 0.85, epoch: 2)],
            validationLoss: [point(10, 0.6, epoch: 1), point(20, 0.45, epoch: 2)],
            validationAccuracy: [point(10, 0.6, epoch: 1), point(20, 0.75, epoch: 2)])])
    }()

    static let prediction = ConsoleSnapshot(
        text: "great food slow service", classNames: ["pos", "neg", "mixed"], probabilities: [0.62, 0.28, 0.10],
        tokens: [TokenAttribution("great", score: 0.9), TokenAttribution("food", score: 0.3),
                 TokenAttribution("slow", score: -0.7), TokenAttribution("service", score: 0.05)])

    static func snapshot() -> WorkbenchSnapshot {
        WorkbenchSnapshot(sessionName: "reviews", state: .idle, dataset: dataset, model: model, charts: charts,
                          presets: [PresetInfo(name: "lstm", summary: "Embedding 64 → LSTM 64"),
                                    PresetInfo(name: "cnn", summary: "Embedding 64 → Conv1D → pooling"),
                                    PresetInfo(name: "svm", summary: "linear SVM on TF-IDF")],
                          themeNames: ["dark", "light"], themeName: "dark", layerTypes: FakeModel.palette)
    }

    /// A whole workbench at `size` with the fixed session loaded.
    static func state(_ size: Size = Size(width: 72, height: 22)) -> WorkbenchState {
        var s = WorkbenchState(size: size)
        _ = s.update(.reply(.snapshot(snapshot())))
        return s
    }

    // MARK: Panes

    @Test func datasetPane() {
        var pane = DatasetPane(dataset: Self.dataset)
        _ = pane.handle(.down, key: .character("j"))
        pane.fit(rect: Rect(x: 0, y: 0, width: 50, height: 13))
        let (grid, cursor) = render(&pane, width: 50, height: 13)
        #expect(cursor == nil)
        expectScreen(grid, """
            reviews.tsv  220 examples · vocab 1,234
            pos   ████████████████████████████████ 120  55%
            neg   █████████████████████▍··········  80  36%
            mixed █████▍··························  20   9%
            tokens ▄█▅▂ 1–40
            ─ examples · 6 shown ─────────────────────────────
            pos   great food and friendly staff
            neg   cold soup, slow service, never again
            pos   lovely view
            mixed good pizza but the wait was far too long fo…
            neg   rude waiter
            pos   best coffee in town

            """)
        expectStyles(grid, """
            aaaaaaaaaaadddddddddddddddddddddddddddd...........
            ......11111111111111111111111111111111.dddddddd...
            ......2222222222222222222222::::::::::.dddddddd...
            ......333333::::::::::::::::::::::::::.dddddddd...
            ddddddd####ddddd..................................
            dddddddddddddddddddddbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
            aaaaa.............................................
            ssssssssssssssssssssssssssssssssssssssssssssssssss
            aaaaa.............................................
            aaaaa.............................................
            aaaaa.............................................
            aaaaa.............................................
            ..................................................
            """)
    }

    @Test func modelPane() {
        var pane = ModelPane(model: Self.model)
        _ = pane.handle(.down, key: .character("j"))
        let (grid, _) = render(&pane, width: 44, height: 18)
        expectScreen(grid, """
            Input (None, 100)
            ┌─ embedding ──────────────────────────────┐
            │ Embedding(64)                     64,000 │
            └──────────────────────────────────────────┘
                                  ↓
            ┏━ lstm ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
            ┃ LSTM(32)                          12,416 ┃
            ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
                                  ↓
            ┌─ dense ──────────────────────────────────┐
            │ Dense(1, sigmoid)                     33 │
            └──────────────────────────────────────────┘

            Total params 76,449
            Optimizer Adam  lr 0.001
            Loss binary_crossentropy
            Class weights pos=2, neg=1
            Callbacks EarlyStopping(val_loss, patience …
            """)
        expectStyles(grid, """
            ddddddddddddddddd...........................
            bbtttttttttttbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
            b..........................................b
            bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
            ......................d.....................
            BBTTTTTTBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB
            BssssssssssssssssssssssssssssssssssssssssssB
            BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB
            ......................d.....................
            bbtttttttbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
            b..........................................b
            bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
            ............................................
            ddddddddddddd...............................
            dddddddddd..................................
            ddddd.......................................
            dddddddddddddd..............................
            dddddddddd..................................
            """)
    }

    @Test func modelPaneEditingASetting() {
        var pane = ModelPane(model: Self.model)
        _ = pane.handle(.down, key: .character("j"))
        _ = pane.handle(.editLayer, key: .character("e"))
        let (grid, cursor) = render(&pane, width: 44, height: 9)
        #expect(cursor == Point(x: 9, y: 8))
        expectScreen(grid, """
            Input (None, 100)
              Embedding(64)      (None, 100, 64)  64,000
              ↓
            ▸ LSTM(32)           (None, 32)       12,416
              ↓
              Dense(1, sigmoid)  (None, 1)            33

            76,449 params · Adam · binary_crossentropy
            units: 32
            """)
    }

    @Test func chartPane() {
        var pane = ChartPane(charts: Self.charts)
        pane.mode = .ascii
        let (grid, _) = render(&pane, width: 64, height: 18)
        expectScreen(grid, """
            smooth 0.60 · x step · batch · ascii · follow
                                    loss                         │runs
                |***********                                     │■ run 1
            0.6 +         ..********** *************             │
            0.5 +                   ..************* *************│
            0.4 +                             .....**********    │
            0.3 +                                       .....****│
                +----------+-----------+------------+-----------+│
                           5          10           15          20│
            - train 0.3 ~0.33   - val 0.45 ~0.5063               │
                                  accuracy                       │
                |                                    .....*******│
            0.8 +                        ..***************.......│
                |           ...************   ......*************│
            0.6 +**************        *************             │
                +----------+-----------+------------+-----------+│
                           5          10           15          20│
            - train 0.9 ~0.87   - val 0.75 ~0.6938               │
            """)
        expectStyles(grid, """
            ddddddddddddddddddddddddddddddddddddddddddddd...................
            ........................tttt.........................btttt......
            ....xrrrrrrrrrrr.....................................bssssssssss
            ddd.x.........rrrrrrrrrrrr.vvvvvvvvvvvvv.............b..........
            ddd.x...................rrrrrrrrrrrrrrr.vvvvvvvvvvvvvb..........
            ddd.x.............................rrrrrrrrrrrrrrr....b..........
            ddd.x.......................................rrrrrrrrrb..........
            ....xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxb..........
            ...............d..........dd...........dd..........ddb..........
            rrrrrrrrrrrrrrrrr...vvvvvvvvvvvvvvvvvv...............b..........
            ......................tttttttt.......................b..........
            ....x....................................rrrrrrrrrrrrb..........
            ddd.x........................rrrrrrrrrrrrrrrrrvvvvvvvb..........
            ....x...........rrrrrrrrrrrrrrr...vvvvvvvvvvvvvvvvvvvb..........
            ddd.xrrrrrrrrrrrrrr........vvvvvvvvvvvvv.............b..........
            ....xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxb..........
            ...............d..........dd...........dd..........ddb..........
            rrrrrrrrrrrrrrrrr...vvvvvvvvvvvvvvvvvv...............b..........
            """)
    }

    @Test func consolePane() {
        var pane = ConsolePane()
        for k in typed(Self.prediction.text) { _ = pane.handle(nil, key: k) }
        pane.show(Self.prediction)
        let (grid, cursor) = render(&pane, width: 48, height: 8)
        #expect(cursor == Point(x: 25, y: 0))
        expectScreen(grid, """
            › great food slow service

            pos   ██████████████████████▍············· 0.62
            neg   ██████████▏························· 0.28
            mixed ███▋································ 0.10

            great food slow service
            towards pos away weak unknown
            """)
        expectStyles(grid, """
            aaiiiiiiiiiiiiiiiiiiiiiii.......................
            ................................................
            aaaaa.#######################:::::::::::::......
            ......ddddddddddd:::::::::::::::::::::::::......
            ......dddd::::::::::::::::::::::::::::::::......
            ................................................
            PPPPP.PPPP.NNNN.ddddddd.........................
            PPPPPPPPPPP.NNNN.dddd.ddddddd...................
            """)
    }

    @Test func statusLineWhileTraining() {
        var s = Self.state(Size(width: 100, height: 22))
        _ = s.update(.service(.stateChanged(.training)))
        _ = s.update(.service(.batch(BatchProgress(run: "1", epoch: 2, epochs: 3, batch: 5, batchesPerEpoch: 10, step: 15,
                                                    loss: 0.4, accuracy: 0.8, samplesPerSecond: 1_150, eta: 95,
                                                    relativeTime: 7.5, wallTime: 1_700_000_007.5))))
        _ = s.update(.reply(.command(.save, .refused("disk full"))))
        let grid = rows(s.render().grid, 20..<22)
        expectScreen(grid, """
             reviews │ training │ epoch 2/3 · batch 5/10 │ 1,150/s │ ETA 1m35s │ disk full
             f label  m wrong  z zoom  ? help  q quit  t train  p pause  n step  x stop  R runs
            """)
        expectStyles(grid, """
            ========---kkkkkkkk--------------------------------------------------wwwwwwwww======================
            =k------==k------==k-----==k-----==k-----==k------==k------==k-----==k-----==k-----=================
            """)
    }

    // MARK: The whole screen and overlays

    @Test func wholeScreen() {
        let (grid, _) = Self.state().render()
        expectScreen(grid, """
            ┏━ 1 Dataset · reviews.tsv ━┓┌─ 3 Chart · 1 run ───────────────────────┐
            ┃reviews.tsv  220 examples …┃│smooth 0.60 · x step · batch · braille ·…│
            ┃pos   █████████ 120  55%   ┃│                  loss                   │
            ┃… 2 more labels            ┃│0.6 ┤⠉⠒⠲⠶⢦⣤⣤⣤⣄⣀       ⣀⣀⡀                │
            ┃tokens ▄█▅▂ 1–40           ┃│    │        ⠈⠉⠛⠛⠶⠶⠶⠶⣤⣤⣀⡉⠉⠉⠛⠛⠒⠶⠶⠶⣒⣤⣤⠤⠤⢄⣀⣀│
            ┃─ examples · 6 shown ──────┃│0.4 ┤                  ⠉⠙⠛⠛⠛⠳⠶⢦⣤⣄⣀⣀⣀⠉⠉⠉⠒⠒│
            ┃pos great food and friendl…┃│    │                           ⠈⠉⠉⠉⠛⠛⠶⠶⣤│
            ┃neg cold soup, slow servic…┃│    └───────┬─────────┬────────┬────────┬│
            ┃pos lovely view            ┃│            5        10       15       20│
            ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━┛│━ train 0.3 ~0.33   ━ val 0.45 ~0.5063   │
            ┌─ 2 Model · 76,449 params ─┐│■ run 1                                  │
            │Input (None, 100)          │└─────────────────────────────────────────┘
            │▸ Embedding(64)      64,000│┌─ 4 Console ─────────────────────────────┐
            │  ↓                        ││  press 4 and type to classify           │
            │  LSTM(32)           12,416││                                         │
            │  ↓                        ││                                         │
            │  Dense(1, sigmoid)      33││                                         │
            │                           ││                                         │
            │76,449 params · Adam · bin…││                                         │
            └───────────────────────────┘└─────────────────────────────────────────┘
             reviews │ idle
             f label  m wrong  z zoom  ? help  q quit  t train  p pause  n step
            """)
    }

    @Test func helpOverlay() {
        var s = Self.state()
        press(&s, .character("?"))
        press(&s, .character("j"), .character("j"))
        expectScreen(s.render().grid, """
            ┏━ 1 Dataset · reviews.tsv ━┓┌─ 3 Chart · 1 run ───────────────────────┐
            ┃┏━ Help — Esc closes, ↑↓ scroll ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓│
            ┃┃   Shift-Tab  Focus the previous pane                               ┃│
            ┃┃   1          Focus the dataset pane                                ┃│
            ┃┃   2          Focus the model pane                                  ┃│
            ┃┃   3          Focus the chart pane                                  ┃│
            ┃┃   4          Focus the console                                     ┃│
            ┃┃   z          Zoom the focused pane to full screen and back         ┃│
            ┃┃   ?, F1      Show or hide this help                                ┃│
            ┗┃   :          Open the command line                                 ┃│
            ┌┃   T          Switch to the next colour theme                       ┃│
            │┃   q          Quit                                                  ┃┘
            │┃   Ctrl-C     Quit (asks first)                                     ┃┐
            │┃                                                                    ┃│
            │┃ Training and sessions                                              ┃│
            │┃   t          Start training                                        ┃│
            │┃   p          Pause or resume training                              ┃│
            │┃   n          Train one batch while paused                          ┃│
            │┃   x          Stop training after the current batch (weights ↓ more…┃│
            └┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛┘
             reviews │ idle
             ↑↓ scroll  Esc close
            """)
    }

    @Test func addLayerPicker() {
        var s = Self.state()
        press(&s, .character("2"), .character("a"), .character("j"))
        expectScreen(s.render().grid, """
            ┌─ 1 Dataset · reviews.tsv ─┐┌─ 3 Chart · 1 run ───────────────────────┐
            │reviews.tsv  220 ┏━ Add a layer at position 2 ━━━━━━┓atch · braille ·…│
            │pos   █████████ 1┃   Embedding                      ┃                 │
            │… 2 more labels  ┃ ▸ Dense                          ┃⡀                │
            │tokens ▄█▅▂ 1–40 ┃   SimpleRNN                      ┃⡉⠉⠉⠛⠛⠒⠶⠶⠶⣒⣤⣤⠤⠤⢄⣀⣀│
            │─ examples · 6 sh┃   LSTM                           ┃⠙⠛⠛⠛⠳⠶⢦⣤⣄⣀⣀⣀⠉⠉⠉⠒⠒│
            │pos great food an┃   GRU                            ┃        ⠈⠉⠉⠉⠛⠛⠶⠶⣤│
            │neg cold soup, sl┃   Conv1D                         ┃───────┬────────┬│
            │pos lovely view  ┃   GlobalMaxPooling1D             ┃      15       20│
            └─────────────────┃   GlobalAveragePooling1D         ┃l 0.45 ~0.5063   │
            ┏━ 2 Model · 76,44┃   Dropout                        ┃                 │
            ┃Input (None, 100)┃   LayerNormalization             ┃─────────────────┘
            ┃▸ Embedding(64)  ┃   MultiHeadAttention             ┃─────────────────┐
            ┃  ↓              ┃   PositionEmbedding              ┃assify           │
            ┃  LSTM(32)       ┃   TransformerEncoder             ┃                 │
            ┃  ↓              ┃   Bidirectional                  ┃                 │
            ┃  Dense(1, sigmoi┃   MaxPooling1D                   ┃                 │
            ┃                 ┃   AveragePooling1D               ┃                 │
            ┃76,449 params · A┃ Enter choose · Esc cancel        ┃                 │
            ┗━━━━━━━━━━━━━━━━━┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛─────────────────┘
             reviews │ idle
             ↑↓ move  Enter choose  Esc cancel
            """)
    }

    @Test func presetPicker() {
        var s = Self.state()
        press(&s, .character("2"), .character("P"))
        expectScreen(s.render().grid, """
            ┌─ 1 Dataset · reviews.tsv ─┐┌─ 3 Chart · 1 run ───────────────────────┐
            │reviews.tsv  220 examples …││smooth 0.60 · x step · batch · braille ·…│
            │pos   █████████ 120  55%   ││                  loss                   │
            │… 2 more labels            ││0.6 ┤⠉⠒⠲⠶⢦⣤⣤⣤⣄⣀       ⣀⣀⡀                │
            │tokens ▄█▅▂ 1–40           ││    │        ⠈⠉⠛⠛⠶⠶⠶⠶⣤⣤⣀⡉⠉⠉⠛⠛⠒⠶⠶⠶⣒⣤⣤⠤⠤⢄⣀⣀│
            │─ examples · 6 shown ──────││0.4 ┤                  ⠉⠙⠛⠛⠛⠳⠶⢦⣤⣄⣀⣀⣀⠉⠉⠉⠒⠒│
            │pos great food and friendl…││    │                           ⠈⠉⠉⠉⠛⠛⠶⠶⣤│
            │neg cold soup┏━ Preset (replaces the model) ━━━━━━━━━━━┓────┬────────┬│
            │pos lovely vi┃ ▸ lstm  Embedding 64 → LSTM 64          ┃   15       20│
            └─────────────┃   cnn   Embedding 64 → Conv1D → pooling ┃.45 ~0.5063   │
            ┏━ 2 Model · 7┃   svm   linear SVM on TF-IDF            ┃              │
            ┃Input (None, ┃ Enter choose · Esc cancel               ┃──────────────┘
            ┃▸ Embedding(6┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛──────────────┐
            ┃  ↓                        ┃│  press 4 and type to classify           │
            ┃  LSTM(32)           12,416┃│                                         │
            ┃  ↓                        ┃│                                         │
            ┃  Dense(1, sigmoid)      33┃│                                         │
            ┃                           ┃│                                         │
            ┃76,449 params · Adam · bin…┃│                                         │
            ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━┛└─────────────────────────────────────────┘
             reviews │ idle
             ↑↓ move  Enter choose  Esc cancel
            """)
    }

    @Test func leaderboard() {
        var s = Self.state()
        press(&s, .character("R"))
        _ = s.update(.reply(.leaderboard([
            LeaderboardEntry(id: "3", model: "svm", validationAccuracy: 0.845, trainAccuracy: 0.995, trainingSeconds: 4.4),
            LeaderboardEntry(id: "1", model: "Embedding(64) → LSTM(32) → Dense(1)", validationAccuracy: 0.75,
                             trainAccuracy: 0.85, epochs: 2, trainingSeconds: 62, isCurrent: true, isInConsole: true),
            LeaderboardEntry(id: "2", model: "nb", canOpen: false),
        ])))
        let grid = s.render().grid
        expectScreen(grid, """
            ┏━ 1 Dataset · reviews.tsv ━┓┌─ 3 Chart · 1 run ───────────────────────┐
            ┃reviews.tsv  220 examples …┃│smooth 0.60 · x step · batch · braille ·…│
            ┃pos   █████████ 120  55%   ┃│                  loss                   │
            ┃… 2 more labels            ┃│0.6 ┤⠉⠒⠲⠶⢦⣤⣤⣤⣄⣀       ⣀⣀⡀                │
            ┃tokens ▄█▅▂ 1–40           ┃│    │        ⠈⠉⠛⠛⠶⠶⠶⠶⣤⣤⣀⡉⠉⠉⠛⠛⠒⠶⠶⠶⣒⣤⣤⠤⠤⢄⣀⣀│
            ┃─ examples · 6 shown ──────┃│0.4 ┤                  ⠉⠙⠛⠛⠛⠳⠶⢦⣤⣄⣀⣀⣀⠉⠉⠉⠒⠒│
            ┃pos great food and friendl…┃│    │                           ⠈⠉⠉⠉⠛⠛⠶⠶⣤│
            ┃┏━ Runs, best first (Enter: use in the console) ━━━━━━━━━━━━━━━━━━━━━┓│
            ┃┃   run 3  svm                                  val 0.845 · train 0.…┃│
            ┗┃ ▸ run 1  Embedding(64) → LSTM(32) → Dense(1)  val 0.750 · train 0.…┃│
            ┌┃   run 2  nb                                   val – · train – · 0.…┃│
            │┃ Enter choose · Esc cancel                                          ┃┘
            │┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛┐
            │  ↓                        ││  press 4 and type to classify           │
            │  LSTM(32)           12,416││                                         │
            │  ↓                        ││                                         │
            │  Dense(1, sigmoid)      33││                                         │
            │                           ││                                         │
            │76,449 params · Adam · bin…││                                         │
            └───────────────────────────┘└─────────────────────────────────────────┘
             reviews │ idle
             ↑↓ move  Enter choose  Esc cancel
            """)
        expectStyles(rows(grid, 7..<14), """
            BBBTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTBBBBBBBBBBBBBBBBBBBBBBb
            BBooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooBb
            BBssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssBb
            bBooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooBb
            bBooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooBb
            bBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBb
            b..d........................bbaadddddddddddddddddddddddddddd...........b
            """)
    }

    @Test func openSessionPicker() {
        var s = Self.state()
        press(&s, .character("o"))
        _ = s.update(.reply(.sessions([SessionSummary(name: "news", detail: "CNN · 2 runs"),
                                        SessionSummary(name: "reviews", detail: "LSTM(32) · 1 run")])))
        expectScreen(s.render().grid, """
            ┏━ 1 Dataset · reviews.tsv ━┓┌─ 3 Chart · 1 run ───────────────────────┐
            ┃reviews.tsv  220 examples …┃│smooth 0.60 · x step · batch · braille ·…│
            ┃pos   █████████ 120  55%   ┃│                  loss                   │
            ┃… 2 more labels            ┃│0.6 ┤⠉⠒⠲⠶⢦⣤⣤⣤⣄⣀       ⣀⣀⡀                │
            ┃tokens ▄█▅▂ 1–40           ┃│    │        ⠈⠉⠛⠛⠶⠶⠶⠶⣤⣤⣀⡉⠉⠉⠛⠛⠒⠶⠶⠶⣒⣤⣤⠤⠤⢄⣀⣀│
            ┃─ examples · 6 shown ──────┃│0.4 ┤                  ⠉⠙⠛⠛⠛⠳⠶⢦⣤⣄⣀⣀⣀⠉⠉⠉⠒⠒│
            ┃pos great food and friendl…┃│    │                           ⠈⠉⠉⠉⠛⠛⠶⠶⣤│
            ┃neg cold soup, slow servic…┃│    └───────┬─────────┬────────┬────────┬│
            ┃pos lovely ┏━ Open session ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓15       20│
            ┗━━━━━━━━━━━┃   news     CNN · 2 runs                      ┃ ~0.5063   │
            ┌─ 2 Model ·┃ ▸ reviews  (open) LSTM(32) · 1 run           ┃           │
            │Input (None┃ Enter open · d delete · e export · Esc cancel┃───────────┘
            │▸ Embedding┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛───────────┐
            │  ↓                        ││  press 4 and type to classify           │
            │  LSTM(32)           12,416││                                         │
            │  ↓                        ││                                         │
            │  Dense(1, sigmoid)      33││                                         │
            │                           ││                                         │
            │76,449 params · Adam · bin…││                                         │
            └───────────────────────────┘└─────────────────────────────────────────┘
             reviews │ idle
             ↑↓ move  Enter open  d delete  e export  Esc cancel
            """)
    }
}
