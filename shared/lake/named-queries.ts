import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { ConfigError, InboxlakeError } from '../core/errors';

/**
 * Named queries: `.sql` files beside this module that the CDK stack turns into Athena named queries and that
 * `inboxlake query --named NAME` runs over DuckDB. Each file starts with a header comment block:
 *
 *   -- name: daily-rates
 *   -- description: One line, the Athena named query's description.
 *   -- (any further comment lines: notes for whoever reads the file)
 *
 * The query is the rest of the file. Queries name tables bare (Athena sets the database on the named query; the
 * DuckDB views carry the table names) and take "today" from `current_date` only, so `withReferenceDate` can pin it.
 */
export const namedQueriesDir = new URL('./named-queries/', import.meta.url);

// Athena's limits on a named query (CreateNamedQuery): name 1-128 characters, description up to 1024.
export const namedQuerySchema = z.object({
  name: z
    .string()
    .max(128)
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: 'name must be lower-case words joined by hyphens' }),
  description: z.string().min(1, { error: 'description is empty' }).max(1024),
  sql: z.string().min(1, { error: 'no query after the header' }),
});

export type NamedQuery = z.infer<typeof namedQuerySchema>;

/** A named-query file lacks its header, or holds something Athena would refuse; the message names the file. */
export class NamedQueryFileError extends InboxlakeError {
  override name = 'NamedQueryFileError';
}

const headerLineRe = /^--\s*(name|description)\s*:(.*)$/;

/** Parses one `.sql` file's text: header fields from its leading comment block, the query from the rest. */
export function parseNamedQuery(fileName: string, text: string): NamedQuery {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let end = 0;
  while (end < lines.length && lines[end]!.trimStart().startsWith('--')) end++;
  const fields: Record<string, string> = {};
  for (const line of lines.slice(0, end)) {
    const m = headerLineRe.exec(line.trim());
    if (!m) continue;
    if (fields[m[1]!] !== undefined) throw new NamedQueryFileError(`${fileName}: '-- ${m[1]}:' appears twice`);
    fields[m[1]!] = m[2]!.trim();
  }
  const missing = ['name', 'description'].filter((k) => fields[k] === undefined);
  if (missing.length) {
    throw new NamedQueryFileError(
      `${fileName}: the file must start with a header comment block holding ${missing.map((k) => `'-- ${k}: …'`).join(' and ')}`,
    );
  }
  const stem = basename(fileName, '.sql');
  if (fields.name !== stem) {
    throw new NamedQueryFileError(`${fileName}: header name '${fields.name}' differs from the file name '${stem}'`);
  }
  const parsed = namedQuerySchema.safeParse({ ...fields, sql: lines.slice(end).join('\n').trim() });
  if (!parsed.success) {
    throw new NamedQueryFileError(`${fileName}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  return parsed.data;
}

/** Every named query of a folder (default: the `.sql` files beside this module), sorted by name. */
export function loadNamedQueries(dir: URL | string = namedQueriesDir): NamedQuery[] {
  const path = typeof dir === 'string' ? dir : fileURLToPath(dir);
  return readdirSync(path)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => parseNamedQuery(f, readFileSync(join(path, f), 'utf8')))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The named query called `name`; a ConfigError listing the known names when there is none. */
export function namedQuery(name: string, dir: URL | string = namedQueriesDir): NamedQuery {
  const all = loadNamedQueries(dir);
  const found = all.find((q) => q.name === name);
  if (!found) {
    throw new ConfigError(`no named query '${name}'; known: ${all.map((q) => q.name).join(', ') || '(none)'}`);
  }
  return found;
}

// A run of word characters is one token: only a token that is exactly current_date is replaced (not current_date_utc).
const wordRe = /[A-Za-z0-9_$]+/y;
const referenceDateSchema = z.iso.date({ error: 'the reference date must be a date YYYY-MM-DD' });

/**
 * The query as if today (UTC) were `date`: every `current_date` becomes `DATE 'YYYY-MM-DD'`, which Trino and DuckDB
 * both read as a DATE. Tests pin a simulated lake's days this way, and so does `inboxlake query --named … --date`;
 * the files themselves keep `current_date` so they run as they are in Athena. String literals, quoted identifiers
 * and comments are left alone.
 */
export function withReferenceDate(sql: string, date: string): string {
  const parsed = referenceDateSchema.safeParse(date);
  if (!parsed.success) throw new ConfigError(`${parsed.error.issues[0]!.message} (got '${date}')`);
  const literal = `DATE '${parsed.data}'`;
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const end = skipEnd(sql, i);
    if (end > i) {
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    wordRe.lastIndex = i;
    const word = wordRe.exec(sql)?.[0];
    if (word) {
      out += word.toLowerCase() === 'current_date' ? literal : word;
      i += word.length;
      continue;
    }
    out += sql[i];
    i++;
  }
  return out;
}

/** The words of a query outside string literals, quoted identifiers and comments, in order. */
function codeWords(sql: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < sql.length) {
    const end = skipEnd(sql, i);
    if (end > i) {
      i = end;
      continue;
    }
    wordRe.lastIndex = i;
    const word = wordRe.exec(sql)?.[0];
    if (word) {
      words.push(word);
      i += word.length;
    } else i++;
  }
  return words;
}

/**
 * The tables of `tableNames` a query reads: every bare word of its code that is a table name (the queries name
 * tables bare, and no column or alias is named like a table). Read from the SQL itself, so it cannot drift from it.
 */
export function tablesOfQuery(query: NamedQuery, tableNames: readonly string[]): string[] {
  const known = new Set(tableNames.map((t) => t.toLowerCase()));
  return [...new Set(codeWords(query.sql).map((w) => w.toLowerCase()))].filter((w) => known.has(w)).sort();
}

/**
 * The columns of `columnNames` a query names anywhere in its code: a superset of the columns Athena reads for it
 * (the cost bench bounds the bytes a query scans by these columns' chunks).
 */
export function columnsOfQuery(query: NamedQuery, columnNames: readonly string[]): string[] {
  const words = new Set(codeWords(query.sql).map((w) => w.toLowerCase()));
  return columnNames.filter((c) => words.has(c.toLowerCase()));
}

/**
 * The named queries that can run where only `deployed` of the `allTableNames` exist: those reading no other table.
 * A deployment without SocketLabs servers has no socketlabs_* tables, and a query naming one would fail to plan.
 */
export function namedQueriesFor(
  queries: readonly NamedQuery[],
  deployed: readonly string[],
  allTableNames: readonly string[],
): NamedQuery[] {
  const present = new Set(deployed);
  return queries.filter((q) => tablesOfQuery(q, allTableNames).every((t) => present.has(t)));
}

/** Where a string literal, quoted identifier or comment starting at `i` ends; `i` when none starts there. */
function skipEnd(sql: string, i: number): number {
  const c = sql[i];
  if (c === "'" || c === '"') {
    // A doubled quote inside is the quote itself, in both engines.
    let j = i + 1;
    while (j < sql.length) {
      if (sql[j] === c) {
        if (sql[j + 1] === c) j += 2;
        else return j + 1;
      } else j++;
    }
    return sql.length;
  }
  if (sql.startsWith('--', i)) {
    const nl = sql.indexOf('\n', i);
    return nl < 0 ? sql.length : nl;
  }
  if (sql.startsWith('/*', i)) {
    const close = sql.indexOf('*/', i + 2);
    return close < 0 ? sql.length : close + 2;
  }
  return i;
}
