import type { Delta } from './format';
import type { Level, Polarity } from './view-model';

/** The HTML's building blocks: escaping, colours and the few inline-styled elements every section uses. */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
  '=': '&#61;',
};

export const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Escapes text for HTML element content or a quoted attribute (`=` and backtick too, so no `onerror=` survives). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`=]/g, (c) => ESCAPES[c]!);
}

export const e = escapeHtml;

export const palette = {
  text: '#1d2939',
  muted: '#667085',
  line: '#e4e7ec',
  critical: '#b42318',
  criticalBg: '#fef3f2',
  warning: '#b54708',
  warningBg: '#fffaeb',
  ok: '#067647',
  okBg: '#ecfdf3',
  info: '#475467',
  infoBg: '#f2f4f7',
  silentBg: '#f2f4f7',
} as const;

/**
 * Colour only hints; the arrow and the number carry the meaning. Small moves stay grey, and so do counts that merely
 * follow the volume: fewer bounces on a quieter Sunday is not good news, a lower bounce rate is.
 */
export function deltaColour(d: Delta | null, polarity: Polarity, kind: 'count' | 'rate'): string {
  if (d === null || polarity === 'neutral' || Math.abs(d.change) < 20) return palette.muted;
  const bad = polarity === 'up-bad' ? d.change > 0 : d.change < 0;
  if (bad) return palette.critical;
  return kind === 'rate' ? palette.ok : palette.muted;
}

export const levelColour: Record<Level, string> = {
  critical: palette.critical,
  warning: palette.warning,
  info: palette.info,
  ok: palette.ok,
};
export const levelBg: Record<Level, string> = {
  critical: palette.criticalBg,
  warning: palette.warningBg,
  info: palette.infoBg,
  ok: palette.okBg,
};

// ---------------------------------------------------------------------------------------------------- HTML parts

export const FONT = 'font-family:Arial,Helvetica,sans-serif';
export const TABLE = 'cellpadding="0" cellspacing="0" border="0"';
// Data tables pad their cells by attribute: one attribute instead of a padding style on every cell.
export const DATA = 'cellpadding="3" cellspacing="0" border="0"';
/** A style attribute, or nothing when there is no style. */
export const st = (css: string) => (css ? ` style="${css}"` : '');
// Outlook does not carry fonts into nested tables, so each table names its own.
export const tableStyle = (size = 13) => `${FONT};font-size:${size}px;color:${palette.text};border-collapse:collapse`;

export const badge = (label: string, colour: string) =>
  `<span style="display:inline-block;padding:1px 6px;border-radius:3px;background:${colour};color:#ffffff;` +
  `font-size:11px;font-weight:bold;letter-spacing:0.5px">${e(label)}</span>`;

export const heading = (title: string, note = '') =>
  `<tr><td style="padding:22px 24px 6px"><div style="${FONT};font-size:17px;font-weight:bold;color:${palette.text};` +
  `border-bottom:2px solid ${palette.text};padding-bottom:4px">${e(title)}${
    note ? ` <span style="font-size:12px;font-weight:normal;color:${palette.muted}">${e(note)}</span>` : ''
  }</div></td></tr>`;

export const small = (text: string, colour: string = palette.muted) =>
  `<div style="font-size:11px;color:${colour};padding:6px 0 2px">${e(text)}</div>`;

export const row = (html: string, padding = '6px 24px') => `<tr><td style="padding:${padding}">${html}</td></tr>`;
