import { useState, type FormEvent } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { Field } from '../components/Field.tsx';
import { errorText } from '../components/ErrorNotice.tsx';
import { SignedOutShell } from '../components/SignedOutShell.tsx';
import { Loading } from '../components/Loading.tsx';
import { useLabels } from '../i18n.ts';
import { homeOf, useSession } from '../session.tsx';

/** Email and password; the errors in words (wrong credentials, too many attempts and how long to wait, expiry). */
export function LoginPage() {
  const labels = useLabels();
  const { t } = labels;
  const { state, login } = useSession();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [missing, setMissing] = useState(false);

  if (state.status === 'loading')
    return (
      <main id="main" className="centered">
        <Loading />
      </main>
    );
  if (state.status === 'authenticated') {
    return <Navigate to={from && from !== '/' && from !== '/login' ? from : homeOf(state.user)} replace />;
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!email.trim() || !password) {
      setError(null);
      setMissing(true);
      return;
    }
    setMissing(false);
    setBusy(true);
    setError(null);
    try {
      await login(email.trim(), password);
    } catch (e) {
      setError(e);
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <SignedOutShell titleId="login-title" title={t('login.title')}>
      <p className="lead">{t('login.intro')}</p>
      {state.ended === 'expired' && (
        <div className="notice notice-info" role="status">
          {t('login.expired')}
        </div>
      )}
      {state.ended === 'logged_out' && (
        <div className="notice notice-info" role="status">
          {t('login.loggedOut')}
        </div>
      )}
      <div aria-live="assertive">
        {error ? (
          <div className="notice notice-error" role="alert">
            {errorText(labels, error)}
          </div>
        ) : null}
        {missing && (
          <div className="notice notice-error" role="alert">
            {t('login.missing')}
          </div>
        )}
      </div>
      <form onSubmit={submit} noValidate>
        <Field
          id="email"
          label={t('login.email')}
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={setEmail}
        />
        <Field
          id="password"
          label={t('login.password')}
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={setPassword}
        />
        <button type="submit" disabled={busy}>
          {busy ? t('login.signingIn') : t('login.submit')}
        </button>
      </form>
      <p className="hint">{t('login.help')}</p>
    </SignedOutShell>
  );
}
