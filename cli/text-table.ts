// Plain-text tables for the terminal: columns padded to their widest cell, the last one free.
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `  ${cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ")}`;
  return [line(header), ...rows.map(line)];
}
