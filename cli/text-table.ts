// Plain-text tables for the terminal: columns padded to their widest cell, the last one free.
// Cells may come from a server (a certificate's subject): control characters are escaped.
import { printable } from "../chain/printable";

export function table(header: string[], cells: string[][]): string[] {
  const rows = cells.map((row) => row.map(printable));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (row: string[]) => `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ")}`;
  return [line(header), ...rows.map(line)];
}
