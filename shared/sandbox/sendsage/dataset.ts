/**
 * Deterministic synthetic data for the SendSage Monitor simulator: delivery (inbox-placement) tests with their seed
 * placements, SpamAssassin results and received messages, the account's seedlist, and rendering previews.
 *
 * Everything is generated up front from the seed (a month of tests is a few thousand seed rows), except message
 * contents, which are rebuilt from their own seed when read. What the API shows of a test depends on the clock: a
 * test is running for two hours after it was sent, and until then a seed whose message has not been collected yet
 * reads as `missing`, a duplicate copy not collected yet does not exist, and SpamAssassin's `_status` is `pending`.
 * The views (`sendSageCampaignView` in `campaign-view.ts`, `sendSageTruth` in `truth.ts`) take the clock as an argument
 * and are pure. This module holds the generation: the seed pool, the draws of each test and preview, and their ids.
 */
import { createRng, hashSeed, mixSeed, Rng, weightedTable } from '../random';
import { parseUtcDate } from '../socketlabs-v1/dates';
import {
  type Brand,
  brands,
  previewApps,
  type RuleSpec,
  recurringCustomerIds,
  rules,
  type SubjectEntry,
  spamVersions,
  subjectTable,
} from './content-tables';
import {
  defaultSendSageIsps,
  SENDSAGE_RUNNING_SECONDS,
  type SendSageAuth,
  type SendSageAuthResult,
  type SendSageCampaign,
  type SendSageData,
  type SendSageDataOptions,
  type SendSageIsp,
  type SendSageLocation,
  type SendSagePreview,
  type SendSagePreviewApp,
  type SendSagePreviewImage,
  type SendSagePreviewView,
  type SendSageSeed,
  type SendSageSeedResult,
  type SendSageSpam,
  sendSagePreviewViews,
} from './model';

const DAY = 86_400;

const usernameStyles: readonly ((rng: Rng, n: number) => string)[] = [
  (r) => `drh${r.hex(6).toLowerCase()}`,
  (_r, n) => `test_account_${100 + n}`,
  (r) => `sagepawn${r.hex(4).toLowerCase()}`,
  (r, n) => `seed.${n}.${r.hex(3).toLowerCase()}`,
];

function buildSeedPool(seed: number, isps: readonly SendSageIsp[]): SendSageSeed[] {
  const rng = createRng(seed, 'sendsage-seeds');
  const pool: SendSageSeed[] = [];
  const used = new Set<string>();
  let seedId = rng.int(30_000, 40_000);
  for (const isp of isps) {
    for (let i = 0; i < isp.seeds; i++) {
      let username = '';
      do username = rng.pick(usernameStyles)(rng, pool.length);
      while (used.has(`${username}@${isp.domain}`));
      used.add(`${username}@${isp.domain}`);
      seedId += rng.int(1, 4);
      pool.push({ seedId, isp: isp.name, address: `${username}@${isp.domain}`, username, domain: isp.domain });
    }
  }
  return pool;
}

/** SpamAssassin prints one decimal unless the rule's score needs more. */
function formatRuleScore(score: number): string {
  return Number.isInteger(Math.round(score * 10000) / 1000) ? score.toFixed(1) : String(score);
}

function formatTotalScore(score: number): string {
  const text = score.toFixed(1);
  return text === '-0.0' ? '0.0' : text;
}

function pickAuth(rng: Rng, brand: Brand): SendSageAuth {
  const spf = rng.pickWeighted(authTable);
  const dkim = rng.pickWeighted(dkimTable);
  let dmarc: SendSageAuthResult = 'none';
  if (brand.dmarc) dmarc = (spf === 'pass' || dkim === 'pass') && rng.chance(0.97) ? 'pass' : 'fail';
  return { spf, dkim, dmarc };
}

const authTable = weightedTable<SendSageAuthResult>([
  ['pass', 80],
  ['softfail', 8],
  ['fail', 5],
  ['none', 7],
]);
const dkimTable = weightedTable<SendSageAuthResult>([
  ['pass', 80],
  ['fail', 10],
  ['none', 10],
]);

function pickRules(rng: Rng, auth: SendSageAuth, subject: SubjectEntry): RuleSpec[] {
  const picked: RuleSpec[] = [];
  const reputable = rng.chance(0.45);
  if (reputable) picked.push(rules.rpCertified, ...(rng.chance(0.6) ? [rules.rpSafe] : []));
  else if (rng.chance(0.4)) picked.push(rules.dnswl);
  picked.push(rules.htmlMessage);
  if (rng.chance(0.3)) picked.push(rules.htmlOnly);
  if (rng.chance(0.2)) picked.push(rules.imageRatio);
  if (rng.chance(0.3)) picked.push(rules.trackerId);
  if (auth.dkim !== 'none') picked.push(rules.dkimSigned);
  if (auth.dkim === 'pass') picked.push(rules.dkimValid, rules.dkimValidAu);
  picked.push({ pass: rules.spfPass, softfail: rules.spfSoftfail, fail: rules.spfFail, none: rules.spfNone }[auth.spf]);
  if (subject.text.includes('<script>')) picked.push(rules.scriptTag);
  if (/[^\x00-\x7f]/.test(subject.text) && rng.chance(0.5)) picked.push(rules.unicodeSubj);
  if (subject.spammy >= 4) picked.push(rules.subjAllCaps, rules.freeClick, rules.lotsOfMoney);
  if (subject.spammy >= 1 && rng.chance(0.5)) picked.push(rules.dcc);
  // A few tests land on block lists whatever they say, so results go both ways at every subject.
  if (rng.chance(0.1)) picked.push(rules.uriblBlack, rules.sorbs);
  if (rng.chance(0.08)) picked.push(rules.uriHex);
  return picked;
}

function pickCustomerId(rng: Rng, dayNum: number): string {
  const r = rng.next();
  if (r < 0.6) return rng.pick(recurringCustomerIds);
  if (r < 0.9) return `cmp-${dayNum}-${rng.hex(4).toLowerCase()}`;
  return '';
}

/** Seconds from sending until a copy is collected: mostly minutes, a few close to the end of the running window. */
function collectDelay(rng: Rng): number {
  const r = rng.next();
  if (r < 0.8) return rng.int(40, 900);
  if (r < 0.98) return rng.int(900, 3600);
  return rng.int(3600, 6600);
}

interface PendingCampaign {
  readonly sentSec: number;
  readonly rngSeed: number;
}

function buildCampaign(
  pending: PendingCampaign,
  campaignId: number,
  nextMessageId: () => number,
  pool: readonly SendSageSeed[],
  isps: readonly SendSageIsp[],
  inboxShift: (sentSec: number) => number,
): SendSageCampaign {
  const rng = new Rng(pending.rngSeed);
  const brand = rng.pick(brands);
  const subject = rng.pickWeighted(subjectTable);
  const dayNum = Math.floor(pending.sentSec / DAY);
  const auth = pickAuth(rng, brand);
  const specs = pickRules(rng, auth, subject);
  const sum = specs.reduce((acc, r) => acc + r.score, 0);
  const score = formatTotalScore(sum);
  const spam: SendSageSpam = {
    messageId: nextMessageId(),
    processedSec: pending.sentSec + rng.int(5, 180),
    score,
    required: '5.0',
    version: rng.pick(spamVersions),
    rules: specs.map((r) => ({
      area: r.area,
      rule: r.rule,
      score: formatRuleScore(r.score),
      description: r.description,
    })),
  };

  // Inbox placement follows the score, each ISP's strictness and a per-test reputation swing. A clean test lands
  // ~95 % in the inbox (seed tests of a healthy sender), so the spammy or blocklisted ones stand out; with three to
  // eight seeds per ISP, chance alone still drops an ISP below the thresholds now and then.
  const reputation = rng.float(-0.02, 0.02);
  const baseInbox = Math.min(
    0.98,
    Math.max(0.1, 1 - Math.max(0, Number(score)) * 0.05 + reputation + inboxShift(pending.sentSec)),
  );
  const pMissing = 0.02 + (auth.spf === 'fail' ? 0.08 : 0) + (auth.dkim === 'fail' ? 0.03 : 0);
  const strictness = new Map(isps.map((i) => [i.name, i.strictness ?? 0.05]));

  const seeds: SendSageSeedResult[] = [];
  const ispsSeen = new Set<string>();
  for (let i = 0; i < pool.length; i++) {
    const s = pool[i]!;
    const lastOfIsp = pool[i + 1]?.isp !== s.isp;
    // Seed accounts drop out of single tests (locked, over quota), but every ISP keeps at least one.
    if (rng.chance(0.06) && !(lastOfIsp && !ispsSeen.has(s.isp))) continue;
    ispsSeen.add(s.isp);
    const r = rng.next();
    // Half the strictness: at full weight the strictest ISPs failed even clean tests on chance with four seeds.
    const pInbox = Math.max(0.05, baseInbox - (strictness.get(s.isp) ?? 0.05) / 2);
    const location: SendSageLocation =
      r < pMissing ? 'missing' : r < pMissing + (1 - pMissing) * pInbox ? 'inbox' : 'bulk';
    const collectedSec = location === 'missing' ? null : pending.sentSec + collectDelay(rng);
    seeds.push({
      ...s,
      messageId: nextMessageId(),
      location,
      duplicate: false,
      collectedSec,
      colonOffset: rng.chance(0.12),
      unixAsString: rng.chance(0.3),
    });
    if (collectedSec !== null && rng.chance(0.04)) {
      const again = Math.min(pending.sentSec + SENDSAGE_RUNNING_SECONDS - 60, collectedSec + rng.int(60, 1200));
      seeds.push({
        ...s,
        messageId: nextMessageId(),
        location: rng.chance(0.3) ? (location === 'inbox' ? 'bulk' : 'inbox') : location,
        duplicate: true,
        collectedSec: Math.max(collectedSec, again),
        colonOffset: rng.chance(0.12),
        unixAsString: rng.chance(0.3),
      });
    }
  }

  const octets = [rng.pick(['192.0.2', '198.51.100', '203.0.113']), rng.int(2, 250)];
  return {
    campaignId,
    sentSec: pending.sentSec,
    fromAddress: brand.fromAddress,
    fromName: brand.fromName,
    fromDomain: brand.fromAddress.slice(brand.fromAddress.indexOf('@') + 1),
    subject: subject.text,
    customerDefinedCampaignId: pickCustomerId(rng, dayNum),
    colonOffset: rng.chance(0.15),
    dateUnixAsString: rng.chance(0.1),
    sendingIp: octets.join('.'),
    auth,
    spam,
    seeds,
  };
}

function buildPreview(rng: Rng, previewId: number, sentSec: number): SendSagePreview {
  const brand = rng.pick(brands);
  const subject = rng.pickWeighted(subjectTable).text;
  const token = rng.hex(24).toLowerCase();
  const applications: SendSagePreviewApp[] = [];
  for (const app of previewApps) {
    if (!rng.chance(0.7) && applications.length + (previewApps.length - previewApps.indexOf(app)) > 2) continue;
    const views = {} as Record<SendSagePreviewView, SendSagePreviewImage>;
    for (const view of sendSagePreviewViews) {
      // Mobile clients have no preview pane; thumbnails are only made on request; renders fail now and then.
      let available = rng.chance(0.93);
      if (view === 'thumbnail') available = rng.chance(0.3);
      if (app.platform === 'Mobile devices' && view.startsWith('preview_')) available = false;
      views[view] = available
        ? {
            url: `http://monitor.drh.net/preview_images/${previewId}.${token}.${app.appId}.${view}.png`,
            status: 'done',
          }
        : { url: null, status: 'not available' };
    }
    applications.push({ appId: app.appId, platform: app.platform, name: app.name, views });
  }
  return {
    previewId,
    sentSec,
    fromAddress: brand.fromAddress,
    fromName: brand.fromName,
    fromDomain: brand.fromAddress.slice(brand.fromAddress.indexOf('@') + 1),
    subject,
    colonOffset: rng.chance(0.15),
    dateUnixAsString: rng.chance(0.1),
    applications,
  };
}

/** Generates every test, preview and seed of an account over [from, to]; pure in its options. */
export function generateSendSageData(options: SendSageDataOptions): SendSageData {
  const fromDay = parseUtcDate(options.from);
  const toDay = parseUtcDate(options.to);
  if (toDay < fromDay) throw new Error('to must not be before from');
  const perDay = options.campaignsPerDay ?? 3;
  if (!(perDay >= 0 && Number.isFinite(perDay))) throw new Error('campaignsPerDay must be a non-negative number');
  const isps = options.isps ?? defaultSendSageIsps;
  if (isps.length === 0) throw new Error('isps must not be empty');
  for (const isp of isps) {
    if (!(Number.isInteger(isp.seeds) && isp.seeds >= 1)) throw new Error(`ISP ${isp.name} needs at least one seed`);
  }
  if (new Set(isps.map((i) => i.name)).size !== isps.length) throw new Error('ISP names must be unique');
  const seed = options.seed;
  const pool = buildSeedPool(seed, isps);

  const pending: PendingCampaign[] = [];
  const previewTimes: number[] = [];
  for (let day = fromDay; day <= toDay; day++) {
    const rng = createRng(seed, 'sendsage-day', day);
    const whole = Math.floor(perDay);
    const count = Math.max(0, whole + rng.int(whole > 0 ? -1 : 0, 1) + (rng.chance(perDay - whole) ? 1 : 0));
    for (let i = 0; i < count; i++) {
      // 11:00-23:00 UTC is the sender's working day in Central time.
      pending.push({ sentSec: day * DAY + rng.int(11 * 3600, 23 * 3600), rngSeed: mixSeed(hashSeed(seed, day), i) });
    }
    const previews = rng.chance(0.6) ? (rng.chance(0.2) ? 2 : 1) : 0;
    for (let i = 0; i < previews; i++) previewTimes.push(day * DAY + rng.int(12 * 3600, 22 * 3600));
  }
  pending.sort((a, b) => a.sentSec - b.sentSec || a.rngSeed - b.rngSeed);
  previewTimes.sort((a, b) => a - b);

  // Ids are shared with other customers of the service, hence the gaps.
  const ids = createRng(seed, 'sendsage-ids');
  let campaignId = ids.int(1_000, 5_000);
  let messageId = ids.int(1_400_000, 2_700_000);
  const nextMessageId = () => {
    messageId += ids.int(1, 3);
    return messageId;
  };
  const campaigns = pending.map((p) => {
    campaignId += ids.int(1, 6);
    return buildCampaign(p, campaignId, nextMessageId, pool, isps, options.inboxShift ?? (() => 0));
  });

  let previewId = ids.int(60, 400);
  const previews = previewTimes.map((sentSec, i) => {
    previewId += ids.int(1, 4);
    return buildPreview(new Rng(mixSeed(hashSeed(seed, 'sendsage-preview'), i)), previewId, sentSec);
  });

  return { seed, isps, seedPool: pool, campaigns, previews, seedlist: pool.map((s) => s.address) };
}
