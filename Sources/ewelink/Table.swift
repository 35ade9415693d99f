import EWeLink

/// Prints rows as aligned columns (the last column is not padded), measured and padded in
/// characters. Cells are escaped before they
/// are measured, so a newline or escape sequence in a name cannot break the columns.
func printTable(_ header: [String], _ cells: [[String]]) {
    let rows = cells.map { $0.map(TerminalText.escaped) }
    let widths = header.indices.map { i in ([header[i]] + rows.map { $0[i] }).map(\.count).max() ?? 0 }
    for row in [header] + rows {
        printLine(row.indices.map { i in
            i == row.count - 1 ? row[i] : row[i] + String(repeating: " ", count: widths[i] - row[i].count)
        }.joined(separator: "  "))
    }
}
