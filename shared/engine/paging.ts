import { TotalChangedError } from '../core/errors';

/**
 * Offset paging as data. Both SocketLabs generations page by offset; they only name the parameters differently
 * (v1 `index`/`count` counts rows, v2 `pageNumber`/`pageSize` counts pages). SendSage's list calls have no paging
 * (its datasets list, then fetch each item), so it has no strategy.
 */
export type PagingStrategy =
  | { readonly kind: 'index-count'; readonly pageSize: number }
  | { readonly kind: 'page-number'; readonly pageSize: number };

export interface PageRequest {
  readonly offset: number;
  readonly size: number;
  readonly pageNumber: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** The total the API reports for the whole result set. */
  readonly total: number;
  /** A streamed page (a CSV download): its `count` items arrive in batches instead of in `items`. */
  readonly stream?: {
    readonly count: number;
    readonly batches: AsyncIterable<readonly T[]>;
    /** Closes a page that will not be read (a probe whose window gets split). */
    cancel(): Promise<void>;
  };
}

/** How many items a page holds, streamed or not. */
const pageCount = (page: Page<unknown>): number => page.stream?.count ?? page.items.length;

/**
 * Query parameters for a page request under a strategy. The size asked for is always the strategy's: a request
 * planned under another route's size (v2 falls back from its CSV route to JSON on the first page) still asks for
 * what this route serves, and the paginator then pages by the size the route reports.
 */
export function pagingParams(strategy: PagingStrategy, req: PageRequest): Record<string, string> {
  return strategy.kind === 'index-count'
    ? { index: String(req.offset), count: String(strategy.pageSize) }
    : { pageSize: String(strategy.pageSize), pageNumber: String(req.pageNumber) };
}

export interface PaginateOptions<T> {
  readonly pageSize: number;
  /** Hard bound on pages per result set, whatever the API claims. */
  readonly maxPages: number;
  readonly fetchPage: (req: PageRequest) => Promise<Page<T>>;
  /** A page already fetched for offset 0 (the window probe), so it is not fetched twice. */
  readonly firstPage?: Page<T>;
  /** Requests kept in flight ahead of the caller (default 2), so response time never leaves the rate budget idle. */
  readonly lookahead?: number;
}

/** What paging saw besides the pages: an early stop the caller should report. */
export interface PagingOutcome {
  shortBy: number;
}

/**
 * Yields the pages of one result set. Stops at the reported total, on an empty page (reporting how many rows the
 * total promised but the API did not give), or at maxPages. Throws TotalChangedError when the total moves between
 * pages: records arriving or leaving mid-way shift the offsets, so the caller must re-read the whole set.
 *
 * Up to `lookahead` further pages are requested while the caller processes one, assuming full pages; a short page
 * in the middle proves that guess wrong, and the pages in flight are then dropped and asked for again.
 */
export async function* paginate<T>(opts: PaginateOptions<T>, outcome?: PagingOutcome): AsyncGenerator<Page<T>> {
  const lookahead = opts.lookahead ?? 2;
  const inflight: { offset: number; page: Promise<Page<T>> }[] = [];
  const request = (offset: number, pageNumber: number) => {
    const page = opts.fetchPage({ offset, size: opts.pageSize, pageNumber });
    // Failures surface when the page is awaited; this only keeps a dropped request from being unhandled.
    page.catch(() => undefined);
    inflight.push({ offset, page });
  };
  let total: number | null = null;
  let offset = 0;
  for (let pageNumber = 0; pageNumber < opts.maxPages; pageNumber++) {
    let page: Page<T>;
    if (pageNumber === 0 && opts.firstPage) page = opts.firstPage;
    else {
      if (inflight[0]?.offset !== offset) {
        inflight.length = 0;
        request(offset, pageNumber);
      }
      page = await inflight.shift()!.page;
    }
    if (total === null) total = page.total;
    else if (page.total !== total) {
      throw new TotalChangedError(`result set changed from ${total} to ${page.total} rows while paging`);
    }
    const count = pageCount(page);
    if (count > opts.pageSize) {
      throw new TotalChangedError(`page of ${count} rows is larger than the ${opts.pageSize} asked for`);
    }
    if (count === 0) {
      if (outcome && offset < total) outcome.shortBy = total - offset;
      return;
    }
    offset += count;
    let nextOffset = inflight.length ? inflight.at(-1)!.offset + opts.pageSize : offset;
    let nextNumber = pageNumber + 1 + inflight.length;
    // A streamed page is read while it downloads; asking for the next one meanwhile would only hold a connection open.
    const ahead = page.stream ? 0 : lookahead;
    while (inflight.length < ahead && nextOffset < total && nextNumber < opts.maxPages) {
      request(nextOffset, nextNumber);
      nextOffset += opts.pageSize;
      nextNumber++;
    }
    yield page;
    if (offset >= total) return;
  }
  throw new Error(`paging stopped at the bound of ${opts.maxPages} pages with rows still announced`);
}
