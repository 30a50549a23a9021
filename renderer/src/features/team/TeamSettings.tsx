// Settings → Team: sign in to the team's hub (URL, email, password; only the session is kept), then its
// status, the writes waiting to upload, the writes the hub did not apply, and signing out with a clear choice
// about the team's data cached here.
import { useState, type FormEvent } from 'react';
import type { TeamState, TeamStatus } from '@contract/team';
import { errorMessage } from '../../api/client';
import { fullTime } from '../../app/format';
import { ConfirmDialog } from '../../app/ui/Dialog';
import { SnapshotProgress } from './SnapshotProgress';
import { TeamAgents } from './TeamAgents';
import { useConnectTeam, useDisconnectTeam, useTeamQuery } from './useTeam';

const STATUS_TEXT: Record<TeamStatus, string> = {
  connecting: 'Connecting…',
  online: 'Online',
  offline: 'Offline — the hub cannot be reached; work goes on here and uploads when it is back',
  signed_out: 'Signed out by the hub — sign in again',
};

export function TeamSettings() {
  const team = useTeamQuery();
  return (
    <section className="card form team-settings" aria-labelledby="team-heading">
      <h2 className="card-title" id="team-heading">
        Team
      </h2>
      {team.data ? <TeamConnected team={team.data} /> : <TeamSignIn />}
    </section>
  );
}

function TeamSignIn() {
  const [hubUrl, setHubUrl] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const connect = useConnectTeam();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    connect.mutate({ hubUrl: hubUrl.trim(), email: email.trim(), password });
  };

  return (
    <form onSubmit={submit} aria-label="Sign in to a team hub">
      <p className="muted">
        Share channels, assignments and internal notes with your team through its hub. Only the session is
        kept on this computer, never the password.
      </p>
      <label className="field">
        <span>Hub URL</span>
        <input
          type="url"
          required
          placeholder="https://hub.example.com"
          value={hubUrl}
          onChange={(e) => setHubUrl(e.target.value)}
        />
      </label>
      <div className="field-row">
        <label className="field">
          <span>Email</span>
          <input
            type="email"
            required
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            required
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
      </div>
      {connect.isError && (
        <p className="field-error" role="alert">
          {errorMessage(connect.error)}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={connect.isPending}>
          {connect.isPending ? 'Signing in…' : 'Sign in to the team'}
        </button>
      </div>
    </form>
  );
}

function TeamConnected({ team }: { team: TeamState }) {
  const [signingOut, setSigningOut] = useState(false);
  const [keepCache, setKeepCache] = useState(false);
  const disconnect = useDisconnectTeam();

  return (
    <div className="team-connected">
      <SnapshotProgress />
      <dl className="team-facts">
        <dt>Hub</dt>
        <dd>{team.hubUrl}</dd>
        <dt>Signed in as</dt>
        <dd>
          {team.agent.name} ({team.agent.email}, {team.agent.role})
        </dd>
        <dt>Status</dt>
        <dd>
          <span className={`team-status team-status-${team.status}`} data-status={team.status}>
            {STATUS_TEXT[team.status]}
          </span>
        </dd>
        <dt>Waiting to upload</dt>
        <dd>{team.queued === 0 ? 'Nothing' : `${team.queued} write${team.queued === 1 ? '' : 's'}`}</dd>
      </dl>
      {team.agent.role === 'admin' && <TeamAgents />}
      {team.problems.length > 0 && (
        <div className="team-problems">
          <h3>Not applied by the hub</h3>
          <ul>
            {team.problems.map((p) => (
              <li key={p.opId}>
                <time dateTime={p.at}>{fullTime(p.at)}</time> · {p.kind}:{' '}
                {p.status === 'conflict' ? 'someone else changed it first' : 'refused'} — {p.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="form-actions">
        <button type="button" className="btn" onClick={() => setSigningOut(true)}>
          Sign out…
        </button>
      </div>
      {signingOut && (
        <ConfirmDialog
          title="Sign out of the team?"
          confirmLabel={keepCache ? 'Sign out, keep the data' : 'Sign out and delete the data'}
          danger={!keepCache}
          busy={disconnect.isPending}
          onCancel={() => setSigningOut(false)}
          onConfirm={() => disconnect.mutate(keepCache, { onSettled: () => setSigningOut(false) })}
        >
          <p>
            This desktop goes back to solo mode.
            {team.queued > 0 &&
              ` ${team.queued} write${team.queued === 1 ? '' : 's'} not yet uploaded will be dropped.`}
          </p>
          <div role="radiogroup" aria-label="The team's data on this computer">
            <label className="check">
              <input
                type="radio"
                name="keep-cache"
                checked={!keepCache}
                onChange={() => setKeepCache(false)}
              />
              Delete the team's channels, conversations and notes from this computer
            </label>
            <label className="check">
              <input type="radio" name="keep-cache" checked={keepCache} onChange={() => setKeepCache(true)} />
              Keep them here, read-only, until I sign in again
            </label>
          </div>
        </ConfirmDialog>
      )}
    </div>
  );
}
