// The live "how many people will get this" line under the audience.
import { errorMessage } from '../../api/client';
import { duration, plural } from '../../app/format';
import type { useAudiencePreview } from './useBroadcasts';

export function RecipientCount({ preview }: { preview: ReturnType<typeof useAudiencePreview> }) {
  if (preview.isError) {
    return (
      <p className="recipient-count is-bad" role="status">
        Could not count recipients: {errorMessage(preview.error)}
      </p>
    );
  }
  const p = preview.data;
  return (
    <p
      className={`recipient-count${preview.settling || preview.isFetching ? ' is-updating' : ''}`}
      role="status"
      aria-live="polite"
    >
      {p ? (
        <>
          <strong>{plural(p.total, 'recipient')}</strong>
          {p.perChannel.length > 0 &&
            ` across ${plural(p.perChannel.filter((c) => c.recipients > 0).length, 'channel')}`}
          {p.total > 0 && ` · about ${duration(p.etaSeconds)} to send`}
        </>
      ) : (
        'Counting recipients…'
      )}
    </p>
  );
}
