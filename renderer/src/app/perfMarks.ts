// Work that waits for what was just rendered to be on screen, and the performance marks the benchmark reads
// (test/bench/ui-bench.ts), set at that moment.

/**
 * Runs `then` after the next paint: the animation frame callback runs just before the browser paints the
 * committed DOM, and a task queued from it runs once that paint is done. Returns a cancel function.
 */
export function afterPaint(then: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const frame = requestAnimationFrame(() => {
    timer = setTimeout(then, 0);
  });
  return () => {
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
}

/** Marks `name` after the next paint. Returns a cancel function. */
export function markAfterPaint(name: string): () => void {
  return afterPaint(() => performance.mark(name));
}
