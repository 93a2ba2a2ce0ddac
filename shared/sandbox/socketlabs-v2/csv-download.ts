/**
 * CSV download rendering for the v2 `download` endpoints: RFC 4180 fields, 206/200 with Content-Range, streaming in
 * 64 KiB chunks with backpressure, and the faults that cut a download (mid-row, at a row boundary) or reshape its
 * columns. Apart because it is the one renderer that streams and fails half-way.
 */
import type { ServerResponse } from 'node:http';
import type { CsvAnswer } from './answers';
import { extraItemFields, recaseKey, recaseMode, type V2FaultDecision } from './faults';
import type { V2Item } from './model';

const CSV_TYPE = 'text/csv; charset=utf-8';

const csvNeedsQuotes = /[",\r\n]|^\s|\s$/;

/** One CSV field: RFC 4180 quoting, nulls as empty fields, objects as JSON. */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return csvNeedsQuotes.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const waitWritable = (res: ServerResponse) =>
  new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });

/** Streams a CSV page in chunks; a cutting fault ends the response early and destroys the socket. */
export const streamCsv = async (res: ServerResponse, answer: CsvAnswer, fault: V2FaultDecision | null) => {
  const { rows } = answer;
  let header = [...answer.columns];
  let values = (item: V2Item, _i: number): unknown[] => answer.columns.map((c) => item[c]);
  if (fault?.kind === 'extra-fields') {
    // One unknown column in the middle and two at the end: clients must map columns by header name.
    header = [...header.slice(0, 2), 'newField', ...header.slice(2), 'tags', 'score'];
    values = (item, i) => {
      const extra = extraItemFields(i, fault.variant);
      const base = answer.columns.map((c) => item[c]);
      return [
        ...base.slice(0, 2),
        extra.newField,
        ...base.slice(2),
        (extra.tags as string[] | undefined)?.join(';'),
        extra.score,
      ];
    };
  }
  if (fault?.kind === 'recase') header = header.map((h) => recaseKey(h, recaseMode(fault.variant)));

  const isLast = rows.start + rows.count >= rows.total;
  const range =
    rows.count > 0 ? `rows ${rows.start}-${rows.start + rows.count - 1}/${rows.total}` : `rows */${rows.total}`;
  res.writeHead(isLast ? 200 : 206, {
    'content-type': CSV_TYPE,
    'content-range': range,
    'content-disposition': `attachment; filename="${answer.filename}"`,
  });
  const headerLine = `${header.map(csvField).join(',')}\r\n`;
  let cutRow = -1;
  if (fault?.kind === 'csv-cut-mid-row') cutRow = rows.count > 0 ? fault.variant % rows.count : -1;
  if (fault?.kind === 'truncated') cutRow = Math.floor(rows.count / 2);
  const cutMidRow = fault?.kind === 'csv-cut-mid-row';

  const end = (chunk: string, destroy: boolean) =>
    new Promise<void>((resolve) => {
      if (!destroy) {
        res.end(chunk, () => resolve());
        return;
      }
      res.write(chunk, () => {
        res.destroy();
        resolve();
      });
    });

  if (cutMidRow && cutRow < 0) return end(headerLine.slice(0, Math.max(1, Math.floor(headerLine.length / 2))), true);
  let chunk = headerLine;
  for (let i = 0; i < rows.count; i++) {
    if (res.destroyed) return;
    const line = `${values(rows.row(i), i).map(csvField).join(',')}\r\n`;
    if (i === cutRow) {
      // truncated stops at a row boundary, csv-cut-mid-row inside the row (never at its end).
      return end(cutMidRow ? chunk + line.slice(0, Math.max(1, Math.floor((line.length - 2) / 2))) : chunk, true);
    }
    chunk += line;
    if (chunk.length >= 65_536) {
      const ok = res.write(chunk);
      chunk = '';
      if (!ok) await waitWritable(res);
    }
  }
  if (fault?.kind === 'truncated' && rows.count === 0) return end(chunk, true);
  return end(chunk, false);
};
