// The renderer in Chromium (playwright-core) against web mode over the benchmark cache. Uses the renderer's
// performance marks: `inbox:first-paint` (first rows painted) and `conversation:shown:<id>` (a conversation's
// messages painted after a click). Without them it falls back to DOM checks and says so.
import type { Browser, Page } from 'playwright-core';
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
  first_inbox_paint_ms: number | null;
  switch_conversation_ms: number | null;
  scroll_frame_ms_p50: number | null;
  details: Record<string, unknown>;
  notes: string[];
}

export function uiUnavailable(reason: string): UiResults {
  return {
    first_inbox_paint_ms: null,
    switch_conversation_ms: null,
    scroll_frame_ms_p50: null,
    details: {},
    notes: [reason],
  };
}

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  // tsx (esbuild keepNames) wraps named functions in __name(); the functions sent to page.evaluate need it.
  await context.addInitScript({ content: 'globalThis.__name = globalThis.__name || ((f) => f);' });
  return context.newPage();
}

/** Navigate (or reload) and read the first-paint mark: ms since navigation start. */
async function firstPaint(
  page: Page,
  load: () => Promise<unknown>,
  notes: string[],
): Promise<{ ms: number; viaMark: boolean }> {
  await load();
  try {
    await page.waitForFunction(() => performance.getEntriesByName('inbox:first-paint').length > 0, null, {
      timeout: 20_000,
    });
    const ms = await page.evaluate(() => performance.getEntriesByName('inbox:first-paint')[0].startTime);
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

/** Click rows one after another; time from the click to the conversation's `shown` mark (or its messages). */
async function switches(page: Page, count: number): Promise<{ samples: number[]; viaMark: boolean }> {
  const samples: number[] = [];
  let viaMark = true;
  for (let i = 0; i < count; i++) {
    const r = await page.evaluate(async (index) => {
      const w = globalThis as unknown as Win;
      const rows = Array.from(w.document.querySelectorAll('.conv-scroll [role=option]')).filter(
        (el) => el.getAttribute('aria-selected') !== 'true',
      );
      const row = rows[index % Math.max(1, rows.length)];
      if (!row) return { ms: -1, mark: false };
      const id = row.id.replace(/^conversation-/, '');
      const name = `conversation:shown:${id}`;
      performance.clearMarks(name);
      const t0 = performance.now();
      row.click();
      return await new Promise<{ ms: number; mark: boolean }>((resolve) => {
        const deadline = t0 + 5000;
        const poll = () => {
          const mark = performance.getEntriesByName(name)[0];
          if (mark) return resolve({ ms: mark.startTime - t0, mark: true });
          if (performance.now() > deadline) {
            const shown = w.document.querySelector('.msg-bubble');
            return resolve({ ms: shown ? performance.now() - t0 : -1, mark: false });
          }
          setTimeout(poll, 1);
        };
        poll();
      });
    }, i * 3);
    if (!r.mark) viaMark = false;
    if (r.ms >= 0) samples.push(r.ms);
    await page.waitForTimeout(50);
  }
  return { samples, viaMark };
}

/** Scroll the inbox list at a steady speed for `seconds`, recording requestAnimationFrame deltas. */
async function scrollFrames(
  page: Page,
  seconds: number,
  pxPerSecond: number,
): Promise<{ deltas: number[]; rows: number; scrolledPx: number }> {
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

export async function uiBench(
  appUrl: string,
  o: { loads: number; switches: number; scrollSeconds: number },
): Promise<UiResults> {
  const browser = findChromium();
  if (typeof browser === 'string') return uiUnavailable(browser);
  const { chromium } = await import('playwright-core');
  const notes: string[] = [];
  const details: Record<string, unknown> = {};
  // Frame pacing off: requestAnimationFrame then runs as fast as frames can be produced, so its deltas show
  // the real cost of a frame rather than the 16.7 ms vsync interval.
  const unthrottled = await chromium.launch({
    ...browser,
    args: [...CHROMIUM_ARGS, '--disable-frame-rate-limit', '--disable-gpu-vsync'],
  });
  let switchMs: ReturnType<typeof summarize> | null = null;
  let scroll: ReturnType<typeof summarize> | null = null;
  const warm: number[] = [];
  try {
    // Cold: a fresh browser context per load (no HTTP cache, no V8 code cache), like a first launch ever.
    const cold: number[] = [];
    let viaMark = true;
    for (let i = 0; i < o.loads; i++) {
      const p = await newPage(unthrottled);
      const r = await firstPaint(p, () => p.goto(appUrl), notes);
      cold.push(r.ms);
      viaMark &&= r.viaMark;
      await p.context().close();
    }
    // Warm: reloads of a page that has been opened once, like launching the installed app again (Electron keeps
    // its code cache between launches). This is the figure reported as first_inbox_paint_ms.
    const page = await newPage(unthrottled);
    await firstPaint(page, () => page.goto(appUrl), notes);
    for (let i = 0; i < o.loads; i++) {
      const r = await firstPaint(page, () => page.reload(), notes);
      warm.push(r.ms);
      viaMark &&= r.viaMark;
    }
    details.first_paint_warm_ms = warm.map(r1);
    details.first_paint_cold_ms = cold.map(r1);
    details.first_paint_cold_median_ms = r1(median(cold));
    details.first_paint_source = viaMark
      ? 'inbox:first-paint mark, ms since navigation start; warm = reload of an opened page, cold = fresh browser context'
      : 'first visible row';
    const sw = await switches(page, o.switches);
    if (!sw.viaMark)
      notes.push('no conversation:shown mark for some switches: timed to the first message bubble instead');
    switchMs = sw.samples.length ? summarize(sw.samples) : null;
    details.switch_conversation = switchMs;
    const s = await scrollFrames(page, o.scrollSeconds, 4000);
    scroll = s.deltas.length ? summarize(s.deltas) : null;
    details.scroll_unthrottled = {
      ...scroll,
      frames: s.deltas.length,
      scrolled_px: Math.round(s.scrolledPx),
      over_50ms: s.deltas.filter((d) => d > 50).length,
    };
  } finally {
    await unthrottled.close();
  }
  // The same scroll at the normal 60 Hz frame pacing: how many frames miss their vsync slot.
  const paced = await chromium.launch({ ...browser, args: CHROMIUM_ARGS });
  try {
    const page = await newPage(paced);
    await firstPaint(page, () => page.goto(appUrl), notes);
    const s = await scrollFrames(page, o.scrollSeconds, 4000);
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
    first_inbox_paint_ms: warm.length ? r1(median(warm)) : null,
    switch_conversation_ms: switchMs ? switchMs.p50 : null,
    scroll_frame_ms_p50: scroll ? scroll.p50 : null,
    details,
    notes,
  };
}
