// The credential fields for one provider, with a choice where the provider accepts more than one kind.
import { useId } from 'react';
import type { ProviderId } from '@contract/schemas';
import {
  CREDENTIAL_KIND_LABELS,
  CREDENTIAL_KINDS,
  type CredentialFields,
  type CredentialKind,
} from './credentials';

interface Props {
  provider: ProviderId;
  kind: CredentialKind;
  fields: CredentialFields;
  onKind: (kind: CredentialKind) => void;
  onChange: (fields: CredentialFields) => void;
  /** Editing: empty fields keep what is stored. */
  optional?: boolean;
}

export function CredentialInputs({ provider, kind, fields, onKind, onChange, optional }: Props) {
  const groupName = useId();
  const kinds = CREDENTIAL_KINDS[provider];
  const set = (patch: Partial<CredentialFields>) => onChange({ ...fields, ...patch });
  const placeholder = optional ? 'Unchanged' : undefined;
  return (
    <fieldset className="credentials">
      <legend>Credentials{optional ? ' (leave empty to keep the stored ones)' : ''}</legend>
      {kinds.length > 1 && (
        <div className="radio-row" role="radiogroup" aria-label="Sign in with">
          {kinds.map((k) => (
            <label key={k} className="check">
              <input type="radio" name={groupName} checked={kind === k} onChange={() => onKind(k)} />
              {CREDENTIAL_KIND_LABELS[k]}
            </label>
          ))}
        </div>
      )}
      {kind === 'apiKey' && (
        <label className="field">
          <span>API key</span>
          <input
            type="password"
            autoComplete="off"
            value={fields.apiKey}
            placeholder={placeholder}
            onChange={(e) => set({ apiKey: e.target.value })}
          />
        </label>
      )}
      {kind === 'token' && (
        <label className="field">
          <span>Access token</span>
          <input
            type="password"
            autoComplete="off"
            value={fields.token}
            placeholder={placeholder}
            onChange={(e) => set({ token: e.target.value })}
          />
        </label>
      )}
      {kind === 'login' && (
        <div className="field-row">
          <label className="field">
            <span>Username</span>
            <input
              type="text"
              autoComplete="off"
              value={fields.username}
              placeholder={placeholder}
              onChange={(e) => set({ username: e.target.value })}
            />
          </label>
          <label className="field">
            <span>Password</span>
            <input
              type="password"
              autoComplete="off"
              value={fields.password}
              placeholder={placeholder}
              onChange={(e) => set({ password: e.target.value })}
            />
          </label>
        </div>
      )}
    </fieldset>
  );
}
