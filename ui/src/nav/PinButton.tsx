// Pins an entity for side-by-side comparison.

import { useStore } from '../lib/store';
import { isPinned, pinStore, togglePin } from './pins';

/** A toggle button pinning the entity. */
export function PinButton({ type, id, label }: { type: string; id: string; label: string }) {
  const pins = useStore(pinStore);
  const pinned = isPinned(pins, type, id);
  return (
    <button
      type="button"
      className="button pin-button"
      aria-pressed={pinned}
      onClick={() => togglePin({ type, id, label })}
      data-testid="pin-button"
      title={pinned ? 'Unpin: remove from the comparison' : 'Pin: compare this entity side by side with other pinned ones'}
    >
      {pinned ? '★ Pinned' : '☆ Pin'}
    </button>
  );
}
