// The customer behind the open conversation, in the contact panel: its conversations on other channels (click one
// to open it), its contacts with Unmerge, "Merge with…", and the agent's note (local, never sent).
import { useState } from 'react';
import type { Conversation, Customer } from '@contract/schemas';
import { plural, shortTime } from '../../app/format';
import { openConversation } from '../../app/store';
import { ConversationStatusBadge, ProviderBadge } from '../../app/ui/badges';
import { useChannelMap } from '../channels/useChannels';
import { MergePicker } from './MergePicker';
import { useCustomer, useCustomerChanges, useSaveNote } from './useCustomer';

export function CustomerSection({ conversation }: { conversation: Conversation }) {
  const { data: customer, isError } = useCustomer(conversation.customerId);
  if (!customer) return isError ? <p className="muted">This customer could not be loaded.</p> : null;
  return (
    <>
      <OtherConversations customer={customer} openId={conversation.id} />
      <Contacts customer={customer} />
      {/* Keyed by customer: a draft never carries over to another customer's note. */}
      <NoteEditor key={customer.id} customer={customer} />
    </>
  );
}

function OtherConversations({ customer, openId }: { customer: Customer; openId: string }) {
  const channels = useChannelMap();
  const others = customer.conversations.filter((c) => c.id !== openId);
  const unlisted = customer.conversationCount - customer.conversations.length;
  return (
    <section aria-labelledby="customer-conversations">
      <h3 className="panel-heading" id="customer-conversations">
        Other conversations
      </h3>
      {others.length ? (
        <ul className="customer-conversations">
          {others.map((c) => (
            <li key={c.id}>
              <button type="button" onClick={() => openConversation(c.id)}>
                <span className="customer-conv-line">
                  <ProviderBadge provider={c.provider} />
                  <span className="customer-conv-channel">{channels.get(c.channelId)?.name}</span>
                  <time dateTime={c.lastActivityAt}>
                    {shortTime(c.lastMessage?.createdAt ?? c.lastActivityAt)}
                  </time>
                </span>
                <span className="customer-conv-line">
                  <ConversationStatusBadge status={c.status} />
                  <span className="customer-conv-preview">{c.lastMessage?.text ?? 'No messages yet'}</span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">None on any channel.</p>
      )}
      {unlisted > 0 && <p className="muted">and {plural(unlisted, 'older one')}</p>}
    </section>
  );
}

function Contacts({ customer }: { customer: Customer }) {
  const channels = useChannelMap();
  const { unmerge } = useCustomerChanges();
  const [merging, setMerging] = useState(false);
  const several = customer.contacts.length > 1;
  return (
    <section aria-labelledby="customer-contacts">
      <h3 className="panel-heading" id="customer-contacts">
        {several ? `Linked contacts (${customer.contacts.length})` : 'Customer'}
      </h3>
      {several && (
        <ul className="customer-contacts">
          {customer.contacts.map((k) => (
            <li key={k.id}>
              <span className="customer-contact">
                <ProviderBadge provider={k.provider} /> {k.name || k.handle}
                <span className="muted"> · {channels.get(k.channelId)?.name}</span>
              </span>
              <button
                type="button"
                className="btn btn-ghost btn-small"
                disabled={unmerge.isPending}
                aria-label={`Unmerge ${k.name || k.handle} (${channels.get(k.channelId)?.name ?? k.provider})`}
                onClick={() => unmerge.mutate({ from: customer, contactIds: [k.id] })}
              >
                Unmerge
              </button>
            </li>
          ))}
        </ul>
      )}
      {merging ? (
        <MergePicker customer={customer} onDone={() => setMerging(false)} />
      ) : (
        <button type="button" className="btn btn-small" onClick={() => setMerging(true)}>
          Merge with…
        </button>
      )}
    </section>
  );
}

function NoteEditor({ customer }: { customer: Customer }) {
  const save = useSaveNote();
  const [draft, setDraft] = useState(customer.note);
  const changed = draft !== customer.note;
  return (
    <section aria-labelledby="customer-note">
      <h3 className="panel-heading" id="customer-note">
        Note
      </h3>
      <form
        className="customer-note"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({ id: customer.id, note: draft });
        }}
      >
        <textarea
          aria-label="Note about this customer (only you see it)"
          placeholder="Only you see this note; it is never sent."
          maxLength={10_000}
          rows={3}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        {changed && (
          <button type="submit" className="btn btn-small" disabled={save.isPending}>
            Save note
          </button>
        )}
      </form>
    </section>
  );
}
