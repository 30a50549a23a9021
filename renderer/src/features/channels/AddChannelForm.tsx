// Connect a provider account: provider, name, base URL and that provider's credentials; "Test
// connection" checks them without saving. A provider already connected at the same address is pointed out.
import { useState, type FormEvent } from 'react';
import { PROVIDER_NAMES, PROVIDERS, type ProviderId } from '@contract/schemas';
import { errorMessage } from '../../api/client';
import { notify } from '../../app/store';
import { CredentialInputs } from './CredentialInputs';
import { CREDENTIAL_KINDS, EMPTY_CREDENTIALS, toCredentials, type CredentialKind } from './credentials';
import { useChannels, useCreateChannel, useTestChannel } from './useChannels';

const isHttpUrl = (s: string) => /^https?:\/\/\S+$/i.test(s.trim());

/** The same service address however it is typed: lower-case scheme and host, no trailing slash. */
function sameAddress(a: string, b: string): boolean {
  const norm = (s: string) => {
    try {
      const u = new URL(s.trim());
      return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
    } catch {
      return s.trim().replace(/\/+$/, '').toLowerCase();
    }
  };
  return norm(a) === norm(b);
}

export function AddChannelForm({ onDone }: { onDone: () => void }) {
  const [provider, setProvider] = useState<ProviderId>('chatpion');
  const [name, setName] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [kind, setKind] = useState<CredentialKind>(CREDENTIAL_KINDS.chatpion[0]);
  const [fields, setFields] = useState(EMPTY_CREDENTIALS);
  const create = useCreateChannel();
  const test = useTestChannel();
  // Credentials never come back from the API, so an account is recognised by what is shown: the provider
  // at the same address.
  const existing = (useChannels().data?.items ?? []).filter(
    (c) => c.provider === provider && isHttpUrl(baseUrl) && sameAddress(c.baseUrl, baseUrl),
  );

  const credentials = toCredentials(provider, kind, fields);
  const body =
    name.trim() && isHttpUrl(baseUrl) && credentials
      ? { provider, name: name.trim(), baseUrl: baseUrl.trim(), credentials }
      : null;

  const chooseProvider = (p: ProviderId) => {
    setProvider(p);
    setKind(CREDENTIAL_KINDS[p][0]);
    test.reset();
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!body) return;
    create.mutate(body, {
      onSuccess: (channel) => {
        notify(`${channel.name} added. Its conversations start syncing now.`);
        onDone();
      },
    });
  };

  return (
    <form className="card form" onSubmit={submit} aria-label="Add a channel">
      <h2 className="card-title">Add a channel</h2>
      <div className="field-row">
        <label className="field">
          <span>Provider</span>
          <select value={provider} onChange={(e) => chooseProvider(e.target.value as ProviderId)}>
            {PROVIDERS.map((p) => (
              <option key={p} value={p}>
                {PROVIDER_NAMES[p]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Name</span>
          <input
            type="text"
            value={name}
            placeholder={`e.g. ${PROVIDER_NAMES[provider]} support`}
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
      </div>
      <label className="field">
        <span>Base URL</span>
        <input
          type="url"
          value={baseUrl}
          placeholder="https://api.example.com"
          onChange={(e) => {
            setBaseUrl(e.target.value);
            test.reset();
          }}
        />
        {baseUrl && !isHttpUrl(baseUrl) && (
          <small className="field-error">Enter an http:// or https:// address.</small>
        )}
        {existing.length > 0 && (
          <small className="field-warn" role="status">
            {PROVIDER_NAMES[provider]} at this address is already connected as{' '}
            {existing.map((c) => `“${c.name}”`).join(', ')}. If it is the same account, its conversations
            would show twice; add it only if it is another account.
          </small>
        )}
      </label>
      <CredentialInputs
        provider={provider}
        kind={kind}
        fields={fields}
        onKind={(k) => {
          setKind(k);
          test.reset();
        }}
        onChange={(f) => {
          setFields(f);
          test.reset();
        }}
      />
      <div className="form-actions">
        <button
          type="button"
          className="btn"
          disabled={!body || test.isPending}
          onClick={() => body && test.mutate(body)}
        >
          {test.isPending ? 'Testing…' : 'Test connection'}
        </button>
        <button type="submit" className="btn btn-primary" disabled={!body || create.isPending}>
          {create.isPending ? 'Adding…' : existing.length ? 'Add it anyway' : 'Add channel'}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onDone}>
          Cancel
        </button>
        <TestOutcome result={test.data} error={test.error} />
      </div>
      {create.isError && (
        <p className="form-error" role="alert">
          Could not add the channel: {errorMessage(create.error)}
        </p>
      )}
    </form>
  );
}

export function TestOutcome({ result, error }: { result?: { ok: boolean; error?: string }; error: unknown }) {
  if (error)
    return (
      <span className="test-outcome is-bad" role="status">
        Test failed: {errorMessage(error)}
      </span>
    );
  if (!result) return null;
  return result.ok ? (
    <span className="test-outcome is-good" role="status">
      ✓ Connection works
    </span>
  ) : (
    <span className="test-outcome is-bad" role="status">
      ✗ {result.error ?? 'The provider refused these credentials.'}
    </span>
  );
}
