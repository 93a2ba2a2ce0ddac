/**
 * The raw message a seed received, rebuilt from its own seed when read (never stored): each receiver's trace and
 * authentication headers, the sender's headers and an HTML body. Apart because it is the bulk of the text the
 * simulator serves and depends only on a test's records, not on how they were generated.
 */
import { createRng } from '../random';
import { formatRfc5322 } from './dates';
import type { SendSageAuthResult, SendSageCampaign, SendSageData, SendSageSeedResult } from './model';

/** What a message's own headers say about authentication; null where its receiver does not report it. */
export interface SendSageHeaderAuth {
  readonly spf: SendSageAuthResult | null;
  readonly dkim: SendSageAuthResult | null;
  readonly dmarc: SendSageAuthResult | null;
}

/** RFC 2047 B-encoding for header text that is not plain ASCII. */
function encodeWord(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

type Flavor = 'google' | 'yahoo' | 'yahoo-legacy' | 'microsoft' | 'generic';

function flavorOf(isp: string): Flavor {
  if (isp === 'Gmail') return 'google';
  if (isp === 'Yahoo' || isp === 'AOL') return 'yahoo';
  // The second AOL panel still sits on the old Yahoo platform, which reports neither SPF nor DMARC in its header.
  if (isp === 'AOL 2') return 'yahoo-legacy';
  if (isp === 'Outlook' || isp === 'Hotmail') return 'microsoft';
  return 'generic';
}

/** The authentication results a message's headers carry (see `sendSageMessageContent`). */
export function sendSageHeaderAuth(campaign: SendSageCampaign, row: SendSageSeedResult): SendSageHeaderAuth {
  const { spf, dkim, dmarc } = campaign.auth;
  return flavorOf(row.isp) === 'yahoo-legacy' ? { spf, dkim, dmarc: null } : { spf, dkim, dmarc };
}

/**
 * The raw message a seed received: the receiver's trace and authentication headers, the sender's headers, a blank
 * line and the HTML body, lines separated by LF. Null for a message that never arrived.
 */
export function sendSageMessageContent(data: SendSageData, campaign: SendSageCampaign, row: SendSageSeedResult) {
  if (row.collectedSec === null) return null;
  const rng = createRng(data.seed, 'sendsage-message', row.messageId);
  const c = campaign;
  const ip = c.sendingIp;
  const d = c.fromDomain.toLowerCase();
  const bounce = `bounce-${row.messageId}@${d}`;
  const sentAt = c.sentSec + rng.int(0, 30);
  const receivedAt = sentAt + rng.int(1, 20);
  const { spf, dkim, dmarc } = c.auth;
  const selector = rng.pick(['default', 's1', 'k1', 'dkim2024']);
  const bh = Buffer.from(rng.hex(32), 'hex').toString('base64');
  const b = Buffer.from(rng.hex(64) + rng.hex(64), 'hex').toString('base64');
  const flavor = flavorOf(row.isp);
  const spfText: Record<SendSageAuthResult, string> = {
    pass: `pass (domain of ${d} designates ${ip} as permitted sender)`,
    softfail: `softfail (domain of transitioning ${d} does not designate ${ip} as permitted sender)`,
    fail: `fail (domain of ${d} does not designate ${ip} as permitted sender)`,
    none: `none (domain of ${d} does not designate permitted sender hosts)`,
  };
  const dkimNote: Record<SendSageAuthResult, string> = {
    pass: 'pass (ok)',
    fail: 'fail (bad sig)',
    softfail: 'neutral',
    none: 'none (no signature)',
  };
  const mx = `mx${rng.int(1, 9)}.${row.domain}`;
  const h: string[] = [];
  if (flavor === 'google') {
    h.push(`Delivered-To: ${row.address}`);
    h.push(`Received: by 2002:a05:6520:${rng.hex(4).toLowerCase()} with SMTP id ${rng.hex(8).toLowerCase()};`);
    h.push(`        ${formatRfc5322(receivedAt)}`);
    h.push(`Return-Path: <${bounce}>`);
    h.push(`Received: from mta1.${d} (mta1.${d}. [${ip}])`);
    h.push(`        by mx.google.com with ESMTPS id ${rng.hex(12).toLowerCase()}`);
    h.push(`        for <${row.address}>; ${formatRfc5322(receivedAt)}`);
    h.push(`Received-SPF: ${spf} (google.com: ${spfText[spf].replace(/^\w+ \(/, '').replace(/\)$/, '')})`);
    h.push('Authentication-Results: mx.google.com;');
    h.push(
      `       dkim=${dkim === 'none' ? 'none' : `${dkim} header.i=@${d} header.s=${selector} header.b=${b.slice(0, 8)}`};`,
    );
    h.push(`       spf=${spf} (google.com: domain of ${bounce}) smtp.mailfrom=${bounce};`);
    h.push(`       dmarc=${dmarc} (p=${dmarc === 'none' ? 'NONE' : 'QUARANTINE'} sp=NONE dis=NONE) header.from=${d}`);
  } else if (flavor === 'yahoo') {
    h.push(
      `X-Apparently-To: ${row.address} via 98.138.${rng.int(1, 250)}.${rng.int(1, 250)}; ${formatRfc5322(receivedAt)}`,
    );
    if (row.location === 'bulk') h.push(`X-YahooFilteredBulk: ${ip}`);
    h.push(`Return-Path: <${bounce}>`);
    h.push(`Received-SPF: ${spfText[spf]}`);
    h.push(`X-Originating-IP: [${ip}]`);
    h.push(`Authentication-Results: atlas${rng.int(100, 400)}.free.mail.ne1.yahoo.com;`);
    h.push(` dkim=${dkim}${dkim === 'none' ? '' : ` header.i=@${d} header.s=${selector}`};`);
    h.push(` spf=${spf} smtp.mailfrom=${d};`);
    h.push(` dmarc=${dmarc}(p=${dmarc === 'none' ? 'NONE' : 'REJECT'}) header.from=${d};`);
    h.push(`Received: from ${ip} (EHLO mta1.${d})`);
    h.push(`  by ${mx} with SMTP; ${formatRfc5322(receivedAt)}`);
  } else if (flavor === 'yahoo-legacy') {
    h.push(`X-Apparently-To: ${row.address} via 98.168.85.${rng.int(1, 250)}; ${formatRfc5322(receivedAt)}`);
    if (row.location === 'bulk') h.push(`X-YahooFilteredBulk: ${ip}`);
    h.push(`Received-SPF: ${spfText[spf]}`);
    h.push(`X-Originating-IP: [${ip}]`);
    h.push(
      `Authentication-Results: mta${rng.int(1000, 1999)}.mail.sk1.yahoo.com  from=${d}; domainkeys=neutral (no sig);  from=${d}; dkim=${dkimNote[dkim]}`,
    );
    h.push(`Received: from 127.0.0.1  (HELO mta1.${d}) (${ip})`);
    h.push(`  by ${mx} with SMTP; ${formatRfc5322(receivedAt)}`);
  } else if (flavor === 'microsoft') {
    h.push(
      `Received: from ${mx} (2603:10a6:20b::${rng.hex(2).toLowerCase()}) by ${row.domain.toUpperCase()} with HTTPS;`,
    );
    h.push(` ${formatRfc5322(receivedAt)}`);
    h.push(
      `Authentication-Results: spf=${spf} (sender IP is ${ip}) smtp.mailfrom=${d}; dkim=${dkim}` +
        `${dkim === 'pass' ? ' (signature was verified)' : ''} header.d=${d};dmarc=${dmarc} action=none`,
    );
    h.push(` header.from=${d};compauth=${dmarc === 'pass' ? 'pass reason=100' : 'none reason=405'}`);
    h.push(
      `Received-SPF: ${spf === 'pass' ? 'Pass' : spf === 'fail' ? 'Fail' : spf === 'softfail' ? 'SoftFail' : 'None'}`,
    );
    h.push(
      ` (protection.outlook.com: domain of ${d} ${spf === 'pass' ? 'designates' : 'does not designate'} ${ip} as permitted sender)`,
    );
    h.push(` receiver=protection.outlook.com; client-ip=${ip}; helo=mta1.${d}; pr=C`);
  } else {
    h.push(`Return-Path: <${bounce}>`);
    h.push(`Received: from mta1.${d} ([${ip}]) by ${mx} with ESMTP id ${rng.hex(10)}`);
    h.push(`  for <${row.address}>; ${formatRfc5322(receivedAt)}`);
    h.push(`Received-SPF: ${spfText[spf]}`);
    h.push(`Authentication-Results: ${mx}; spf=${spf} smtp.mailfrom=${bounce}; dkim=${dkim} header.d=${d};`);
    h.push(`  dmarc=${dmarc} header.from=${d}`);
  }
  if (dkim !== 'none') {
    h.push(`DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;`);
    h.push(`\td=${d}; s=${selector}; h=Date:Message-ID:To:Subject:From:Reply-To:`);
    h.push(`\tMIME-Version:Content-Type:Content-Transfer-Encoding; bh=${bh};`);
    h.push(`\tb=${b}`);
  }
  const fromHeader = c.fromName === '' ? c.fromAddress : `"${encodeWord(c.fromName)}" <${c.fromAddress}>`;
  h.push(`Date: ${formatRfc5322(sentAt)}`);
  h.push(`Message-ID: <${rng.hex(16).toLowerCase()}.${row.messageId}@${d}>`);
  h.push(`To: ${row.address}`);
  h.push(`Subject: ${encodeWord(c.subject)}`);
  h.push(`From: ${fromHeader}`);
  h.push(`Reply-To: ${c.fromAddress}`);
  h.push('MIME-Version: 1.0');
  if (c.customerDefinedCampaignId !== '') h.push(`X-CampaignID: ${c.customerDefinedCampaignId}`);
  h.push(`X-Mailer-Seed: ${rng.hex(20).toLowerCase()}`);
  h.push('Content-Type: text/html; charset="UTF-8"');
  h.push('Content-Transfer-Encoding: 8bit');
  const body = [
    '<html><body>',
    `<p>Hello ${row.username},</p>`,
    `<h1>${c.subject}</h1>`,
    `<p>Here's your news from ${c.fromName === '' ? d : c.fromName}.</p>`,
    `<p><a href="https://${d}/c/${rng.hex(12).toLowerCase()}">Read more</a></p>`,
    `<img src="https://${d}/o/${row.messageId}.gif" width="1" height="1" alt="">`,
    '</body></html>',
    '',
  ];
  return `${h.join('\n')}\n\n${body.join('\n')}`;
}
