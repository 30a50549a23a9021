// One message: text or media, time, delivery state (with why a queued reply waits), Assistify's
// intent/sentiment, the broadcast it was part of, and Retry or Edit and resend when failed.
import { memo } from 'react';
import type { Message } from '@contract/schemas';
import { clockTime, fullTime } from '../../app/format';
import { DeliveryStatus } from './DeliveryStatus';
import { AttachmentView } from './AttachmentView';
import { attachmentUrl } from './attachments';
import { isLocalMessage } from './messageCache';
import { ReplyAuthor } from '../team/ReplyAuthor';

interface BubbleProps {
  message: Message;
  highlighted: boolean;
  onRetry: (m: Message) => void;
  onEdit: (m: Message) => void;
  retrying: boolean;
}

export const MessageBubble = memo(function MessageBubble({
  message: m,
  highlighted,
  onRetry,
  onEdit,
  retrying,
}: BubbleProps) {
  const url = m.type === 'text' ? null : attachmentUrl(m);
  const showText = m.text && m.text.trim() !== url;
  return (
    <div
      id={`message-${m.id}`}
      className={`msg msg-${m.direction}${highlighted ? ' is-highlighted' : ''}${m.status === 'failed' ? ' is-failed' : ''}`}
    >
      <div className="msg-bubble">
        {m.type !== 'text' && <AttachmentView type={m.type} url={url} />}
        {showText && <p className="msg-text">{m.text}</p>}
        <AssistifyInsight meta={m.meta} />
      </div>
      <div className="msg-foot">
        {m.broadcast && (
          <span className="msg-broadcast" title="Sent to many customers at once, from Broadcasts">
            Broadcast: {m.broadcast.name}
          </span>
        )}
        {m.direction === 'out' && <ReplyAuthor meta={m.meta} />}
        <time dateTime={m.createdAt} title={fullTime(m.createdAt)}>
          {clockTime(m.createdAt)}
        </time>
        {m.direction === 'out' && <DeliveryStatus status={m.status} reason={m.error} />}
      </div>
      {m.status === 'failed' && (
        <div className="msg-failure" role="alert">
          <span>Not delivered{m.error ? `: ${m.error}` : '.'}</span>
          <button type="button" className="btn btn-small" onClick={() => onRetry(m)} disabled={retrying}>
            {retrying ? 'Retrying…' : 'Retry'}
          </button>
          {!isLocalMessage(m) && (
            <button type="button" className="btn btn-small" onClick={() => onEdit(m)} disabled={retrying}>
              Edit and resend
            </button>
          )}
        </div>
      )}
    </div>
  );
});

function AssistifyInsight({ meta }: { meta: Message['meta'] }) {
  const intent = typeof meta?.intent === 'string' ? meta.intent : null;
  const sentiment = typeof meta?.sentiment === 'string' ? meta.sentiment : null;
  const confidence = typeof meta?.confidence === 'number' ? meta.confidence : null;
  if (!intent && !sentiment) return null;
  return (
    <div className="msg-insight" aria-label="Assistify analysis">
      {intent && (
        <span className="insight insight-intent" title="Intent detected by Assistify">
          {intent}
          {confidence !== null && ` · ${Math.round(confidence <= 1 ? confidence * 100 : confidence)}%`}
        </span>
      )}
      {sentiment && (
        <span
          className={`insight insight-${sentiment.toLowerCase()}`}
          title="Sentiment detected by Assistify"
        >
          {sentiment}
        </span>
      )}
    </div>
  );
}
