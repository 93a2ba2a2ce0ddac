/**
 * Schedule expressions in words, so every schedule in the console and the template says what it means
 * (`cron(5 * * * ? *)` → "every hour at minute 05"). Common shapes only; anything else is quoted as written.
 */

const pad = (n: string) => n.padStart(2, '0');

/** A plain human reading of an EventBridge Scheduler expression in a time zone. */
export function describeSchedule(expression: string, timeZone: string): string {
  const rate = /^rate\(\s*(\d+)\s+(\w+)\s*\)$/.exec(expression);
  if (rate) return `every ${rate[1]} ${rate[2]}`;
  const cron = /^cron\((.+)\)$/.exec(expression);
  const fields = cron?.[1]?.trim().split(/\s+/) ?? [];
  if (fields.length === 6) {
    const [minute, hour, dayOfMonth, month, dayOfWeek, year] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const everyDay =
      (dayOfMonth === '*' || dayOfMonth === '?') &&
      month === '*' &&
      (dayOfWeek === '*' || dayOfWeek === '?') &&
      year === '*';
    if (everyDay && /^\d+$/.test(minute) && hour === '*') return `every hour at minute ${pad(minute)}`;
    if (everyDay && /^\d+$/.test(minute) && /^\d+$/.test(hour))
      return `every day at ${pad(hour)}:${pad(minute)} ${timeZone}`;
  }
  return `${expression} in ${timeZone}`;
}

/** `HH:MM` → the Scheduler cron that fires at that local time every day. */
export function dailyAt(localTime: string): string {
  const [hour, minute] = localTime.split(':').map(Number) as [number, number];
  return `cron(${minute} ${hour} * * ? *)`;
}
