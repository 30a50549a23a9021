// Compose a broadcast: name, message (personalised with {{name}} / {{first_name|fallback}}), audience with a
// live recipient count, optional schedule in a chosen time zone, the message as its first recipients will read
// it, and a confirmation of the count before anything is sent. The count confirmed is the count sent: the API
// refuses it when the audience changed meanwhile, and the dialog shows the new count to confirm.
import { useId, useMemo, useState, type FormEvent } from 'react';
import type { Audience } from '@contract/schemas';
import { ApiError, errorMessage } from '../../api/client';
import { fullTime, plural } from '../../app/format';
import { notify } from '../../app/store';
import { useNow } from '../../app/useNow';
import { ConfirmDialog } from '../../app/ui/Dialog';
import { useChannels } from '../channels/useChannels';
import { toLocalInput } from '../conversation/SnoozeMenu';
import { AudiencePicker } from './AudiencePicker';
import { RecipientCount } from './RecipientCount';
import { RecipientPreview } from './RecipientPreview';
import { useAudiencePreview, useCreateBroadcast } from './useBroadcasts';
import { browserTimeZone, timeZones, zonedToInstant } from './zonedTime';

const EMPTY_AUDIENCE: Required<Audience> = { channelIds: [], tags: [], platforms: [] };

/** Only the parts of the audience that restrict it; an empty list means "no restriction". */
function toAudience(a: Required<Audience>): Audience {
  return {
    ...(a.channelIds.length ? { channelIds: a.channelIds } : {}),
    ...(a.tags.length ? { tags: a.tags } : {}),
    ...(a.platforms.length ? { platforms: a.platforms } : {}),
  };
}

export function BroadcastComposer() {
  const channels = useChannels().data?.items ?? [];
  const create = useCreateBroadcast();
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [picked, setPicked] = useState(EMPTY_AUDIENCE);
  const [scheduled, setScheduled] = useState(false);
  const [when, setWhen] = useState(() => toLocalInput(new Date(Date.now() + 3_600_000)));
  const [zone, setZone] = useState(browserTimeZone);
  const [confirming, setConfirming] = useState(false);
  /** Set when the API refused the confirmed count because the audience changed meanwhile. */
  const [recounted, setRecounted] = useState<string | null>(null);
  const zones = useMemo(() => timeZones(), []);
  const messageId = useId();
  const hintId = useId();

  const audience = useMemo(() => toAudience(picked), [picked]);
  const preview = useAudiencePreview(audience, text);
  const now = useNow();
  const scheduleAt = scheduled ? zonedToInstant(when, zone) : null;
  const scheduleProblem =
    scheduled &&
    (!scheduleAt
      ? 'Pick a date and time.'
      : scheduleAt.getTime() <= now
        ? 'Pick a time in the future.'
        : null);
  const recipients = preview.data?.total ?? 0;
  const countIsCurrent = !preview.settling && !preview.isPlaceholderData;
  const textError = countIsCurrent ? preview.data?.textError : undefined;
  const ready =
    name.trim() && text.trim() && !scheduleProblem && recipients > 0 && countIsCurrent && !textError;

  const reset = () => {
    setName('');
    setText('');
    setPicked(EMPTY_AUDIENCE);
    setScheduled(false);
  };

  const closeConfirm = () => {
    setConfirming(false);
    setRecounted(null);
  };

  const send = () =>
    create.mutate(
      {
        name: name.trim(),
        text: text.trim(),
        audience,
        expectedRecipients: recipients,
        ...(scheduleAt ? { scheduleAt: scheduleAt.toISOString(), timezone: zone } : {}),
      },
      {
        onSuccess: (b) => {
          notify(
            b.scheduleAt
              ? `“${b.name}” scheduled for ${fullTime(b.scheduleAt)}, to ${plural(b.total, 'recipient')}.`
              : `“${b.name}” is on its way to ${plural(b.total, 'recipient')}.`,
          );
          closeConfirm();
          reset();
        },
        onError: (e) => {
          if (e instanceof ApiError && e.code === 'audience_changed') {
            // Stay in the dialog with the new count: the agent confirms what will actually be sent.
            setRecounted(e.message);
            void preview.refetch();
            return;
          }
          closeConfirm();
          notify(`The broadcast was not created: ${errorMessage(e)}`, 'error');
        },
      },
    );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (ready) setConfirming(true);
  };

  return (
    <form className="card form broadcast-composer" onSubmit={submit} aria-label="New broadcast">
      <h2 className="card-title">New broadcast</h2>
      <label className="field">
        <span>Name</span>
        <input
          type="text"
          value={name}
          maxLength={200}
          placeholder="e.g. Spring sale announcement"
          onChange={(e) => setName(e.target.value)}
        />
      </label>
      <div className="field">
        <label htmlFor={messageId}>Message</label>
        <textarea
          id={messageId}
          rows={3}
          value={text}
          maxLength={4000}
          placeholder="What your customers will receive"
          aria-describedby={hintId}
          aria-invalid={textError ? true : undefined}
          onChange={(e) => setText(e.target.value)}
        />
        <small id={hintId} className="muted">
          {text.length} / 4000 · personalise with {'{{name}}'} or {'{{first_name|there}}'}
        </small>
        {textError && (
          <small className="field-error" role="alert">
            {textError}
          </small>
        )}
      </div>
      <AudiencePicker channels={channels} audience={picked} onChange={setPicked} />
      <RecipientCount preview={preview} />
      <fieldset className="schedule">
        <legend>When</legend>
        <label className="check">
          <input type="checkbox" checked={scheduled} onChange={(e) => setScheduled(e.target.checked)} />
          Schedule for later
        </label>
        {scheduled && (
          <div className="field-row">
            <label className="field">
              <span>Date and time</span>
              <input type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} />
            </label>
            <label className="field">
              <span>Time zone</span>
              <select value={zone} onChange={(e) => setZone(e.target.value)}>
                {zones.map((z) => (
                  <option key={z} value={z}>
                    {z.replaceAll('_', ' ')}
                  </option>
                ))}
              </select>
            </label>
          </div>
        )}
        {scheduleProblem && <small className="field-error">{scheduleProblem}</small>}
      </fieldset>
      {text.trim() && !textError && <RecipientPreview samples={preview.data?.samples ?? []} />}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={!ready}>
          {scheduled ? 'Review and schedule…' : 'Review and send…'}
        </button>
      </div>
      {confirming && (
        <ConfirmDialog
          title={scheduled ? 'Schedule this broadcast?' : 'Send this broadcast now?'}
          confirmLabel={
            scheduled
              ? `Schedule for ${plural(recipients, 'recipient')}`
              : `Send to ${plural(recipients, 'recipient')}`
          }
          busy={create.isPending || !countIsCurrent || preview.isFetching}
          onCancel={closeConfirm}
          onConfirm={send}
        >
          {recounted && (
            <p className="form-error" role="alert">
              {recounted}
            </p>
          )}
          <p>
            <strong>{name.trim()}</strong> goes to <strong>{plural(recipients, 'recipient')}</strong>
            {scheduleAt ? ` on ${fullTime(scheduleAt.toISOString())} (${zone})` : ' right away'}: the audience
            as it stands now, nobody who arrives later. Messages that have gone out cannot be called back.
          </p>
          <blockquote className="confirm-quote">{text.trim()}</blockquote>
        </ConfirmDialog>
      )}
    </form>
  );
}
