// The credential fields for one provider, with a choice where the provider accepts more than one kind.
import { useId } from 'react';
import type { ProviderId } from '@contract/schemas';
import {
  CREDENTIAL_KIND_LABELS,
  CREDENTIAL_KINDS,
  takesUserId,
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
  const fieldProps = { fields, placeholder: optional ? 'Unchanged' : undefined, set };
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
      {kind === 'apiKey' && <CredentialField label="API key" name="apiKey" secret {...fieldProps} />}
      {kind === 'apiKey' && takesUserId(provider) && (
        <CredentialField
          label="Your user id (optional: found by the first reply otherwise)"
          name="userId"
          {...fieldProps}
        />
      )}
      {kind === 'token' && <CredentialField label="Access token" name="token" secret {...fieldProps} />}
      {kind === 'login' && (
        <div className="field-row">
          <CredentialField label="Username" name="username" {...fieldProps} />
          <CredentialField label="Password" name="password" secret {...fieldProps} />
        </div>
      )}
    </fieldset>
  );
}

interface FieldProps {
  label: string;
  name: keyof CredentialFields;
  secret?: boolean;
  fields: CredentialFields;
  placeholder: string | undefined;
  set: (patch: Partial<CredentialFields>) => void;
}

function CredentialField({ label, name, secret, fields, placeholder, set }: FieldProps) {
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type={secret ? 'password' : 'text'}
        autoComplete="off"
        value={fields[name]}
        placeholder={placeholder}
        onChange={(e) => set({ [name]: e.target.value })}
      />
    </label>
  );
}
