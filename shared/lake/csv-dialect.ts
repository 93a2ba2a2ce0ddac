/**
 * How the lake's CSV files spell text, in one place for the writer, the reader and the Glue tables, so that what the
 * writer escapes is exactly what Athena's Open CSV SerDe unescapes.
 *
 * Athena reads these files with Hive's OpenCSVSerde: opencsv 2.3's CSVParser, run on one line at a time (Athena's
 * Trino reader is a bug-for-bug port). Its rules for the three characters below:
 * - a quote opens and closes a quoted field; inside one, a doubled quote is one quote (RFC 4180);
 * - an escape char takes the next char literally if that is a quote or the escape char, and is silently DROPPED
 *   before anything else; the SerDe always has one (no property, or `"`, both mean `\`), so with `\` a Windows path
 *   `C:\temp\` read as `C:temp` and a trailing `\` escaped the closing quote, leaving the rest of the row NULL;
 * - records end at any CR, LF or CRLF before the SerDe sees them: quotes do not protect a newline (Athena's docs: the
 *   Open CSV SerDe does not support embedded line breaks).
 */

/**
 * The Glue table's SerDe properties. The escape char is U+0000 because the writer controls every one in the output:
 * a U+0000 in the text is written doubled inside quotes, which opencsv reads back as one (escape + escape), and no
 * other U+0000 is ever written, so the SerDe never drops a char; quotes are doubled instead of escaped. Glue constrains
 * the characters of SerDe parameter keys, not of their values; Trino's port accepts U+0000 as the escape char.
 */
export const csvSerdeProperties = { separatorChar: ',', quoteChar: '"', escapeChar: '\u0000' } as const;

const { separatorChar: SEP, quoteChar: QUOTE, escapeChar: ESCAPE } = csvSerdeProperties;

/**
 * Marks a line break in text, which no CSV record can hold for Athena: LF is written `␤n`, CR `␤r` and the mark itself
 * `␤m`; text without any of the three is written unchanged. The char after a mark is never a mark, so each pair is
 * undone by a plain replace in any order: see {@link lineBreaksDecodedSql}.
 */
export const LINE_BREAK_MARK = '␤';

const encodedChars = /[\r\n␤]/g;
const encoded: Record<string, string> = { '\n': '␤n', '\r': '␤r', '␤': '␤m' };
const decodedPairs = /␤[nrm]/g;
const decoded: Record<string, string> = { '␤n': '\n', '␤r': '\r', '␤m': '␤' };

/** Replaces line breaks (and the mark) by their `␤` pairs. */
export function encodeLineBreaks(text: string): string {
  return text.replace(encodedChars, (c) => encoded[c]!);
}

/** The exact text {@link encodeLineBreaks} was given. */
export function decodeLineBreaks(text: string): string {
  return text.replace(decodedPairs, (pair) => decoded[pair]!);
}

/** SQL (Athena and DuckDB) that turns a text column of a CSV table, as Athena reads it, back into the original text. */
export function lineBreaksDecodedSql(column: string): string {
  return `replace(replace(replace(${column}, '␤n', chr(10)), '␤r', chr(13)), '␤m', '␤')`;
}

/** The same for a reader that knows quotes but not the escape char (DuckDB's read_csv): it also undoubles U+0000. */
export function csvTextDecodedSql(column: string): string {
  return lineBreaksDecodedSql(`replace(${column}, chr(0) || chr(0), chr(0))`);
}

const needsQuotes = new RegExp(`[${SEP}${QUOTE}${ESCAPE}]`);
const special = new RegExp(`[${SEP}${QUOTE}${ESCAPE}\r\n${LINE_BREAK_MARK}]`);
const doubled = new RegExp(`[${QUOTE}${ESCAPE}]`, 'g');

/**
 * One text as a CSV field: line breaks encoded; quoted, with quotes and escape chars doubled, when it holds a
 * separator, quote or escape char, or is empty (so '' stays apart from NULL, an unquoted empty field, for readers
 * that tell them apart; Athena reads both as '').
 */
export function csvTextField(text: string): string {
  // Most texts hold none of the special chars: one scan, no copy.
  if (text !== '' && !special.test(text)) return text;
  const flat = encodeLineBreaks(text);
  if (flat !== '' && !needsQuotes.test(flat)) return flat;
  return `${QUOTE}${flat.replace(doubled, (c) => c + c)}${QUOTE}`;
}

/** The text of a field {@link csvTextField} wrote, once a CSV parser has removed its quotes and doubled quotes. */
export function textOfCsvField(field: string): string {
  return decodeLineBreaks(field.replaceAll(ESCAPE + ESCAPE, ESCAPE));
}
