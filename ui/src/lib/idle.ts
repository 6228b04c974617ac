// Work for when the browser has nothing else to do.

type IdleWindow = Window & { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => number };

/** Resolves when the browser is next idle (at the latest after timeout ms). */
export function whenIdle(timeout = 2000): Promise<void> {
  const w = window as IdleWindow;
  return new Promise((resolve) => {
    if (w.requestIdleCallback) w.requestIdleCallback(() => resolve(), { timeout });
    else setTimeout(resolve, 50);
  });
}
