import { isNoDataAlert } from './format';
import { planHtml, type RenderOptions } from './html';
import type { Digest } from './model';
import { layoutText } from './text';
import { alertPhrase, buildView } from './view-model';

/**
 * Renders a `Digest` as an e-mail: subject, HTML part and plain-text part. Nothing here computes figures; the view
 * model orders and words what the digest says, `html.ts` and `text.ts` lay it out, so the e-mail and `digest.json`
 * can never disagree.
 *
 * The HTML is written for mail clients, not browsers: tables for layout, inline styles only (Gmail drops `<style>`
 * in many contexts, Outlook's Word engine ignores most CSS), bar charts as coloured table cells (no scripts, no
 * images), and every string that came from an API escaped. Gmail clips a message whose HTML passes about 102 KB and
 * hides the rest behind a link, so the HTML is built against a byte budget: the worst servers and campaigns are shown
 * in full, the others as rows of a compact table, and what still does not fit as one line that says so. The text
 * part shows the same items in full as the HTML, so the two parts of one e-mail agree.
 */

export type { RenderOptions } from './html';
export { escapeHtml } from './html-kit';

/** The e-mail subject: the day, the worst severity and the worst alert in a phrase; INCOMPLETE when it is. */
export function renderSubject(d: Digest): string {
  const subject = subjectOf(d);
  return d.unreadable_files.length > 0 ? `${subject} · INCOMPLETE` : subject;
}

function subjectOf(d: Digest): string {
  const a = buildView(d);
  const head = `inboxlake ${d.date}`;
  const worst = a.worst ? alertPhrase(a.worst) : '';
  // On a day without data the alert that says so would only repeat the words; any other alert still earns its place.
  if (a.noData) return a.worst && !isNoDataAlert(a.worst) ? `${head} · NO DATA · ${worst}` : `${head} · NO DATA`;
  if (!a.worst) return `${head} · OK`;
  return `${head} · ${a.worst.severity.toUpperCase()} · ${worst}`;
}

/** The HTML part: a complete e-mail document, inline-styled, escaped, and within `maxBytes`. */
export function renderHtml(d: Digest, options: RenderOptions = {}): string {
  return planHtml(buildView(d), options).html;
}

/**
 * Subject, HTML and text of one e-mail from one view model and one layout. The text part is laid out from the HTML's
 * plan (which items fit in full), never by building HTML of its own; there is no text-only rendering.
 */
export function renderDigest(d: Digest, options: RenderOptions = {}): { subject: string; html: string; text: string } {
  const view = buildView(d);
  const { html, layout } = planHtml(view, options);
  return { subject: renderSubject(d), html, text: layoutText(view, layout) };
}
