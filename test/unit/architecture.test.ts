import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Imports point down only: app → sources → engine → lake → core; digest → lake → core; alerts → lake → core
 * (../shared/ARCHITECTURE.md).
 * Every .ts file under shared/, functions/ and infra/ belongs to one room; a relative import (static, type-only,
 * re-export or dynamic) may reach its own room or a room that room lists below. Packages are not checked.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCANNED = ['shared', 'functions', 'infra'];

type Room =
  | 'core'
  | 'lake'
  | 'engine'
  | 'digest'
  | 'alerts'
  | 'sources'
  | 'sandbox'
  | 'log'
  | 'config'
  | 'catalog'
  | 'app'
  | 'cli'
  | 'functions'
  | 'infra';

/** Where each room lives: a folder (and everything under it) or one module, both without extension. */
const ROOM_PATHS: Readonly<Record<Room, string>> = {
  core: 'shared/core',
  lake: 'shared/lake',
  engine: 'shared/engine',
  digest: 'shared/digest',
  alerts: 'shared/alerts',
  sources: 'shared/sources',
  sandbox: 'shared/sandbox',
  log: 'shared/log',
  config: 'shared/config',
  catalog: 'shared/catalog',
  app: 'shared/app',
  cli: 'shared/cli',
  functions: 'functions',
  infra: 'infra',
};

const BELOW_APP: readonly Room[] = [
  'core',
  'lake',
  'engine',
  'sources',
  'digest',
  'alerts',
  'sandbox',
  'log',
  'config',
  'catalog',
];

/** The rooms each room may import besides itself: the one-way arrows. */
const MAY_IMPORT: Readonly<Record<Room, readonly Room[]>> = {
  core: [],
  lake: ['core'],
  engine: ['core', 'lake'],
  digest: ['core', 'lake'],
  // The intraday alerts read the rollups beside the digest, with the same table roles, and never import it.
  alerts: ['core', 'lake'],
  sources: ['core', 'engine', 'lake'],
  // The API simulators answer in the sources' record shapes; the sample digest (a fixture) is built in the digest's.
  sandbox: ['core', 'engine', 'lake', 'sources', 'digest'],
  log: ['core'],
  // The settings of every room, read once at the door: the digest's thresholds schema is one of them.
  config: ['core', 'engine', 'lake', 'sources', 'digest'],
  catalog: ['core', 'lake', 'sources'],
  app: BELOW_APP,
  // The two doors (CLI, Lambda handlers) and the CDK app stand on the use cases; neither door imports the other.
  cli: ['app', ...BELOW_APP],
  functions: ['app', ...BELOW_APP],
  infra: ['app', ...BELOW_APP],
};

/**
 * Known upward arrows, each to be removed by the change named beside it (issue 13 point 1: the digest switches on
 * the sources' table roles instead of importing their tables). Keyed `file -> room`; an entry that no longer
 * matches an import fails the last test, so this list only shrinks.
 */
const KNOWN_EXCEPTIONS: Readonly<Record<string, string>> = {};

const RULE =
  'imports point down only: app → sources → engine → lake → core; digest → lake → core; alerts → lake → core';

function roomOf(path: string): Room | null {
  const stem = path.replace(/\.(ts|mts|js|mjs)$/, '');
  for (const [room, at] of Object.entries(ROOM_PATHS) as [Room, string][]) {
    if (stem === at || stem.startsWith(`${at}/`)) return room;
  }
  return null;
}

interface Violation {
  readonly file: string;
  readonly specifier: string;
  readonly line: number;
  readonly from: Room | null;
  readonly to: Room | null;
  readonly message: string;
}

/** Every import in `source` (the text of repo-relative `file`) that breaks the arrows; known exceptions are not. */
function importViolations(file: string, source: string): Violation[] {
  const from = roomOf(file);
  const out: Violation[] = [];
  for (const ref of ts.preProcessFile(source, true, true).importedFiles) {
    const specifier = ref.fileName;
    if (!specifier.startsWith('.')) continue;
    const target = posix.normalize(posix.join(posix.dirname(file), specifier));
    const to = roomOf(target);
    const line = source.slice(0, ref.pos).split('\n').length;
    const at = `${file}:${line} imports '${specifier}' (${target})`;
    if (from === null) {
      out.push({ file, specifier, line, from, to, message: `${at}: ${file} is in no room; add it to ROOM_PATHS` });
    } else if (to === null) {
      out.push({ file, specifier, line, from, to, message: `${at}: the target is in no room (${RULE})` });
    } else if (to !== from && !MAY_IMPORT[from].includes(to) && !KNOWN_EXCEPTIONS[`${file} -> ${to}`]) {
      const allowed = MAY_IMPORT[from].join(', ') || 'nothing outside itself';
      out.push({ file, specifier, line, from, to, message: `${at}: ${from} may import only ${allowed} (${RULE})` });
    }
  }
  return out;
}

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

const files = SCANNED.flatMap(tsFiles);
const sourceOf = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe('import direction', () => {
  it('finds the files it checks', () => {
    expect(files).toContain('shared/lake/layout.ts');
    expect(files).toContain('shared/core/errors.ts');
    expect(files.length).toBeGreaterThan(100);
  });

  it('no import in shared/, functions/ or infra/ points up', () => {
    const messages = files.flatMap((f) => importViolations(f, sourceOf(f)).map((v) => v.message));
    expect(messages, messages.join('\n')).toEqual([]);
  });

  it.each([
    [
      'the lake importing the engine',
      'shared/lake/x.ts',
      "import { a } from '../engine/http';",
      'lake may import only core',
    ],
    [
      'the digest importing a source',
      'shared/digest/x.ts',
      "import type { A } from '../sources/sendsage/tables';",
      'digest',
    ],
    ['the alerts importing the digest', 'shared/alerts/x.ts', "import { a } from '../digest/roles';", 'alerts'],
    ['core importing the lake', 'shared/core/x.ts', "export * from '../lake/layout';", 'core may import only nothing'],
    ['the engine importing the app', 'shared/engine/x.ts', "const m = await import('../app/lake');", 'engine'],
    ['shared importing infra', 'shared/app/x.ts', "import { a } from '../../infra/sources';", 'app may import only'],
    [
      'a handler importing the CLI',
      'functions/x/handler.ts',
      "import { a } from '../../shared/cli/main';",
      'functions',
    ],
  ])('flags %s', (_name, file, source, message) => {
    const found = importViolations(file, source);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain(message);
    expect(found[0]!.message).toContain(file);
  });

  it.each([
    [
      'the engine importing core and the lake',
      'shared/engine/x.ts',
      "import '../core/errors';\nimport '../lake/layout';",
    ],
    ['a source importing the engine', 'shared/sources/a/x.ts', "import { a } from '../../engine/paging';"],
    ['a package and a sibling', 'shared/lake/x.ts', "import * as z from 'zod';\nimport { b } from './table';"],
  ])('allows %s', (_name, file, source) => {
    expect(importViolations(file, source)).toEqual([]);
  });

  it('every known exception still matches an import (remove it once its change lands)', () => {
    const used = new Set<string>();
    for (const file of files) {
      const from = roomOf(file);
      for (const ref of ts.preProcessFile(sourceOf(file), true, true).importedFiles) {
        if (!ref.fileName.startsWith('.')) continue;
        const to = roomOf(posix.normalize(posix.join(posix.dirname(file), ref.fileName)));
        if (from && to && to !== from && !MAY_IMPORT[from].includes(to)) used.add(`${file} -> ${to}`);
      }
    }
    expect(Object.keys(KNOWN_EXCEPTIONS).filter((k) => !used.has(k))).toEqual([]);
  });
});
