import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allTables } from '../../../shared/catalog';
import { schemaReference, withSchemaReference } from '../../../shared/lake/schema-doc';

describe('README schema reference', () => {
  it('is generated from the table definitions and up to date (npm run docs)', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(withSchemaReference(readme, allTables)).toBe(readme);
  });

  it('documents every column and partition key of every table', () => {
    const doc = schemaReference(allTables);
    for (const t of allTables) {
      expect(doc).toContain(`### \`${t.name}\``);
      for (const c of [...t.columns, ...t.partitionKeys]) expect(doc).toContain(`| \`${c.name}\``);
    }
  });
});
