// The renderer in Chromium (playwright-core) against web mode over the benchmark cache. Uses the renderer's
// performance marks: `inbox:first-paint` (first rows painted) and `conversation:shown:<id>` (a conversation's
// messages painted after a click). Without them it falls back to DOM checks and says so.
//
// First paint cold: a fresh browser context per load (no HTTP cache, no V8 code cache), like a first launch
// ever. Warm: reloads of a page opened once, like launching the installed app again (Electron keeps its code
// cache between launches). The long thread (generate.ts, LONG_THREAD: 10,000 messages) is opened from a
// freshly reloaded page each time, so its messages are never already in the page's cache, right after
// another conversation was opened there (so the conversation view's code has run once, as in the switch
// row); then it is scrolled up through its history, older pages loading as the scroll reaches them.
import type { Browser, Page } from 'playwright-core';
import { LONG_THREAD } from './generate';
import { summarize } from './stats';
import { CHROMIUM_ARGS, findChromium } from '../helpers/chromium';

/** The little of the DOM the in-page functions use (this file is compiled with Node's types only). */
interface El {
  id: string;
  scrollTop: number;
  getAttribute(name: string): string | null;
  click(): void;
  querySelectorAll(selector: string): ArrayLike<El>;
}
interface Win {
  document: { querySelector(selector: string): El | null; querySelectorAll(selector: string): ArrayLike<El> };
  requestAnimationFrame(cb: (t: number) => void): number;
}

export interface UiResults {
  first_inbox_paint_cold_ms: number | null;
  first_inbox_paint_warm_ms: number | null;
  switch_conversation_ms: number | null;
  scroll_frame_ms_p50: number | null;
  open_long_thread_ms: number | null;
  long_thread_scroll_frame_ms_p50: number | null;
  details: Record<string, unknown>;
  notes: string[];
}

export function uiUnavailable(reason: string): UiResults {
  return {
    first_inbox_paint_cold_ms: null,
    first_inbox_paint_warm_ms: null,
    switch_conversation_ms: null,
    scroll_frame_ms_p50: null,
    open_long_thread_ms: null,
    long_thread_scroll_frame_ms_p50: null,
    details: {},
    notes: [reason],
  };
}

/** What the page logs when the first-paint mark is set: this prefix, then the mark's time. */
const FIRST_PAINT_LOG = 'bench:inbox:first-paint';

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  // tsx (esbuild keepNames) wraps named functions in __name(); the functions sent to page.evaluate need it.
  await context.addInitScript({ content: 'globalThis.__name = globalThis.__name || ((f) => f);' });
  // The first-paint mark is reported through the console, so nothing of Playwright's is evaluated on the page
  // while it loads (its injected script took 30-70 ms of the page's thread there, before the mark was set).
  await context.addInitScript({
    content: `new PerformanceObserver((list) => {
      for (const e of list.getEntriesByName('inbox:first-paint')) console.debug('${FIRST_PAINT_LOG}', e.startTime);
    }).observe({ type: 'mark' });`,
  });
  return context.newPage();
}

/** Navigate (or reload) and read the first-paint mark: ms since navigation start. */
async function firstPaint(
  page: Page,
  load: () => Promise<unknown>,
  notes: string[],
): Promise<{ ms: number; viaMark: boolean }> {
  const reported = page.waitForEvent('console', {
    predicate: (m) => m.text().startsWith(FIRST_PAINT_LOG),
    timeout: 20_000,
  });
  reported.catch(() => undefined);
  await load();
  try {
    const ms = Number((await reported).text().slice(FIRST_PAINT_LOG.length));
    return { ms, viaMark: true };
  } catch {
    await page.waitForSelector('[role=option]', { timeout: 20_000 });
    const ms = await page.evaluate(() => performance.now());
    if (!notes.some((n) => n.startsWith('no inbox:first-paint mark')))
      notes.push('no inbox:first-paint mark: timed to the first visible row instead');
    return { ms, viaMark: false };
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const r1 = (x: number) => Math.round(x * 10) / 10;

/** Click a conversation's row; ms from the click to its `shown` mark (or to a message bubble, mark false). */
function openRow(page: Page, rowId: string): Promise<{ ms: number; mark: boolean }> {
  return page.evaluate(async (rowId) => {
    const w = globalThis as unknown as Win;
    const row = w.document.querySelector(`#${rowId}`);
    if (!row) return { ms: -1, mark: false };
    const name = `conversation:shown:${rowId.replace(/^conversation-/, '')}`;
    performance.clearMarks(name);
    const t0 = performance.now();
    row.click();
    // Told of the mark by an observer rather than polling for it, which would put work on the page's thread.
    return await new Promise<{ ms: number; mark: boolean }>((resolve) => {
      const observer = new PerformanceObserver((list) => {
        const mark = list.getEntriesByName(name)[0];
        if (!mark) return;
        observer.disconnect();
        clearTimeout(timer);
        resolve({ ms: mark.startTime - t0, mark: true });
      });
      observer.observe({ type: 'mark' });
      const timer = setTimeout(() => {
        observer.disconnect();
        const shown = w.document.querySelector('.msg-bubble');
        resolve({ ms: shown ? performance.now() - t0 : -1, mark: false });
      }, 5000);
    });
  }, rowId);
}

/** Click rows one after another (never the long thread); time from the click to the conversation's mark. */
async function switches(
  page: Page,
  count: number,
  skipId: string | null,
): Promise<{ samples: number[]; viaMark: boolean }> {
  const samples: number[] = [];
  let viaMark = true;
  for (let i = 0; i < count; i++) {
    const rowId = await page.evaluate(
      ({ index, skip }) => {
        const w = globalThis as unknown as Win;
        const rows = Array.from(w.document.querySelectorAll('.conv-scroll [role=option]')).filter(
          (el) => el.getAttribute('aria-selected') !== 'true' && el.id !== skip,
        );
        return rows[index % Math.max(1, rows.length)]?.id ?? null;
      },
      { index: i * 3, skip: skipId ? `conversation-${skipId}` : '' },
    );
    if (!rowId) continue;
    const r = await openRow(page, rowId);
    if (!r.mark) viaMark = false;
    if (r.ms >= 0) samples.push(r.ms);
    await page.waitForTimeout(50);
  }
  return { samples, viaMark };
}

interface Frames {
  deltas: number[];
  scrolledPx: number;
}

/** Scroll the inbox list down at a steady speed for `seconds`, recording requestAnimationFrame deltas. */
async function scrollInbox(
  page: Page,
  seconds: number,
  pxPerSecond: number,
): Promise<Frames & { rows: number }> {
  return page.evaluate(
    async ({ seconds, pxPerSecond }) => {
      const w = globalThis as unknown as Win;
      const el = w.document.querySelector('.conv-scroll');
      if (!el) return { deltas: [], rows: 0, scrolledPx: 0 };
      el.scrollTop = 0;
      const deltas: number[] = [];
      const start = performance.now();
      const startTop = el.scrollTop;
      let last = start;
      await new Promise<void>((resolve) => {
        const frame = (t: number) => {
          deltas.push(t - last);
          last = t;
          el.scrollTop = startTop + ((t - start) / 1000) * pxPerSecond;
          if (t - start < seconds * 1000) w.requestAnimationFrame(frame);
          else resolve();
        };
        w.requestAnimationFrame((t) => {
          last = t;
          w.requestAnimationFrame(frame);
        });
      });
      return {
        deltas,
        rows: el.querySelectorAll('[role=option]').length,
        scrolledPx: el.scrollTop - startTop,
      };
    },
    { seconds, pxPerSecond },
  );
}

/**
 * Scroll the open thread up through its history at a steady speed for `seconds` (each frame moves up by the
 * time since the last one, so older pages arriving above, which shift the view to keep it in place, do not
 * stop the scroll); records requestAnimationFrame deltas and how many history pages were fetched meanwhile.
 */
async function scrollThreadUp(
  page: Page,
  seconds: number,
  pxPerSecond: number,
): Promise<Frames & { pagesLoaded: number; atTopFrames: number }> {
  return page.evaluate(
    async ({ seconds, pxPerSecond }) => {
      const w = globalThis as unknown as Win;
      const el = w.document.querySelector('.msg-scroll');
      if (!el) return { deltas: [], scrolledPx: 0, pagesLoaded: 0, atTopFrames: 0 };
      const pages = () =>
        performance.getEntriesByType('resource').filter((e) => /\/messages\?/.test(e.name)).length;
      const pagesBefore = pages();
      const deltas: number[] = [];
      let scrolledPx = 0;
      let atTopFrames = 0;
      let start = 0;
      let last = 0;
      await new Promise<void>((resolve) => {
        const frame = (t: number) => {
          const dt = t - last;
          deltas.push(dt);
          last = t;
          const before = el.scrollTop;
          el.scrollTop = Math.max(0, before - (dt / 1000) * pxPerSecond);
          scrolledPx += before - el.scrollTop;
          if (el.scrollTop === 0) atTopFrames++;
          if (t - start < seconds * 1000) w.requestAnimationFrame(frame);
          else resolve();
        };
        w.requestAnimationFrame((t) => {
          start = last = t;
          w.requestAnimationFrame(frame);
        });
      });
      return { deltas, scrolledPx, pagesLoaded: pages() - pagesBefore, atTopFrames };
    },
    { seconds, pxPerSecond },
  );
}

/** The long thread's conversation id, asked of the API: it is the newest, so on the inbox's first page. */
async function longThreadId(appUrl: string): Promise<string | null> {
  const url = new URL(appUrl);
  const token = new URLSearchParams(url.hash.slice(1)).get('token');
  const res = await fetch(`${url.origin}/api/v1/conversations?limit=50`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await res.json()) as { items: { id: string; contact: { handle: string } }[] };
  return body.items.find((c) => c.contact.handle === LONG_THREAD.handle)?.id ?? null;
}

export async function uiBench(
  appUrl: string,
  o: { loads: number; switches: number; scrollSeconds: number; longOpens: number },
): Promise<UiResults> {
  const browser = findChromium();
  if (typeof browser === 'string') return uiUnavailable(browser);
  const { chromium } = await import('playwright-core');
  const notes: string[] = [];
  const details: Record<string, unknown> = {};
  const longId = await longThreadId(appUrl);
  if (!longId) notes.push(`no conversation with the handle ${LONG_THREAD.handle} on the inbox's first page`);
  // Frame pacing off: requestAnimationFrame then runs as fast as frames can be produced, so its deltas show
  // the real cost of a frame rather than the 16.7 ms vsync interval.
  const unthrottled = await chromium.launch({
    ...browser,
    args: [...CHROMIUM_ARGS, '--disable-frame-rate-limit', '--disable-gpu-vsync'],
  });
  let switchMs: ReturnType<typeof summarize> | null = null;
  let scroll: ReturnType<typeof summarize> | null = null;
  let longScroll: ReturnType<typeof summarize> | null = null;
  const cold: number[] = [];
  const warm: number[] = [];
  const longOpens: number[] = [];
  try {
    let viaMark = true;
    for (let i = 0; i < o.loads; i++) {
      const p = await newPage(unthrottled);
      const r = await firstPaint(p, () => p.goto(appUrl), notes);
      cold.push(r.ms);
      viaMark &&= r.viaMark;
      await p.context().close();
    }
    const page = await newPage(unthrottled);
    await firstPaint(page, () => page.goto(appUrl), notes);
    for (let i = 0; i < o.loads; i++) {
      const r = await firstPaint(page, () => page.reload(), notes);
      warm.push(r.ms);
      viaMark &&= r.viaMark;
    }
    details.first_paint_cold_ms = cold.map(r1);
    details.first_paint_warm_ms = warm.map(r1);
    details.first_paint_source = viaMark
      ? 'inbox:first-paint mark, ms since navigation start; warm = reload of an opened page, cold = fresh browser context'
      : 'first visible row';

    const sw = await switches(page, o.switches, longId);
    if (!sw.viaMark)
      notes.push('no conversation:shown mark for some switches: timed to the first message bubble instead');
    switchMs = sw.samples.length ? summarize(sw.samples) : null;
    details.switch_conversation = switchMs;
    const s = await scrollInbox(page, o.scrollSeconds, 4000);
    scroll = s.deltas.length ? summarize(s.deltas) : null;
    details.scroll_unthrottled = {
      ...scroll,
      frames: s.deltas.length,
      scrolled_px: Math.round(s.scrolledPx),
      over_50ms: s.deltas.filter((d) => d > 50).length,
    };

    if (longId) {
      for (let i = 0; i < o.longOpens; i++) {
        await firstPaint(page, () => page.reload(), notes);
        const other = await page.evaluate(
          (skip) =>
            Array.from((globalThis as unknown as Win).document.querySelectorAll('.conv-scroll [role=option]'))
              .map((el) => el.id)
              .find((id) => id !== skip) ?? null,
          `conversation-${longId}`,
        );
        if (other) await openRow(page, other);
        const r = await openRow(page, `conversation-${longId}`);
        if (r.ms < 0) throw new Error('the long thread did not open within 5 s');
        if (!r.mark) notes.push('no conversation:shown mark for the long thread: timed to a message bubble');
        longOpens.push(r.ms);
      }
      details.open_long_thread_ms = longOpens.map(r1);
      await page.waitForTimeout(300);
      const l = await scrollThreadUp(page, o.scrollSeconds, 6000);
      longScroll = l.deltas.length ? summarize(l.deltas) : null;
      details.long_thread_scroll_unthrottled = {
        ...longScroll,
        frames: l.deltas.length,
        scrolled_px: Math.round(l.scrolledPx),
        history_pages_loaded: l.pagesLoaded,
        frames_waiting_at_top: l.atTopFrames,
        over_50ms: l.deltas.filter((d) => d > 50).length,
      };
    }
  } finally {
    await unthrottled.close();
  }
  // The same inbox scroll at the normal 60 Hz frame pacing: how many frames miss their vsync slot.
  const paced = await chromium.launch({ ...browser, args: CHROMIUM_ARGS });
  try {
    const page = await newPage(paced);
    await firstPaint(page, () => page.goto(appUrl), notes);
    const s = await scrollInbox(page, o.scrollSeconds, 4000);
    const sum = summarize(s.deltas);
    details.scroll_vsync = {
      ...sum,
      frames: s.deltas.length,
      missed_frames_pct:
        Math.round((1000 * s.deltas.filter((d) => d > 20).length) / Math.max(1, s.deltas.length)) / 10,
    };
  } finally {
    await paced.close();
  }
  return {
    first_inbox_paint_cold_ms: cold.length ? r1(median(cold)) : null,
    first_inbox_paint_warm_ms: warm.length ? r1(median(warm)) : null,
    switch_conversation_ms: switchMs ? switchMs.p50 : null,
    scroll_frame_ms_p50: scroll ? scroll.p50 : null,
    open_long_thread_ms: longOpens.length ? r1(median(longOpens)) : null,
    long_thread_scroll_frame_ms_p50: longScroll ? longScroll.p50 : null,
    details,
    notes,
  };
}
