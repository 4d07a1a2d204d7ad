'use client';

import { useCallback, useEffect, useImperativeHandle, useLayoutEffect, useRef, useState, type ReactNode, type Ref } from 'react';

export type VirtualListHandle = {
  /** Scrolls the least needed to show row `index` whole. */
  ensureVisible(index: number): void;
  scrollToTop(): void;
  focus(): void;
};

type Props<T> = {
  items: readonly T[];
  /** Every row is exactly this tall (px): that is what makes the window arithmetic trivial. */
  rowHeight: number;
  getKey(item: T): string;
  /** Finds an item's index faster than a scan (e.g. binary search in a sorted list); -1 if gone. */
  locate?(items: readonly T[], item: T): number;
  /** `onScreen` is false for the overscan rows drawn just outside the viewport. */
  renderRow(item: T, index: number, onScreen: boolean): ReactNode;
  /** Rows drawn above and below the viewport, so a quick flick does not show blanks. */
  overscan?: number;
  className?: string;
  label: string;
  ref?: Ref<VirtualListHandle>;
  /** Called when the list is scrolled to the very top, or away from it. */
  onAtTopChange?(atTop: boolean): void;
  testId?: string;
};

/**
 * A fixed-row-height window over a scrolling container: only the rows in view (plus a few)
 * are in the DOM, so 10,000 alerts cost what 20 do. Rows are absolutely placed by index.
 * When rows are inserted above the view while the operator is scrolled down (new alerts
 * arrive at the top), the scroll position moves with them, so the rows being read stay still.
 */
export function VirtualList<T>({ items, rowHeight, getKey, locate, renderRow, overscan = 3, className, label, ref, onAtTopChange, testId }: Props<T>) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const anchor = useRef<{ item: T; index: number } | null>(null);
  const atTop = useRef(true);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    setViewport(el.clientHeight);
    const observer = new ResizeObserver(() => setViewport(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // Keep the first visible row where it was when rows are inserted above it.
  useLayoutEffect(() => {
    const el = scroller.current;
    const held = anchor.current;
    if (!el || !held || el.scrollTop === 0) return;
    const same = items[held.index];
    const key = getKey(held.item);
    if (same && getKey(same) === key) return;
    const moved = locate ? locate(items, held.item) : items.findIndex((item) => getKey(item) === key);
    if (moved >= 0 && moved !== held.index) {
      el.scrollTop += (moved - held.index) * rowHeight;
      setScrollTop(el.scrollTop);
    }
  }, [items, getKey, locate, rowHeight]);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    const top = el.scrollTop < rowHeight / 2;
    if (top !== atTop.current) {
      atTop.current = top;
      onAtTopChange?.(top);
    }
  }, [onAtTopChange, rowHeight]);

  useImperativeHandle(
    ref,
    () => ({
      ensureVisible(index: number) {
        const el = scroller.current;
        if (!el || index < 0) return;
        const top = index * rowHeight;
        if (top < el.scrollTop) el.scrollTop = top;
        else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
      },
      scrollToTop() {
        if (scroller.current) scroller.current.scrollTop = 0;
      },
      focus() {
        scroller.current?.focus({ preventScroll: true });
      },
    }),
    [rowHeight],
  );

  const firstOnScreen = Math.min(items.length, Math.floor(scrollTop / rowHeight));
  const lastOnScreen = Math.min(items.length - 1, Math.ceil((scrollTop + viewport) / rowHeight) - 1);
  const start = Math.max(0, firstOnScreen - overscan);
  const end = Math.min(items.length - 1, lastOnScreen + overscan);
  const first = items[firstOnScreen];
  useEffect(() => {
    anchor.current = first ? { item: first, index: firstOnScreen } : null;
  });

  const rows: ReactNode[] = [];
  for (let i = start; i <= end; i++) {
    const item = items[i]!;
    rows.push(
      <div
        key={getKey(item)}
        role="listitem"
        aria-posinset={i + 1}
        aria-setsize={items.length}
        // Each row is a fixed box: its layout and paint never affect the others (contain: strict).
        style={{ position: 'absolute', top: 0, left: 0, right: 0, height: rowHeight, transform: `translateY(${i * rowHeight}px)`, contain: 'strict' }}
      >
        {renderRow(item, i, i >= firstOnScreen && i <= lastOnScreen)}
      </div>,
    );
  }

  return (
    <div
      ref={scroller}
      className={className}
      onScroll={onScroll}
      tabIndex={0}
      style={{ overflowY: 'auto', position: 'relative', contain: 'strict' }}
      data-testid={testId}
    >
      <div role="list" aria-label={label} style={{ position: 'relative', height: items.length * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}
