import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { renderHtml } from '../shared/digest/render';
import { sampleDigest } from '../shared/sandbox/digest-sample';

// Renders the sample digest to HTML and photographs it with a real headless Chromium, so the layout is checked the
// way a reader sees it rather than by reading markup.
//   npx tsx scripts/screenshot-digest.ts [digest.html] [out.png]

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const htmlPath = resolve(process.argv[2] ?? join(tmpdir(), 'inboxlake-digest-sample.html'));
const pngPath = resolve(process.argv[3] ?? join(root, 'docs', 'digest-sample.png'));

const candidates = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const chromium = candidates.find((p): p is string => typeof p === 'string' && p !== '' && existsSync(p));
if (!chromium) {
  process.stderr.write(
    'No Chromium found (looked for /usr/bin/chromium, /usr/bin/chromium-browser, /usr/bin/google-chrome).\n' +
      'Install it, e.g. on Debian/Ubuntu as root: apt-get update && apt-get install -y chromium\n' +
      'or point CHROMIUM at a Chrome/Chromium binary.\n',
  );
  process.exit(2);
}

const html = renderHtml(sampleDigest());
mkdirSync(dirname(htmlPath), { recursive: true });
writeFileSync(htmlPath, html);
mkdirSync(dirname(pngPath), { recursive: true });

// A fresh profile per run: no cached state, no first-run prompts, nothing left behind.
const profile = mkdtempSync(join(tmpdir(), 'inboxlake-chromium-'));
try {
  const result = spawnSync(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      `--screenshot=${pngPath}`,
      '--window-size=900,2400',
      `file://${htmlPath}`,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (result.error) throw result.error;
  if (result.status !== 0 || !existsSync(pngPath) || statSync(pngPath).size === 0) {
    process.stderr.write(`chromium failed (exit ${result.status}):\n${result.stderr}\n`);
    process.exit(1);
  }
} finally {
  rmSync(profile, { recursive: true, force: true });
}
const size = (n: number) => `${n.toLocaleString('en-US')} bytes`;
process.stdout.write(`${htmlPath} (${size(Buffer.byteLength(html))})\n${pngPath} (${size(statSync(pngPath).size)})\n`);
