// Pinned entities: the ones the analyst set aside to compare side by side.

import { createStore } from '../lib/store';

/** A pinned entity. */
export interface Pin {
  type: string;
  id: string;
  label: string;
}

/** At most this many entities are pinned; pinning another drops the oldest. */
export const maxPins = 6;

export const pinStore = createStore<Pin[]>('trailhound.pins', 'session', [], (raw) =>
  Array.isArray(raw)
    ? raw.filter((p): p is Pin => !!p && typeof p.type === 'string' && typeof p.id === 'string' && typeof p.label === 'string').slice(-maxPins)
    : undefined,
);

/** Whether an entity is pinned. */
export function isPinned(pins: Pin[], type: string, id: string): boolean {
  return pins.some((p) => p.type === type && p.id === id);
}

/** Pins or unpins an entity. */
export function togglePin(pin: Pin) {
  pinStore.set((pins) =>
    isPinned(pins, pin.type, pin.id) ? pins.filter((p) => !(p.type === pin.type && p.id === pin.id)) : [...pins, pin].slice(-maxPins),
  );
}

/** Unpins an entity. */
export function unpin(type: string, id: string) {
  pinStore.set((pins) => pins.filter((p) => !(p.type === type && p.id === id)));
}
