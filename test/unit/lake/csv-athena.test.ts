import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { glueTableInput } from '../../../infra/glue-tables';
import { allTables } from '../../../shared/catalog';
import { decodeLineBreaks } from '../../../shared/lake/csv-dialect';
import { createCsvWriter, formatCsvTimestamp } from '../../../shared/lake/csv-writer';
import type { Column, Row, TableDef } from '../../../shared/lake/table';

/**
 * What Athena reads from the lake's CSV files: a small re-implementation of the path a line takes through Hive's
 * OpenCSVSerde (opencsv 2.3's CSVParser, one fresh parser per line; Athena's Trino reader is a bug-for-bug port),
 * driven by the SerDe properties the Glue table declares, so this test follows any change to them.
 */

/** Hadoop's LineReader ends a record at LF, CR or CRLF, before any SerDe sees it: quotes do not protect a newline. */
const textInputLines = (text: string): string[] => {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
};

/** Java's Character.isWhitespace over a whole string (opencsv uses it to drop blanks before a mid-field quote). */
const javaAllWhitespace = (s: string) =>
  /^[\t\n\u000B\f\r\u001C-\u001F \u1680\u2000-\u2006\u2008-\u200A\u2028\u2029\u205F\u3000]*$/.test(s);

interface OpenCsvChars {
  readonly separator: string;
  readonly quote: string;
  readonly escapeChar: string;
}

/**
 * The SerDe's characters from its properties, as OpenCSVSerde.initialize and newReader take them: the first char of
 * each value, defaults `,` `"` and (CSVWriter's) `"`; an escape of `"` makes it build its CSVReader without one, so
 * opencsv's default escape `\` applies (Trino's CsvDeserializerFactory copies this).
 */
function serdeChars(params: Record<string, string>): OpenCsvChars {
  const declared = params.escapeChar?.charAt(0) ?? '"';
  return {
    separator: params.separatorChar?.charAt(0) ?? ',',
    quote: params.quoteChar?.charAt(0) ?? '"',
    escapeChar: declared === '"' ? '\\' : declared,
  };
}

/**
 * opencsv 2.3 CSVParser.parseLine (strictQuotes off, ignoreLeadingWhiteSpace on): an escape char inside a quoted or
 * started field takes the next char literally if that is a quote or escape char, and is dropped otherwise; a doubled
 * quote inside quotes is one quote; a quote in mid-field that is not next to a separator (and not in the first three
 * chars of the line) is kept as a literal and still toggles the quoted state. A field left open at the end of the
 * line is not returned, so it and every later column read as NULL.
 */
function parseOpenCsvLine(line: string, { separator, quote, escapeChar }: OpenCsvChars): string[] {
  const tokens: string[] = [];
  let sb = '';
  let inQuotes = false;
  let inField = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    const next = line[i + 1];
    if (c === escapeChar) {
      if ((inQuotes || inField) && (next === quote || next === escapeChar)) {
        sb += next;
        i++;
      }
    } else if (c === quote) {
      if ((inQuotes || inField) && next === quote) {
        sb += next;
        i++;
      } else {
        if (i > 2 && line[i - 1] !== separator && next !== undefined && next !== separator) {
          if (sb.length > 0 && javaAllWhitespace(sb)) sb = '';
          else sb += c;
        }
        inQuotes = !inQuotes;
      }
      inField = !inField;
    } else if (c === separator && !inQuotes) {
      tokens.push(sb);
      sb = '';
      inField = false;
    } else {
      sb += c;
      inField = true;
    }
  }
  if (!inQuotes) tokens.push(sb);
  return tokens;
}

/** The rows Athena returns for a CSV file: header lines skipped, a column beyond the parsed fields NULL. */
function athenaRead(text: string, table: TableDef): (string | null)[][] {
  const input = glueTableInput(table, {
    bucketName: 'b',
    format: 'csv',
    dateRangeStart: '2025-01-01',
    enumValues: Object.fromEntries(table.partitionKeys.map((k) => [k.name, ['1']])),
  });
  const params = (input.storageDescriptor as { serdeInfo: { parameters: Record<string, string> } }).serdeInfo
    .parameters;
  const skip = Number((input.parameters as Record<string, string>)['skip.header.line.count'] ?? 0);
  const chars = serdeChars(params);
  return textInputLines(text)
    .slice(skip)
    .map((line) => {
      const fields = parseOpenCsvLine(line, chars);
      return table.columns.map((_, i) => fields[i] ?? null);
    });
}

const hostile = [
  'C:\\temp\\',
  'ends with a backslash \\',
  '\\',
  '\\\\server\\share',
  'escaped \\"quote\\" and \\n not a newline',
  '{"path":"C:\\\\temp\\\\","say":"\\"hi\\"","nl":"a\\nb"}',
  '"',
  '""',
  '"starts with a quote',
  'ends with a quote"',
  'say "hello", then \'bye\'',
  'a,b,,c,',
  ',',
  ' "padded quote" ',
  '  padded  ',
  '',
  ' ',
  'line one\r\nline two\nline three\rend',
  '\n',
  '\r\n\r\n',
  'trailing newline\n',
  'tab\tseparated\tvalues\t',
  '\t',
  'Zürich – 日本語 – emoji 📬👩‍👩‍👧 – 𝄞',
  'nul \u0000 in the middle',
  '\u0000',
  '\u0000"\u0000\\',
  'the line-break mark ␤ itself, ␤n and ␤r and ␤m literally',
  '␤',
  '<script>alert("x")</script>',
  `${'2 KB of hostile text: C:\\dir\\ "q", ␤\r\n\t📬 '.repeat(52)}\\`,
];

/** A value of the right type for column c in row r; string columns cycle through the hostile texts. */
function value(c: Column, r: number, ci: number): Row[string] {
  if (c.nullable && (r + ci) % 7 === 3) return null;
  switch (c.type) {
    case 'timestamp':
      return Date.UTC(2026, 10, 20) + r * 61_001 + ci;
    case 'int32':
      return (r * 31 + ci) % 2 ? -(r + ci) : r * 1000 + ci;
    case 'int64':
      return 2 ** 40 + r * 7 + ci;
    case 'double':
      return r / 8 - ci;
    case 'boolean':
      return (r + ci) % 2 === 0;
    case 'string':
      return hostile[(r * 5 + ci) % hostile.length]!;
  }
}

/** What Athena should show for a written value: the text itself, the writer's formatting, '' for NULL. */
function athenaText(c: Column, v: Row[string]): string {
  if (v === null) return '';
  if (c.type === 'timestamp') return formatCsvTimestamp(v as number);
  return String(v);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inboxlake-csv-athena-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('CSV files as Athena reads them through the Glue table', () => {
  it('parses a line by the rules of opencsv 2.3 (the reported corruption with escapeChar \\)', () => {
    const backslash = { separator: ',', quote: '"', escapeChar: '\\' };
    expect(parseOpenCsvLine('"C:\\temp\\",x', backslash)).toEqual([]);
    expect(parseOpenCsvLine('"C:\\temp",x', backslash)).toEqual(['C:temp', 'x']);
    expect(parseOpenCsvLine('a,"b ""c"", d",,"e\\\\"', backslash)).toEqual(['a', 'b "c", d', '', 'e\\']);
    expect(parseOpenCsvLine('x,ab"cd"ef,g', backslash)).toEqual(['x', 'ab"cd"ef', 'g']);
    // …except in the first three chars of a line, where such a quote is dropped.
    expect(parseOpenCsvLine('ab"cd"ef,g', backslash)).toEqual(['abcd"ef', 'g']);
    expect(serdeChars({ escapeChar: '"' })).toEqual(backslash);
    expect(serdeChars({})).toEqual(backslash);
  });

  it.each(allTables.map((t) => [t.name, t] as const))(
    'round-trips every hostile text exactly in every string column of %s',
    async (name, table) => {
      const rows: Row[] = Array.from({ length: hostile.length * 2 }, (_, r) =>
        Object.fromEntries(table.columns.map((c, ci) => [c.name, value(c, r, ci)])),
      );
      const path = join(dir, `${name}.csv`);
      const writer = await createCsvWriter(table, path);
      await writer.append(rows);
      await writer.close();

      const read = athenaRead(await readFile(path, 'utf8'), table);
      expect(read).toHaveLength(rows.length);
      const decoded = read.map((fields) =>
        fields.map((f, i) => (f !== null && table.columns[i]!.type === 'string' ? decodeLineBreaks(f) : f)),
      );
      expect(decoded).toEqual(rows.map((row) => table.columns.map((c) => athenaText(c, row[c.name] ?? null))));
    },
  );

  it('writes nothing Athena would split or unescape: no CR or LF inside a record, text stored as is', async () => {
    const table = allTables.find((t) => t.columns.some((c) => c.type === 'string' && c.nullable))!;
    const text = 'C:\\temp\\ "q" ␤ \r\n';
    const row: Row = Object.fromEntries(
      table.columns.map((c, ci) => [c.name, c.type === 'string' ? text : value(c, 0, ci)]),
    );
    const nulls: Row = Object.fromEntries(table.columns.map((c) => [c.name, c.nullable ? null : row[c.name]!]));
    const path = join(dir, 'one.csv');
    const writer = await createCsvWriter(table, path);
    await writer.append([row, nulls]);
    await writer.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain('"C:\\temp\\ ""q"" ␤m ␤r␤n"');
    // A NULL is an empty unquoted field; Athena reads it as '' (see README: NULLIF(col, '')).
    const [, nullRow] = athenaRead(lines.join('\n'), table);
    table.columns.forEach((c, i) => {
      if (c.nullable) expect(nullRow![i], c.name).toBe('');
    });
  });
});
