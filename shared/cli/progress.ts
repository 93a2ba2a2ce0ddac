import { SingleBar } from 'cli-progress';
import { utcDay } from '../core/windows';
import type { CollectEvent } from '../engine/collect';

/** Progress for people: a bar on a terminal, one plain line per finished window otherwise (logs, CI). */
export function createProgress(opts: { tty: boolean; totalWindows: number; write: (line: string) => void }) {
  if (!opts.tty) {
    return {
      onEvent(e: CollectEvent) {
        if (e.type === 'window-done') {
          opts.write(`${e.dataset} server ${e.scope} ${describe(e)}: ${e.rows ?? 0} rows`);
        }
      },
      stop() {},
    };
  }
  const bar = new SingleBar({
    format: ' {bar} {percentage}% | {value}/{total} windows | {dataset} {window} {rows} rows',
    hideCursor: true,
    // The bar goes to stdout with the summary that follows it, and is cleared so the two never share a line.
    stream: process.stdout,
    clearOnComplete: true,
  });
  let done = 0;
  let total = opts.totalWindows;
  bar.start(total, 0, { dataset: '', window: '', rows: 0 });
  return {
    onEvent(e: CollectEvent) {
      if (e.type === 'window-done' || e.type === 'window-skipped') done++;
      if (done > total) total = done;
      bar.setTotal(total);
      bar.update(done, { dataset: `${e.dataset}/${e.scope}`, window: describe(e), rows: e.rows ?? 0 });
    },
    stop() {
      bar.stop();
    },
  };
}

function describe(e: CollectEvent): string {
  const { start, end } = e.window;
  const day = utcDay(start);
  if (end - start === 86_400_000) return day;
  const hh = (t: number) => new Date(t).toISOString().slice(11, 16);
  return `${day} ${hh(start)}–${hh(end)}`;
}
