// In a conversation: a reply that failed for good, and the later replies it holds (the customer must not
// read #3 without #2) until the agent retries it, edits and retries it, or discards it.
import { useState, type FormEvent } from 'react';
import type { OutboxItem } from '@contract/schemas';
import { errorMessage } from '../../api/client';
import { plural } from '../../app/format';
import { notify, setReplyEdit, useUi } from '../../app/store';
import { ConfirmDialog } from '../../app/ui/Dialog';
import { useDiscardOutbox, useEditAndRetryOutbox, useOutbox, useRetryOutbox } from './useOutbox';

const oldestFirst = (a: OutboxItem, b: OutboxItem) => Number(a.id) - Number(b.id);

export function FailedReplyBanner({ conversationId }: { conversationId: string }) {
  const items = (useOutbox().data?.items ?? []).filter((o) => o.conversationId === conversationId);
  const failed = items.filter((o) => o.kind === 'reply' && o.status === 'failed').sort(oldestFirst)[0];
  if (!failed) return null;
  const held = items.filter((o) => o.heldBy === failed.id).length;
  return <FailedReply key={failed.id} item={failed} held={held} />;
}

function headline(held: number): string {
  if (!held) return '1 reply was not delivered. Retry, edit and resend, or discard it.';
  return `1 reply was not delivered; ${plural(held, 'later reply', 'later replies')} ${held === 1 ? 'is' : 'are'} held until you retry, edit or discard it.`;
}

function FailedReply({ item, held }: { item: OutboxItem; held: number }) {
  const retry = useRetryOutbox();
  const editAndRetry = useEditAndRetryOutbox();
  const discard = useDiscardOutbox();
  const draft = useUi((s) => s.replyEdits[item.id] ?? null);
  const setDraft = (text: string | null) => setReplyEdit(item.id, text);
  const [confirming, setConfirming] = useState(false);
  const busy = retry.isPending || editAndRetry.isPending || discard.isPending;
  const onError = (what: string) => ({
    onError: (e: unknown) => notify(`${what} failed: ${errorMessage(e)}`, 'error'),
  });

  const saveAndRetry = (e: FormEvent) => {
    e.preventDefault();
    if (!draft?.trim()) return;
    editAndRetry.mutate(
      { id: item.id, text: draft },
      { ...onError('Sending the edited reply'), onSuccess: () => setDraft(null) },
    );
  };

  return (
    <div className="banner banner-error held-banner" role="alert">
      <strong>{headline(held)}</strong>
      {draft === null ? (
        <>
          <blockquote className="held-quote">{item.text}</blockquote>
          {item.error && <p className="held-error">{item.error}</p>}
          <div className="held-actions">
            <button
              type="button"
              className="btn btn-small btn-primary"
              disabled={busy}
              onClick={() => retry.mutate(item.id, onError('Retry'))}
            >
              {retry.isPending ? 'Retrying…' : 'Retry'}
            </button>
            <button
              type="button"
              className="btn btn-small"
              disabled={busy}
              onClick={() => setDraft(item.text)}
            >
              Edit and resend
            </button>
            <button
              type="button"
              className="btn btn-small btn-danger-ghost"
              disabled={busy}
              onClick={() => setConfirming(true)}
            >
              Discard
            </button>
          </div>
        </>
      ) : (
        <form className="held-edit" onSubmit={saveAndRetry}>
          <textarea
            aria-label="Text of the failed reply"
            value={draft}
            rows={3}
            autoFocus
            onChange={(e) => setDraft(e.target.value)}
          />
          <div className="held-actions">
            <button type="submit" className="btn btn-small btn-primary" disabled={busy || !draft.trim()}>
              {editAndRetry.isPending ? 'Sending…' : 'Resend'}
            </button>
            <button type="button" className="btn btn-small" disabled={busy} onClick={() => setDraft(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {confirming && (
        <ConfirmDialog
          title="Discard this reply?"
          confirmLabel="Discard"
          danger
          busy={discard.isPending}
          onCancel={() => setConfirming(false)}
          onConfirm={() =>
            discard.mutate(item, {
              ...onError('Discarding the reply'),
              onSettled: () => setConfirming(false),
            })
          }
        >
          <p>
            It will not be sent.
            {held > 0 && ` The ${plural(held, 'reply', 'replies')} held behind it then go out in order.`}
          </p>
          <blockquote className="confirm-quote">{item.text}</blockquote>
        </ConfirmDialog>
      )}
    </div>
  );
}
