import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, ROLES, type InviteCreated, type Member } from '../api';
import { useSession } from '../auth';
import { CopyField, ErrorAlert, Notice, formatDate, roleLabel } from '../ui';
import { PageHeading } from './PageHeading';
import { Link } from '../router';
import { WellbeingAdminSection } from '../labeling/WellbeingAdmin';

export function AdminPage() {
  return (
    <>
      <PageHeading title="Co-op admin" lead="Members, their roles, invitations to join, and wellbeing." />
      <nav className="tabs" aria-label="Co-op admin sections">
        <Link to="/admin" aria-current="page">
          Members &amp; invites
        </Link>
        <Link to="/admin/projects">Models &amp; projects</Link>
        <Link to="/admin/webhooks">Webhooks</Link>
        <Link to="/admin/models">Model endpoints</Link>
      </nav>
      <InviteSection />
      <MembersSection />
      <WellbeingAdminSection />
    </>
  );
}

function MembersSection() {
  const { me } = useSession();
  const [members, setMembers] = useState<Member[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);

  const load = useCallback(async () => {
    try {
      setMembers(await api.members());
    } catch (e) {
      setError(e as ApiError);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function act(key: string, fn: () => Promise<void>, done: string) {
    setBusy(key);
    setError(null);
    setNotice('');
    try {
      await fn();
      setNotice(done);
      await load();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="card" aria-labelledby="members-heading">
      <h2 id="members-heading">Members</h2>
      <ErrorAlert error={error} />
      {notice && <Notice>{notice}</Notice>}
      {members === null && !error && <p className="muted">Loading members…</p>}
      {members && members.length === 0 && <p className="muted">No members yet.</p>}
      {members && members.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Co-op members and their roles</caption>
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Roles</th>
                <th scope="col">Status</th>
                <th scope="col">Joined</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => {
                const self = me?.id === m.id;
                const roles = m.roles ?? [];
                return (
                  <tr key={m.id} className={m.active ? undefined : 'inactive'}>
                    <th scope="row">
                      <span className="member-name">{m.display_name}</span>
                      <span className="muted small mono"> {m.login}</span>
                      {self && <span className="tag tag-self">you</span>}
                    </th>
                    <td>
                      <ul className="role-list" aria-label={`Roles of ${m.display_name}`}>
                        {ROLES.map((role) => {
                          const has = roles.includes(role);
                          const key = `${m.id}:${role}`;
                          return (
                            <li key={role}>
                              <span className={has ? 'tag tag-on' : 'tag tag-off'}>
                                {roleLabel(role)}
                                <span className="visually-hidden">{has ? ' (held)' : ' (not held)'}</span>
                              </span>
                              {m.active && (
                                <button
                                  type="button"
                                  className="btn btn-small"
                                  disabled={busy !== null}
                                  aria-label={`${has ? 'Revoke' : 'Grant'} ${role} role ${has ? 'from' : 'to'} ${m.display_name}`}
                                  onClick={() =>
                                    act(
                                      key,
                                      () => (has ? api.revokeRole(m.id, role) : api.grantRole(m.id, role)),
                                      `${has ? 'Revoked' : 'Granted'} the ${role} role ${has ? 'from' : 'to'} ${m.display_name}.`,
                                    )
                                  }
                                >
                                  {has ? 'Revoke' : 'Grant'}
                                </button>
                              )}
                            </li>
                          );
                        })}
                      </ul>
                      {/* Roles the server knows that this UI does not yet. */}
                      {roles
                        .filter((r) => !(ROLES as readonly string[]).includes(r))
                        .map((r) => (
                          <span key={r} className="tag tag-on">
                            {roleLabel(r)}
                          </span>
                        ))}
                    </td>
                    <td>{m.active ? 'Active' : 'Deactivated'}</td>
                    <td className="nowrap">{formatDate(m.created_at)}</td>
                    <td className="actions">
                      {m.active && !self && confirming !== m.id && (
                        <button
                          type="button"
                          className="btn btn-small btn-danger-outline"
                          disabled={busy !== null}
                          aria-label={`Deactivate ${m.display_name}`}
                          onClick={() => setConfirming(m.id)}
                        >
                          Deactivate
                        </button>
                      )}
                      {m.active && !self && confirming === m.id && (
                        <span className="confirm" role="group" aria-label={`Confirm deactivating ${m.display_name}`}>
                          <button
                            type="button"
                            className="btn btn-small btn-danger"
                            disabled={busy !== null}
                            onClick={() => {
                              setConfirming(null);
                              void act(`${m.id}:deactivate`, () => api.deactivate(m.id), `Deactivated ${m.display_name}.`);
                            }}
                          >
                            Yes, deactivate {m.display_name}
                          </button>
                          <button type="button" className="btn btn-small" onClick={() => setConfirming(null)}>
                            Cancel
                          </button>
                        </span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function InviteSection() {
  const [roles, setRoles] = useState<string[]>(['labeller']);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [invite, setInvite] = useState<InviteCreated | null>(null);

  function toggle(role: string, on: boolean) {
    setRoles((rs) => (on ? [...rs.filter((r) => r !== role), role] : rs.filter((r) => r !== role)));
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (roles.length === 0) {
      setError('Choose at least one role for the new member.');
      return;
    }
    setBusy(true);
    setError(null);
    setInvite(null);
    try {
      const ordered = ROLES.filter((r) => roles.includes(r));
      setInvite(await api.createInvite(ordered, note.trim()));
      setNote('');
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite a member</h2>
      <p className="muted">Creates a one-time link. Send it to the new member privately; it works once and expires.</p>
      <form onSubmit={submit} className="invite-form">
        <ErrorAlert error={error} />
        <fieldset className="checks">
          <legend>Roles for the new member</legend>
          {ROLES.map((role) => (
            <label key={role} className="check">
              <input type="checkbox" name="roles" value={role} checked={roles.includes(role)} onChange={(e) => toggle(role, e.target.checked)} />
              {roleLabel(role)}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="invite-note">Note (optional)</label>
          <input id="invite-note" aria-describedby="invite-note-hint" value={note} maxLength={200} onChange={(e) => setNote(e.target.value)} />
          <p className="hint" id="invite-note-hint">
            Kept with the invite, e.g. who it is for. The invited person can see it.
          </p>
        </div>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create invite link'}
        </button>
      </form>
      {invite && (
        <div className="result" aria-live="polite">
          <Notice>Invite link created. It is shown only now{invite.expires_at ? ` and expires ${formatDate(invite.expires_at)}` : ''}.</Notice>
          <CopyField label="One-time invite link" value={invite.url} />
        </div>
      )}
    </section>
  );
}
