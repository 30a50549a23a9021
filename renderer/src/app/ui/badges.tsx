// Small labels shared by the views: provider badges, channel and conversation states.
import {
  PROVIDER_NAMES,
  type ChannelStatus,
  type ConversationStatus,
  type ProviderId,
} from '@contract/schemas';

export function ProviderBadge({ provider }: { provider: ProviderId }) {
  return <span className={`provider-badge provider-${provider}`}>{PROVIDER_NAMES[provider]}</span>;
}

const CHANNEL_STATUS_LABELS: Record<ChannelStatus, string> = {
  connecting: 'Connecting',
  live: 'Live',
  polling: 'Polling',
  offline: 'Offline',
  auth_error: 'Sign-in failed',
  paused: 'Paused',
};

export function ChannelStatusBadge({ status }: { status: ChannelStatus }) {
  return <span className={`pill channel-${status}`}>{CHANNEL_STATUS_LABELS[status]}</span>;
}

export const CONVERSATION_STATUS_LABELS: Record<ConversationStatus, string> = {
  open: 'Open',
  pending: 'Pending',
  snoozed: 'Snoozed',
  resolved: 'Resolved',
};

/** One <option> per conversation status, for the status filters of the inbox and of search. */
export function ConversationStatusOptions() {
  return (Object.keys(CONVERSATION_STATUS_LABELS) as ConversationStatus[]).map((s) => (
    <option key={s} value={s}>
      {CONVERSATION_STATUS_LABELS[s]}
    </option>
  ));
}

export function ConversationStatusBadge({ status }: { status: ConversationStatus }) {
  return <span className={`pill status-${status}`}>{CONVERSATION_STATUS_LABELS[status]}</span>;
}
