import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api.ts';
import { Field } from '../components/Field.tsx';
import { errorText, fieldErrorsOf } from '../components/ErrorNotice.tsx';
import { SignedOutShell } from '../components/SignedOutShell.tsx';
import { useEditedFields } from '../hooks.ts';
import { useLabels } from '../i18n.ts';

export const MIN_PASSWORD_LENGTH = 12;

let capturedToken = '';

/**
 * The token of the one-time link `/activate#token=…` (a fragment never reaches a server's logs), taken out of the
 * address bar once read so that it does not stay in the history.
 */
function tokenFromHash(): string {
  const token = new URLSearchParams(window.location.hash.replace(/^#/, '')).get('token');
  if (token) {
    capturedToken = token;
    window.history.replaceState(window.history.state, '', window.location.pathname);
  }
  return capturedToken;
}

/** A representative named in the consent form sets their password from the link the DSO sent them. */
export function ActivatePage() {
  const labels = useLabels();
  const { t } = labels;
  const [token] = useState(tokenFromHash);
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const fields = useEditedFields();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (password.length < MIN_PASSWORD_LENGTH)
      problems.password = t('activate.tooShort', { count: MIN_PASSWORD_LENGTH });
    if (confirmation !== password) problems.confirmation = t('activate.mismatch');
    setLocalErrors(problems);
    fields.reset();
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      await api.post<void>('/activation', { token, password }, { anonymous: true, noIdempotencyKey: true });
      setDone(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const fieldErrors = fields.visible({ ...fieldErrorsOf(labels, error), ...localErrors });
  return (
    <SignedOutShell titleId="activate-title" title={t('activate.title')}>
      <div aria-live="polite">
        {done && (
          <div className="notice notice-success" role="status">
            {t('activate.done')} <Link to="/login">{t('activate.toLogin')}</Link>
          </div>
        )}
      </div>
      {!token && !done && (
        <div className="notice notice-error" role="alert">
          {t('activate.noToken')}
        </div>
      )}
      {token && !done && (
        <>
          <p className="lead">{t('activate.intro', { count: MIN_PASSWORD_LENGTH })}</p>
          {error ? (
            <div className="notice notice-error" role="alert">
              {errorText(labels, error)}
            </div>
          ) : null}
          <form onSubmit={submit} noValidate>
            <Field
              id="new-password"
              label={t('activate.password')}
              type="password"
              autoComplete="new-password"
              required
              value={password}
              onChange={(v) => {
                setPassword(v);
                fields.edited('password');
              }}
              error={fieldErrors.password}
              hint={t('activate.passwordHint', { count: MIN_PASSWORD_LENGTH })}
            />
            <Field
              id="confirm-password"
              label={t('activate.confirmation')}
              type="password"
              autoComplete="new-password"
              required
              value={confirmation}
              onChange={(v) => {
                setConfirmation(v);
                fields.edited('confirmation');
              }}
              error={fieldErrors.confirmation}
            />
            <button type="submit" disabled={busy}>
              {t('activate.submit')}
            </button>
          </form>
        </>
      )}
    </SignedOutShell>
  );
}
