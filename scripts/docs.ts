import { readFileSync, writeFileSync } from 'node:fs';
import { allTables } from '../shared/catalog';
import { withSchemaReference } from '../shared/lake/schema-doc';

// Regenerates the README's schema reference from the table definitions.
const path = new URL('../README.md', import.meta.url);
writeFileSync(path, withSchemaReference(readFileSync(path, 'utf8'), allTables));
