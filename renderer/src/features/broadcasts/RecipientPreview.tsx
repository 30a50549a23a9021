// The message as its first recipients will read it, names filled in, one recipient at a time with Previous and
// Next: the same recipients, in the same order, as the broadcast would freeze now.
import { useState } from 'react';
import type { BroadcastPreview } from '@contract/schemas';

export function RecipientPreview({ samples }: { samples: BroadcastPreview['samples'] }) {
  const [index, setIndex] = useState(0);
  if (!samples.length) return null;
  const at = Math.min(index, samples.length - 1);
  const sample = samples[at];
  return (
    <section className="broadcast-preview" aria-label="Message preview">
      <div className="broadcast-preview-head">
        <span className="muted" aria-live="polite">
          To <strong>{sample.contactName || 'a contact without a name'}</strong> ({at + 1} of the first{' '}
          {samples.length})
        </span>
        <span className="broadcast-preview-steps">
          <button
            type="button"
            className="btn btn-small"
            aria-label="Previous recipient"
            disabled={at === 0}
            onClick={() => setIndex(at - 1)}
          >
            ‹
          </button>
          <button
            type="button"
            className="btn btn-small"
            aria-label="Next recipient"
            disabled={at === samples.length - 1}
            onClick={() => setIndex(at + 1)}
          >
            ›
          </button>
        </span>
      </div>
      <div className="msg msg-in">
        <div className="msg-bubble">
          <p className="msg-text">{sample.text}</p>
        </div>
      </div>
    </section>
  );
}
