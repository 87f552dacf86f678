// Types of icd10-order-file.mjs, for the TypeScript tests that import it.
export interface OrderFileRow {
  code: string;
  description: string;
  searchText: string;
  billable: 0 | 1;
}
export function foldCodeText(s: string): string;
export function dottedCode(raw: string): string;
export function parseOrderLine(line: string, lineNo?: number): OrderFileRow | null;
export function parseOrderFile(text: string): OrderFileRow[];
