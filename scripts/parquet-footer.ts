/**
 * Prints what a Parquet file is made of, per column: physical and logical types, page kinds (v1/v2 data pages,
 * dictionary pages) read from the page headers themselves, encodings, codec, statistics, page indexes.
 *
 *   npx tsx scripts/parquet-footer.ts lake/socketlabs_messages/dt=…/server_id=…/part-….parquet …   # per file
 *   npx tsx scripts/parquet-footer.ts --summary lake          # every .parquet below, merged per Parquet type
 *
 * The table in the README section "What the Parquet files are" is the --summary output over a simulator lake.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ColumnChunk, type LogicalType, parquetMetadata, type SchemaElement } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { deserializeTCompactProtocol } from 'hyparquet/src/thrift.js';

/** One column of one file, summed over its row groups. */
export interface ColumnFooter {
  readonly name: string;
  readonly physicalType: string;
  readonly repetition: string;
  readonly convertedType: string | null;
  readonly logicalType: string | null;
  readonly codecs: string[];
  /** Encodings the footer's ColumnMetaData lists. */
  readonly encodings: string[];
  /** Page kind (from each page header) → page count, e.g. DATA_PAGE_V2 → 3. */
  readonly pages: Record<string, number>;
  /** Value encodings the data page headers declare. */
  readonly dataPageEncodings: string[];
  /**
   * Statistics fields present in every chunk (min_value/max_value — not expected of a chunk of nulls —, null_count,
   * exactness, legacy min/max).
   */
  readonly statistics: string[];
  readonly chunks: number;
  readonly chunksWithOffsetIndex: number;
  readonly chunksWithColumnIndex: number;
  readonly chunksWithBloomFilter: number;
}

export interface FileFooter {
  readonly createdBy: string | undefined;
  readonly formatVersion: number;
  readonly rows: number;
  readonly rowGroups: number;
  /** FileMetaData.column_orders per leaf column (TYPE_DEFINED_ORDER or what else is there); empty if absent. */
  readonly columnOrders: string[];
  readonly columns: ColumnFooter[];
}

/** Reads the footer and every page header of a Parquet file. */
export function describeParquet(bytes: Uint8Array): FileFooter {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const metadata = parquetMetadata(buffer);
  const leaves = metadata.schema.slice(1);
  const columns = leaves.map((element, i) => {
    const chunks = metadata.row_groups.map((g) => g.columns[i]!);
    return describeColumn(buffer, element, chunks);
  });
  return {
    createdBy: metadata.created_by,
    formatVersion: metadata.version,
    rows: Number(metadata.num_rows),
    rowGroups: metadata.row_groups.length,
    columnOrders: columnOrders(buffer),
    columns,
  };
}

/**
 * hyparquet does not parse column_orders (FileMetaData field 7), which tells readers whether min/max follow the type's
 * own order; read it from the raw Thrift footer.
 */
function columnOrders(buffer: ArrayBuffer): string[] {
  const view = new DataView(buffer);
  const footerLength = view.getUint32(buffer.byteLength - 8, true);
  const raw = deserializeTCompactProtocol({ view, offset: buffer.byteLength - 8 - footerLength }) as {
    field_7?: { field_1?: unknown }[];
  };
  return (raw.field_7 ?? []).map((order) => (order.field_1 ? 'TYPE_DEFINED_ORDER' : JSON.stringify(order)));
}

function describeColumn(buffer: ArrayBuffer, element: SchemaElement, chunks: ColumnChunk[]): ColumnFooter {
  const pages: Record<string, number> = {};
  const dataPageEncodings = new Set<string>();
  const statistics = new Map<string, number>();
  for (const chunk of chunks) {
    const meta = chunk.meta_data!;
    // Walk the chunk's pages header by header: the footer's encoding_stats are the writer's claim, the headers are
    // what a reader decodes.
    const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
    const end = start + Number(meta.total_compressed_size);
    const reader = { view: new DataView(buffer), offset: start };
    while (reader.offset < end) {
      const header = parquetHeader(reader);
      pages[header.type] = (pages[header.type] ?? 0) + 1;
      const encoding = header.data_page_header_v2?.encoding ?? header.data_page_header?.encoding;
      if (encoding) dataPageEncodings.add(encoding);
      reader.offset += header.compressed_page_size;
    }
    const s = meta.statistics ?? {};
    // A chunk of nulls only has no bounds to give; it does not count against min/max.
    const allNull = s.null_count !== undefined && s.null_count === meta.num_values;
    const present = [
      (s.min_value !== undefined && s.max_value !== undefined) || allNull ? 'min_value/max_value' : '',
      s.null_count !== undefined ? 'null_count' : '',
      s.is_min_value_exact !== undefined ? 'is_exact' : '',
      s.min !== undefined || s.max !== undefined ? 'legacy min/max' : '',
      s.distinct_count !== undefined ? 'distinct_count' : '',
    ];
    for (const p of present) if (p) statistics.set(p, (statistics.get(p) ?? 0) + 1);
  }
  const count = (f: (c: ColumnChunk) => unknown) => chunks.filter((c) => f(c) !== undefined).length;
  return {
    name: element.name,
    physicalType: element.type ?? '',
    repetition: element.repetition_type ?? '',
    convertedType: element.converted_type ?? null,
    logicalType: element.logical_type ? logicalTypeName(element.logical_type) : null,
    codecs: unique(chunks.map((c) => c.meta_data!.codec)),
    encodings: unique(chunks.flatMap((c) => c.meta_data!.encodings)),
    pages,
    dataPageEncodings: [...dataPageEncodings].sort(),
    // Only what every chunk carries: a field some chunks lack cannot be relied on by a reader.
    statistics: [...statistics].filter(([, n]) => n === chunks.length).map(([k]) => k),
    chunks: chunks.length,
    chunksWithOffsetIndex: count((c) => c.offset_index_offset),
    chunksWithColumnIndex: count((c) => c.column_index_offset),
    chunksWithBloomFilter: count((c) => c.meta_data?.bloom_filter_offset),
  };
}

function logicalTypeName(t: LogicalType): string {
  if (t.type === 'TIMESTAMP') return `TIMESTAMP(${t.unit}, isAdjustedToUTC=${t.isAdjustedToUTC})`;
  return t.type;
}

const unique = (values: string[]): string[] => [...new Set(values)].sort();

/** One line per column of one file, as a Markdown table. */
export function formatFile(footer: FileFooter): string {
  const head =
    `created_by ${footer.createdBy}, format version ${footer.formatVersion}, ${footer.rows} rows in ` +
    `${footer.rowGroups} row groups, column_orders ${orderSummary([footer])}`;
  const lines = footer.columns.map((c) =>
    row([
      c.name,
      c.physicalType,
      c.repetition,
      annotation(c),
      pageSummary(c.pages),
      c.dataPageEncodings.join(', '),
      c.codecs.join(', '),
      c.statistics.join(', ') || 'none',
      `${c.chunksWithOffsetIndex}/${c.chunks} offset, ${c.chunksWithColumnIndex}/${c.chunks} column`,
    ]),
  );
  return [head, '', header, rule, ...lines].join('\n');
}

const header = row([
  'column',
  'physical',
  'repetition',
  'logical / converted',
  'pages',
  'data page encodings',
  'codec',
  'statistics (every chunk)',
  'page index',
]);
const rule = row(Array.from({ length: 9 }, () => '---'));

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function pageSummary(pages: Record<string, number>): string {
  return Object.entries(pages)
    .sort()
    .map(([k, n]) => `${k} ×${n}`)
    .join(', ');
}

/** Every column of every file merged per Parquet type (physical type and annotations): one Markdown line each. */
export function formatSummary(footers: readonly FileFooter[]): string {
  const byType = new Map<string, ColumnFooter[]>();
  for (const c of footers.flatMap((f) => f.columns)) {
    const key = `${c.physicalType} ${annotation(c)}`;
    byType.set(key, [...(byType.get(key) ?? []), c]);
  }
  const lines = [...byType.values()].map((columns) => {
    const first = columns[0]!;
    const pages: Record<string, number> = {};
    for (const c of columns) for (const [k, n] of Object.entries(c.pages)) pages[k] = (pages[k] ?? 0) + n;
    const sum = (f: (c: ColumnFooter) => number) => columns.reduce((n, c) => n + f(c), 0);
    const chunks = sum((c) => c.chunks);
    // A statistics field counts only if every chunk of every column of this type has it.
    const statistics = unique(columns.flatMap((c) => c.statistics)).filter((s) =>
      columns.every((c) => c.statistics.includes(s)),
    );
    return row([
      `${unique(columns.map((c) => c.name)).length} columns`,
      first.physicalType,
      unique(columns.map((c) => c.repetition)).join(', '),
      annotation(first),
      pageSummary(pages),
      unique(columns.flatMap((c) => c.dataPageEncodings)).join(', '),
      unique(columns.flatMap((c) => c.codecs)).join(', '),
      statistics.join(', ') || 'none',
      `offset ${sum((c) => c.chunksWithOffsetIndex)}/${chunks}, column ${sum((c) => c.chunksWithColumnIndex)}/${chunks}, bloom ${sum((c) => c.chunksWithBloomFilter)}/${chunks}`,
    ]);
  });
  const files = footers.length;
  const rows = footers.reduce((n, f) => n + f.rows, 0);
  const createdBy = unique(footers.map((f) => `${f.createdBy}`)).join(', ');
  const head = `${files} files, ${rows} rows, created_by ${createdBy}, column_orders ${orderSummary(footers)}`;
  const summaryHeader = header.replace('| column |', '| columns |');
  return [head, '', summaryHeader, rule, ...lines].join('\n');
}

/** e.g. "TYPE_DEFINED_ORDER ×91 of 91 columns". */
function orderSummary(footers: readonly FileFooter[]): string {
  const columns = footers.reduce((n, f) => n + f.columns.length, 0);
  const counts = new Map<string, number>();
  for (const o of footers.flatMap((f) => f.columnOrders)) counts.set(o, (counts.get(o) ?? 0) + 1);
  const parts = [...counts].map(([o, n]) => `${o} ×${n}`);
  return `${parts.join(', ') || 'none'} of ${columns} columns`;
}

const annotation = (c: ColumnFooter): string => [c.logicalType, c.convertedType].filter(Boolean).join(' / ') || '—';

async function parquetFilesUnder(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.parquet'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function main(args: string[]): Promise<void> {
  const summary = args[0] === '--summary';
  const paths = summary ? args.slice(1) : args;
  if (paths.length === 0) {
    console.error('usage: parquet-footer.ts [--summary] <file.parquet | folder>...');
    process.exitCode = 2;
    return;
  }
  const files = (await Promise.all(paths.map(parquetFilesUnder))).flat();
  if (summary) {
    const footers = [];
    for (const file of files) footers.push(describeParquet(new Uint8Array(await readFile(file))));
    console.log(formatSummary(footers));
    return;
  }
  for (const file of files) {
    console.log(`\n${file}: ${formatFile(describeParquet(new Uint8Array(await readFile(file))))}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
