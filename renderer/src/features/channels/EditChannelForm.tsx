// Rename, re-point or re-authenticate a channel; empty credential fields keep the stored ones, except for a
// base URL on another server (origin), which needs the credentials again.
import { useState, type FormEvent } from 'react';
import type { BodyOf } from '@contract/routes';
import type { Channel } from '@contract/schemas';
import { errorMessage } from '../../api/client';
import { notify } from '../../app/store';
import { CredentialInputs } from './CredentialInputs';
import { CREDENTIAL_KINDS, EMPTY_CREDENTIALS, toCredentials, type CredentialKind } from './credentials';
import { usePatchChannel } from './useChannels';

const originOf = (url: string): string | null => {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
};

export function EditChannelForm({ channel, onDone }: { channel: Channel; onDone: () => void }) {
  const [name, setName] = useState(channel.name);
  const [baseUrl, setBaseUrl] = useState(channel.baseUrl);
  const [kind, setKind] = useState<CredentialKind>(CREDENTIAL_KINDS[channel.provider][0]);
  const [fields, setFields] = useState(EMPTY_CREDENTIALS);
  const patch = usePatchChannel();

  const credentials = toCredentials(channel.provider, kind, fields);
  const changes: BodyOf<'patchChannel'> = {
    ...(name.trim() && name.trim() !== channel.name ? { name: name.trim() } : {}),
    ...(baseUrl.trim() && baseUrl.trim() !== channel.baseUrl ? { baseUrl: baseUrl.trim() } : {}),
    ...(credentials ? { credentials } : {}),
  };
  const hasChanges = Object.keys(changes).length > 0;
  const newServer = 'baseUrl' in changes && originOf(baseUrl.trim()) !== originOf(channel.baseUrl);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!hasChanges) return onDone();
    patch.mutate(
      { id: channel.id, patch: changes },
      {
        onSuccess: (saved) => {
          notify(`${saved.name} saved.`);
          onDone();
        },
      },
    );
  };

  return (
    <form className="form channel-edit" onSubmit={submit} aria-label={`Edit ${channel.name}`}>
      <div className="field-row">
        <label className="field">
          <span>Name</span>
          <input type="text" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span>Base URL</span>
          <input type="url" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} />
          {newServer && !credentials && (
            <small className="field-error">
              Another server: enter its credentials below. The stored ones are only sent to{' '}
              {originOf(channel.baseUrl)}.
            </small>
          )}
        </label>
      </div>
      <CredentialInputs
        provider={channel.provider}
        kind={kind}
        fields={fields}
        onKind={setKind}
        onChange={setFields}
        optional={!newServer}
      />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={patch.isPending}>
          {patch.isPending ? 'Saving…' : 'Save changes'}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onDone}>
          Cancel
        </button>
      </div>
      {patch.isError && (
        <p className="form-error" role="alert">
          Could not save: {errorMessage(patch.error)}
        </p>
      )}
    </form>
  );
}
