import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTables } from '../../../shared/catalog';
import { ConfigError } from '../../../shared/core/errors';
import {
  loadNamedQueries,
  NamedQueryFileError,
  namedQueriesFor,
  namedQuery,
  parseNamedQuery,
  tablesOfQuery,
  withReferenceDate,
} from '../../../shared/lake/named-queries';
import { type LakeQuery, openLakeQuery } from '../../../shared/lake/query';

const header = (name: string, description = 'What it shows.') => `-- name: ${name}\n-- description: ${description}\n`;

/** The SQL without comments and string literals, for checks on the query's own words. */
const code = (sql: string) =>
  sql
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/--.*$/gm, '')
    .replace(/\/\*[\s\S]*?\*\//g, '');

describe('loadNamedQueries', () => {
  const queries = loadNamedQueries();

  it('loads the four queries beside the module, sorted by name', () => {
    expect(queries.map((q) => q.name)).toEqual([
      'daily-rates',
      'inbox-placement-by-isp',
      'new-hard-bounces',
      'top-bouncing-domains',
    ]);
  });

  it.each(queries.map((q) => [q.name, q] as const))('%s: header parsed, query body only', (_, q) => {
    expect(q.description.length).toBeGreaterThan(20);
    expect(q.description).not.toMatch(/\n/);
    expect(q.sql).toMatch(/^WITH /);
    expect(q.sql).not.toMatch(/^--\s*(name|description):/m);
  });

  // What either engine would refuse, or what would leave "today" unpinned by withReferenceDate.
  const refused: [string, RegExp][] = [
    ['a DuckDB cast (::)', /::/],
    ['QUALIFY (DuckDB only)', /\bqualify\b/i],
    ['GROUP BY ALL (DuckDB only)', /group\s+by\s+all\b/i],
    ['date_add (different arguments in each engine)', /\bdate_add\s*\(/i],
    ['date minus an integer (DuckDB only)', /current_date\s*-\s*\d/i],
    ['a clock other than current_date', /\b(now|current_timestamp|current_time|localtimestamp|localtime|today)\b/i],
    ['a trailing semicolon (one statement per named query)', /;\s*$/],
    ['a qualified table name (Athena sets the database)', /\b(from|join)\s+\w+\.\w+/i],
  ];
  it.each(queries.flatMap((q) => refused.map(([what, re]) => [q.name, what, q.sql, re] as const)))(
    '%s: no %s',
    (_, __, sql, re) => {
      expect(code(sql)).not.toMatch(re);
    },
  );

  it('throws naming the file when one lacks its header', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inboxlake-named-'));
    await writeFile(join(dir, 'good.sql'), `${header('good')}SELECT 1`);
    await writeFile(join(dir, 'bare.sql'), 'SELECT 1');
    await writeFile(join(dir, 'notes.txt'), 'not a query');
    expect(() => loadNamedQueries(dir)).toThrow(NamedQueryFileError);
    expect(() => loadNamedQueries(pathToFileURL(`${dir}/`))).toThrow(
      /^bare\.sql: .*'-- name: …' and '-- description: …'/,
    );
  });
});

describe('parseNamedQuery', () => {
  it('reads the header block and keeps the rest as the query', () => {
    const text = `\uFEFF${header('x-y', '  One line.  ')}--\r\n-- notes for readers\r\n\r\nSELECT 1\r\n-- trailing\r\n`;
    expect(parseNamedQuery('x-y.sql', text)).toEqual({
      name: 'x-y',
      description: 'One line.',
      sql: 'SELECT 1\n-- trailing',
    });
  });

  it.each([
    ['no header at all', 'q.sql', 'SELECT 1', /^q\.sql: .*'-- name: …' and '-- description: …'/],
    ['no description', 'q.sql', '-- name: q\nSELECT 1', /^q\.sql: .*'-- description: …'$/],
    ['the header after the query', 'q.sql', `SELECT 1\n${header('q')}`, /^q\.sql: .*'-- name: …'/],
    ['a name other than the file', 'q.sql', `${header('other')}SELECT 1`, /^q\.sql: header name 'other'.*'q'/],
    ['a field twice', 'q.sql', `${header('q')}-- name: q\nSELECT 1`, /^q\.sql: '-- name:' appears twice/],
    ['an empty description', 'q.sql', '-- name: q\n-- description:\nSELECT 1', /^q\.sql: description is empty/],
    ['no query', 'q.sql', header('q'), /^q\.sql: no query after the header/],
    ['a name Athena would not show well', 'Q_1.sql', `${header('Q_1')}SELECT 1`, /^Q_1\.sql: name must be/],
    ['a description over 1024 characters', 'q.sql', `${header('q', 'x'.repeat(1025))}SELECT 1`, /^q\.sql: /],
  ])('refuses %s', (_, file, text, message) => {
    expect(() => parseNamedQuery(file, text)).toThrow(NamedQueryFileError);
    expect(() => parseNamedQuery(file, text)).toThrow(message);
  });
});

describe('namedQuery', () => {
  it('finds a query by name', () => {
    expect(namedQuery('daily-rates').name).toBe('daily-rates');
  });

  it('names the known queries when asked for another', () => {
    expect(() => namedQuery('dayly-rates')).toThrow(ConfigError);
    expect(() => namedQuery('dayly-rates')).toThrow(
      "no named query 'dayly-rates'; known: daily-rates, inbox-placement-by-isp, new-hard-bounces, top-bouncing-domains",
    );
  });
});

describe('withReferenceDate', () => {
  const D = "DATE '2026-11-16'";
  it.each([
    ['the bare function', 'SELECT current_date', `SELECT ${D}`],
    [
      'any case, every occurrence',
      'WHERE dt >= CURRENT_DATE - 1 AND dt < Current_Date',
      `WHERE dt >= ${D} - 1 AND dt < ${D}`,
    ],
    ['next to punctuation', 'CAST(current_date-INTERVAL', `CAST(${D}-INTERVAL`],
    ['not in a string', "SELECT 'current_date', 'it''s current_date'", "SELECT 'current_date', 'it''s current_date'"],
    ['not in a quoted identifier', 'SELECT "current_date" FROM t', 'SELECT "current_date" FROM t'],
    ['not in a line comment', '-- current_date\nSELECT 1', '-- current_date\nSELECT 1'],
    ['not in a block comment', '/* current_date */ SELECT 1', '/* current_date */ SELECT 1'],
    [
      'not in a longer word',
      'SELECT current_date_utc, my_current_date, x1current_date',
      'SELECT current_date_utc, my_current_date, x1current_date',
    ],
    ['after a comment and a string', "-- c\nSELECT 'a' || current_date", `-- c\nSELECT 'a' || ${D}`],
    ['an unterminated string left as is', "SELECT 'current_date", "SELECT 'current_date"],
  ])('replaces current_date: %s', (_, sql, want) => {
    expect(withReferenceDate(sql, '2026-11-16')).toBe(want);
  });

  it.each(['2026-11-31', '16.11.2026', '2026-11-16T00:00:00Z', "2026-11-16' OR 1=1 --"])('refuses the date %j', (d) => {
    expect(() => withReferenceDate('SELECT current_date', d)).toThrow(ConfigError);
  });
});

describe('every named query on DuckDB over an empty lake', () => {
  let q: LakeQuery;
  beforeAll(async () => {
    q = await openLakeQuery({
      lakeDir: join(await mkdtemp(join(tmpdir(), 'inboxlake-empty-')), 'lake'),
      tables: allTables,
    });
  });
  afterAll(() => q.close());

  it.each(loadNamedQueries().map((n) => [n.name, n.sql] as const))(
    '%s: runs as written and pinned to a date',
    async (_, sql) => {
      const asIs = await q.run(sql);
      expect(asIs.rows).toEqual([]);
      const pinned = await q.run(withReferenceDate(sql, '2026-11-16'));
      expect(pinned.columns).toEqual(asIs.columns);
    },
  );
});

describe('tablesOfQuery and namedQueriesFor', () => {
  const names = allTables.map((t) => t.name);
  const queries = loadNamedQueries();
  const byName = (n: string) => queries.find((q) => q.name === n)!;

  it('reads the tables each query names, from its code only', () => {
    expect(tablesOfQuery(byName('daily-rates'), names)).toEqual([
      'socketlabs_complaints',
      'socketlabs_failed',
      'socketlabs_messages',
      'socketlabs_processed',
      'socketlabs_queued',
    ]);
    expect(tablesOfQuery(byName('inbox-placement-by-isp'), names)).toEqual([
      'sendsage_campaigns',
      'sendsage_isp_results',
    ]);
    const q = parseNamedQuery(
      'x.sql',
      `${header('x')}-- socketlabs_failed in a comment\nSELECT 'sendsage_previews' AS "socketlabs_queued" FROM SendSage_Campaigns`,
    );
    expect(tablesOfQuery(q, names)).toEqual(['sendsage_campaigns']);
  });

  it('keeps only the queries whose every table is deployed', () => {
    const sendsageOnly = names.filter((n) => n.startsWith('sendsage_'));
    expect(namedQueriesFor(queries, sendsageOnly, names).map((q) => q.name)).toEqual(['inbox-placement-by-isp']);
    expect(namedQueriesFor(queries, names, names)).toEqual(queries);
    expect(namedQueriesFor(queries, [], names)).toEqual([]);
  });
});
