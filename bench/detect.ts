/**
 * Live detection benchmark: headless Chromium opens the live-tile preview (/dev/live-preview) with
 * 1, 4 and 9 tiles of the fixture videos and measures, per layout, detections per second per tile,
 * descriptor computations per second, and the longest main-thread task (PerformanceObserver
 * 'longtask', which sees only tasks of 50 ms or more; the longest gap between animation frames is
 * printed as a finer measure of jank). Target with 4 tiles: every tile ≥ 4 detections/s and no main-thread task over 50 ms.
 *
 * Run:   npx tsx bench/detect.ts
 * Needs: a Sightline server already running at BENCH_URL (default http://localhost:3300), e.g.
 *          NEXT_DIST_DIR=.next-live PORT=3300 DATABASE_URL=file:/tmp/live-preview.db npx tsx server.ts
 *        (development serves /dev/live-preview; a production build needs SIGHTLINE_DEV_PAGES=1),
 *        and a Chromium (see tests/e2e/browser.ts).
 * Options (environment): BENCH_URL, BENCH_TILES=1,4,9, BENCH_SECONDS=15 (measured window per layout).
 * Output: the figures and PASS/FAIL on stdout; bench/results/detect.json. Exit code 1 on FAIL.
 *
 * Baselines from the same run, because absolute figures move with the machine and whatever else
 * it is running: the 1-tile layout (how fast one tile is analysed when it has the detector to
 * itself — more tiles share that), the worker's start-up timing of the bare tiny detector on a
 * blank 640×480 frame, and how busy the worker was (near 100 % = detection-bound, so more tiles
 * can only share the same capacity; well below = something else limits the rate). The 1-minute
 * load average is printed too: on a shared 2-core machine other processes take the CPU.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import type { PreviewStats } from '../app/dev/live-preview/preview';
import { CHROMIUM_ARGS, chromiumExecutable } from '../tests/e2e/browser';

const BASE_URL = process.env.BENCH_URL ?? 'http://localhost:3300';
const LAYOUTS = (process.env.BENCH_TILES ?? '1,4,9')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const MEASURE_MS = Number(process.env.BENCH_SECONDS ?? 15) * 1000;
const WARM_UP_MS = 4000;
const TARGET = { tiles: 4, detectionsPerTile: 4, longestTaskMs: 50 };

type Snapshot = PreviewStats;

type LayoutResult = {
  tiles: number;
  seconds: number;
  detectionsPerTile: { min: number; mean: number; each: number[] };
  /** All tiles together. */
  detectionsPerSecond: number;
  descriptorsPerSecond: number;
  probes: { submitted: number; matched: number; failed: number; invalid: number };
  staleDropped: number;
  workerMsPerDetection: number | null;
  longTasks: { count: number; longestMs: number };
  /** Longest time between two animation frames on the page (16.7 ms = perfectly smooth at 60 Hz). */
  longestFrameGapMs: number;
  /** The bare tiny detector on a blank 640×480 frame, timed by the worker at start-up. */
  detectorBaselineMs: number | null;
  /** Share of the workers' time spent detecting and describing during the window (1 = saturated). */
  workerBusy: number;
  backend: string;
  loadAverage: number;
};

declare global {
  interface Window {
    __benchLongTasks?: number[];
    __benchFrameGap?: { last: number; max: number };
  }
}

async function checkServer(): Promise<void> {
  try {
    const response = await fetch(`${BASE_URL}/dev/live-preview?tiles=0`);
    if (response.status === 404) throw new Error('/dev/live-preview answered 404: start the server in development, or set SIGHTLINE_DEV_PAGES=1');
    if (!response.ok) throw new Error(`/dev/live-preview answered ${response.status}`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`No usable server at ${BASE_URL} (${reason}).`);
    console.error('Start one: NEXT_DIST_DIR=.next-live PORT=3300 DATABASE_URL=file:/tmp/live-preview.db npx tsx server.ts');
    process.exit(2);
  }
}

async function stats(page: Page): Promise<Snapshot | null> {
  return (await page.evaluate(() => window.__sightlineLiveStats ?? null)) as Snapshot | null;
}

async function waitUntilLive(page: Page, tiles: number): Promise<Snapshot> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const snapshot = await stats(page);
    if (snapshot?.detector.state === 'failed') throw new Error(`Detector failed: ${snapshot.detector.message}`);
    const live = snapshot?.tiles.filter((tile) => tile.state === 'live' && tile.detections > 0).length ?? 0;
    if (snapshot && snapshot.detector.state === 'ready' && live === tiles) return snapshot;
    if (Date.now() > deadline) throw new Error(`Only ${live} of ${tiles} tiles live and analysed after 120 s`);
    await page.waitForTimeout(500);
  }
}

async function measure(page: Page, tiles: number): Promise<LayoutResult> {
  await page.goto(`${BASE_URL}/dev/live-preview?tiles=${tiles}`, { timeout: 120_000 });
  await waitUntilLive(page, tiles);
  await page.waitForTimeout(WARM_UP_MS);
  const load = loadavg()[0]!;
  const before = (await stats(page))!;
  await page.evaluate(() => {
    window.__benchLongTasks = [];
    window.__benchFrameGap = { last: performance.now(), max: 0 };
  });
  const startedAt = Date.now();
  await page.waitForTimeout(MEASURE_MS);
  const after = (await stats(page))!;
  const longTasks = await page.evaluate(() => window.__benchLongTasks ?? []);
  const frameGap = await page.evaluate(() => window.__benchFrameGap?.max ?? 0);
  // Stats are collected once a second: use their own timestamps for the elapsed time.
  const seconds = (after.at - before.at) / 1000 || (Date.now() - startedAt) / 1000;

  const each = after.tiles.map((tile) => {
    const earlier = before.tiles.find((t) => t.cameraId === tile.cameraId);
    return (tile.detections - (earlier?.detections ?? 0)) / seconds;
  });
  const baseline = after.detector.state === 'ready' ? after.detector.choice.wasmMs : null;
  const total = each.reduce((sum, rate) => sum + rate, 0);
  const workers = after.detector.workers;
  return {
    tiles,
    seconds: round(seconds),
    detectionsPerTile: { min: round(Math.min(...each)), mean: round(total / each.length), each: each.map(round) },
    detectionsPerSecond: round(total),
    descriptorsPerSecond: round((after.descriptors - before.descriptors) / seconds),
    probes: {
      submitted: after.probes.submitted - before.probes.submitted,
      matched: after.probes.matched - before.probes.matched,
      failed: after.probes.failed - before.probes.failed,
      invalid: after.invalidProbes,
    },
    staleDropped: after.staleDropped - before.staleDropped,
    workerMsPerDetection: after.detectMs === null ? null : round(after.detectMs),
    longTasks: { count: longTasks.length, longestMs: round(Math.max(0, ...longTasks)) },
    longestFrameGapMs: round(frameGap),
    detectorBaselineMs: baseline === null ? null : round(baseline),
    workerBusy: round((after.workerBusyMs - before.workerBusyMs) / (seconds * 1000 * workers)),
    backend: after.detector.state === 'ready' ? after.detector.choice.backend : after.detector.state,
    loadAverage: round(load),
  };
}

/**
 * Installed in the page before it loads. A string, not a function: tsx compiles functions with
 * helpers (__name) that do not exist in the page.
 */
const PAGE_PROBES = `
  window.__benchLongTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__benchLongTasks.push(entry.duration);
  }).observe({ type: 'longtask', buffered: true });
  requestAnimationFrame(function onFrame(now) {
    const gap = window.__benchFrameGap;
    if (gap) {
      gap.max = Math.max(gap.max, now - gap.last);
      gap.last = now;
    }
    requestAnimationFrame(onFrame);
  });
`;

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

async function main(): Promise<void> {
  await checkServer();
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  const results: LayoutResult[] = [];
  try {
    for (const tiles of LAYOUTS) {
      const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
      await context.addInitScript(PAGE_PROBES);
      const page = await context.newPage();
      try {
        const result = await measure(page, tiles);
        results.push(result);
        console.log(
          `${String(tiles).padStart(2)} tiles: ${result.detectionsPerTile.mean.toFixed(2)} det/s per tile (min ${result.detectionsPerTile.min.toFixed(2)}), ` +
            `${result.descriptorsPerSecond.toFixed(2)} descriptors/s, longest main-thread task ${result.longTasks.longestMs} ms ` +
            `(${result.longTasks.count} long tasks, longest frame gap ${result.longestFrameGapMs} ms), worker ${result.workerMsPerDetection ?? '—'} ms/frame, ` +
            `workers ${Math.round(result.workerBusy * 100)}% busy, bare detector ${result.detectorBaselineMs ?? '—'} ms, ` +
            `stale ${result.staleDropped}, probes ${result.probes.submitted} (invalid ${result.probes.invalid}), load ${result.loadAverage}`,
        );
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }

  const single = results.find((r) => r.tiles === 1);
  if (single && results.length > 1) {
    const scaling = results.map(
      (r) => `${r.tiles} tiles ${r.detectionsPerSecond.toFixed(1)} (×${(r.detectionsPerSecond / single.detectionsPerSecond).toFixed(2)})`,
    );
    console.log(`total detections/s against the 1-tile baseline: ${scaling.join(', ')}`);
  }

  const target = results.find((r) => r.tiles === TARGET.tiles);
  const checks = target
    ? [
        {
          name: `${TARGET.tiles} tiles: every tile ≥ ${TARGET.detectionsPerTile} detections/s`,
          pass: target.detectionsPerTile.min >= TARGET.detectionsPerTile,
          value: target.detectionsPerTile.min,
        },
        {
          name: `${TARGET.tiles} tiles: no main-thread task over ${TARGET.longestTaskMs} ms`,
          pass: target.longTasks.longestMs <= TARGET.longestTaskMs,
          value: target.longTasks.longestMs,
        },
        {
          name: 'every probe passed ProbeSchema',
          pass: results.every((r) => r.probes.invalid === 0),
          value: Math.max(...results.map((r) => r.probes.invalid)),
        },
      ]
    : [];
  for (const check of checks) console.log(`${check.pass ? 'PASS' : 'FAIL'}  ${check.name} (${check.value})`);
  if (!target) console.log(`SKIP  the target needs BENCH_TILES to include ${TARGET.tiles}`);

  const file = path.join(process.cwd(), 'bench', 'results', 'detect.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), url: BASE_URL, target: TARGET, results, checks }, null, 2)}\n`);
  console.log(`Wrote ${path.relative(process.cwd(), file)}`);
  if (checks.some((check) => !check.pass)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
