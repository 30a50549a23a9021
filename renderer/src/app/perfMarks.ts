// Performance marks the benchmark reads (test/bench/ui-bench.ts), set once what was just rendered is on screen.

/**
 * Marks `name` after the next paint: the animation frame callback runs just before the browser paints the
 * committed DOM, and a task queued from it runs once that paint is done. Returns a cancel function.
 */
export function markAfterPaint(name: string): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const frame = requestAnimationFrame(() => {
    timer = setTimeout(() => performance.mark(name), 0);
  });
  return () => {
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
}
