/// The colours of one role. A nil foreground means the `text` role's; a nil background means
/// the `background` role's.
public struct RoleColors: Hashable, Sendable {
    public var foreground: TerminalColor?
    public var background: TerminalColor?

    public init(_ foreground: TerminalColor? = nil, on background: TerminalColor? = nil) {
        self.foreground = foreground
        self.background = background
    }
}

/// A style as the terminal gets it: two colours and attributes.
public struct ResolvedStyle: Hashable, Sendable {
    public var foreground: TerminalColor
    public var background: TerminalColor
    public var attributes: TextAttributes

    public init(foreground: TerminalColor, background: TerminalColor, attributes: TextAttributes) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }
}

/// Role → colours, for 256-colour terminals (`colors`) and for 8-colour ones (`colors8`),
/// plus attributes always added to a role (`attributes`) and attributes added only when
/// there is no colour (`monoAttributes`, so selection and focus stay visible under
/// `NO_COLOR`). Theme files override parts of `Theme.default` (see `Theme.parse`).
public struct Theme: Hashable, Sendable {
    public var name: String
    public var colors: [ThemeRole: RoleColors]
    public var colors8: [ThemeRole: RoleColors]
    public var attributes: [ThemeRole: TextAttributes]
    public var monoAttributes: [ThemeRole: TextAttributes]

    public init(name: String, colors: [ThemeRole: RoleColors], colors8: [ThemeRole: RoleColors],
                attributes: [ThemeRole: TextAttributes] = [:],
                monoAttributes: [ThemeRole: TextAttributes] = [:]) {
        self.name = name
        self.colors = colors
        self.colors8 = colors8
        self.attributes = attributes
        self.monoAttributes = monoAttributes
    }

    /// The colours and attributes a cell in `style` gets in `mode`.
    public func resolve(_ style: Style, mode: ColorMode) -> ResolvedStyle {
        var attrs = style.attributes.union(attributes[style.role] ?? [])
        let table: [ThemeRole: RoleColors]
        switch mode {
        case .monochrome:
            attrs.formUnion(monoAttributes[style.role] ?? [])
            return ResolvedStyle(foreground: .terminalDefault, background: .terminalDefault, attributes: attrs)
        case .eight: table = colors8
        case .palette256: table = colors
        }
        let own = table[style.role]
        let fg = (style.role == .background ? nil : own?.foreground)
            ?? table[.text]?.foreground ?? .terminalDefault
        let bg = own?.background ?? table[.background]?.background ?? .terminalDefault
        return ResolvedStyle(foreground: fg, background: bg, attributes: attrs)
    }

    /// The built-in dark theme: every role has a 256-colour and an 8-colour entry.
    public static let `default` = Theme(
        name: "dark",
        colors: [
            .background: RoleColors(on: .index(234)),
            .text: RoleColors(.index(252)),
            .dim: RoleColors(.index(244)),
            .border: RoleColors(.index(240)),
            .borderFocused: RoleColors(.index(75)),
            .title: RoleColors(.index(250)),
            .titleFocused: RoleColors(.index(81)),
            .accent: RoleColors(.index(214)),
            .selection: RoleColors(.index(231), on: .index(24)),
            .statusBar: RoleColors(.index(252), on: .index(236)),
            .statusText: RoleColors(.index(250), on: .index(236)),
            .statusKey: RoleColors(.index(81), on: .index(236)),
            .input: RoleColors(.index(231)),
            .overlay: RoleColors(.index(252), on: .index(237)),
            .axis: RoleColors(.index(242)),
            .trainSeries: RoleColors(.index(75)),
            .validationSeries: RoleColors(.index(214)),
            .series1: RoleColors(.index(75)),
            .series2: RoleColors(.index(214)),
            .series3: RoleColors(.index(114)),
            .series4: RoleColors(.index(204)),
            .series5: RoleColors(.index(141)),
            .series6: RoleColors(.index(80)),
            .series7: RoleColors(.index(222)),
            .series8: RoleColors(.index(167)),
            .positive: RoleColors(.index(114)),
            .negative: RoleColors(.index(203)),
            .warning: RoleColors(.index(221)),
            .error: RoleColors(.index(196)),
            .barFill: RoleColors(.index(75)),
            .barEmpty: RoleColors(.index(238)),
            .tokenPositive: RoleColors(.index(16), on: .index(71)),
            .tokenNegative: RoleColors(.index(16), on: .index(167)),
        ],
        colors8: [
            .background: RoleColors(on: .black),
            .text: RoleColors(.white),
            .dim: RoleColors(.white),
            .border: RoleColors(.white),
            .borderFocused: RoleColors(.cyan),
            .title: RoleColors(.white),
            .titleFocused: RoleColors(.cyan),
            .accent: RoleColors(.yellow),
            .selection: RoleColors(.black, on: .cyan),
            .statusBar: RoleColors(.black, on: .white),
            .statusText: RoleColors(.black, on: .white),
            .statusKey: RoleColors(.blue, on: .white),
            .input: RoleColors(.white),
            .overlay: RoleColors(.white, on: .blue),
            .axis: RoleColors(.white),
            .trainSeries: RoleColors(.cyan),
            .validationSeries: RoleColors(.yellow),
            .series1: RoleColors(.cyan),
            .series2: RoleColors(.yellow),
            .series3: RoleColors(.green),
            .series4: RoleColors(.magenta),
            .series5: RoleColors(.blue),
            .series6: RoleColors(.red),
            .series7: RoleColors(.white),
            .series8: RoleColors(.green),
            .positive: RoleColors(.green),
            .negative: RoleColors(.red),
            .warning: RoleColors(.yellow),
            .error: RoleColors(.red),
            .barFill: RoleColors(.cyan),
            .barEmpty: RoleColors(.white),
            .tokenPositive: RoleColors(.black, on: .green),
            .tokenNegative: RoleColors(.black, on: .red),
        ],
        attributes: [
            .titleFocused: .bold,
            .statusKey: .bold,
            .error: .bold,
        ],
        monoAttributes: [
            .dim: .dim,
            .axis: .dim,
            .barEmpty: .dim,
            .borderFocused: .bold,
            .selection: .reverse,
            .statusBar: .reverse,
            .statusText: .reverse,
            .statusKey: .reverse,
            .overlay: .reverse,
            .warning: .bold,
            .tokenPositive: .underline,
            .tokenNegative: .reverse,
        ])
}
