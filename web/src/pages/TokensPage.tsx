import { useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { CopyButton } from '../components/CopyButton.tsx';
import { Field } from '../components/Field.tsx';
import { ErrorNotice, errorText, fieldErrorsOf } from '../components/ErrorNotice.tsx';
import { EmptyState, Loading } from '../components/Loading.tsx';
import { formatDateTime } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { useLabels } from '../i18n.ts';
import type { ApiToken, CreatedApiToken } from '../types.ts';

/** Personal API tokens: create one with a label (the token is shown once), revoke one after confirming. */
export function TokensPage() {
  const labels = useLabels();
  const { t, language } = labels;
  const tokens = useLoad((signal) => api.get<{ items: ApiToken[] }>('/tokens', undefined, { signal }), 'tokens');
  const [label, setLabel] = useState('');
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [missing, setMissing] = useState(false);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [revoked, setRevoked] = useState<string | null>(null);
  const [revokeError, setRevokeError] = useState<unknown>(null);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setMissing(!label.trim());
    if (!label.trim()) return;
    setBusy(true);
    setError(null);
    setRevoked(null);
    try {
      setCreated(await api.post<CreatedApiToken>('/tokens', { label: label.trim() }, { noIdempotencyKey: true }));
      setLabel('');
      await tokens.reload(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const revoke = async () => {
    if (!revoking) return;
    setBusy(true);
    setRevokeError(null);
    try {
      await api.delete(`/tokens/${revoking.id}`);
      setRevoked(revoking.label);
      if (created?.id === revoking.id) setCreated(null);
      await tokens.reload(true);
    } catch (e) {
      setRevokeError(e);
    } finally {
      setBusy(false);
      setRevoking(null);
    }
  };

  const valid = tokens.data?.items.filter((token) => !token.revokedAt) ?? [];
  const revokedTokens = tokens.data?.items.filter((token) => token.revokedAt) ?? [];
  return (
    <>
      <div className="page-head">
        <h1>{t('tokens.title')}</h1>
        <p className="lead">{t('tokens.intro')}</p>
      </div>
      <form className="card form-inline" onSubmit={create} noValidate>
        <Field
          id="token-label"
          label={t('tokens.label')}
          value={label}
          onChange={setLabel}
          required
          maxLength={200}
          placeholder={t('tokens.labelPlaceholder')}
          error={missing ? labels.label('fieldIssue', 'required') : fieldErrorsOf(labels, error).label}
        />
        <button type="submit" disabled={busy}>
          {t('tokens.create')}
        </button>
      </form>
      <div aria-live="polite" className="result-region">
        {error && !fieldErrorsOf(labels, error).label ? (
          <div className="notice notice-error" role="alert">
            {errorText(labels, error)}
          </div>
        ) : null}
        {created && (
          <div className="notice notice-success secret-box" role="status">
            <p>
              <strong>{t('tokens.createdTitle', { label: created.label })}</strong>
            </p>
            <p>{t('tokens.shownOnce')}</p>
            <p className="secret">
              <code data-testid="new-token">{created.token}</code> <CopyButton text={created.token} />
            </p>
            <p className="hint">{t('tokens.usage')}</p>
          </div>
        )}
        {revoked && (
          <div className="notice notice-info" role="status">
            {t('tokens.revokedNotice', { label: revoked })}
          </div>
        )}
        <ErrorNotice error={revokeError} />
      </div>
      <section aria-labelledby="tokens-valid">
        <h2 id="tokens-valid">{t('tokens.valid')}</h2>
        <ErrorNotice error={tokens.error} />
        {tokens.loading && <Loading />}
        {tokens.data && valid.length === 0 && <EmptyState>{t('tokens.none')}</EmptyState>}
        {valid.length > 0 && (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t('tokens.valid')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('tokens.label')}</th>
                  <th scope="col">{t('tokens.createdAt')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {valid.map((token) => (
                  <tr key={token.id}>
                    <td>{token.label}</td>
                    <td className="date">{formatDateTime(token.createdAt, language)}</td>
                    <td className="cell-actions">
                      <button
                        type="button"
                        className="button-danger button-small"
                        onClick={() => setRevoking(token)}
                        aria-label={t('tokens.revokeNamed', { label: token.label })}
                      >
                        {t('tokens.revoke')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {revokedTokens.length > 0 && (
        <details className="revoked">
          <summary>{t('tokens.revokedList', { count: revokedTokens.length })}</summary>
          <ul>
            {revokedTokens.map((token) => (
              <li key={token.id}>
                {t('tokens.revokedLine', { label: token.label, when: formatDateTime(token.revokedAt, language) })}
              </li>
            ))}
          </ul>
        </details>
      )}
      <ConfirmDialog
        open={revoking !== null}
        title={t('tokens.confirmTitle')}
        confirmLabel={t('tokens.confirmRevoke')}
        danger
        busy={busy}
        onConfirm={() => void revoke()}
        onCancel={() => setRevoking(null)}
      >
        <p>{t('tokens.confirmText', { label: revoking?.label ?? '' })}</p>
      </ConfirmDialog>
    </>
  );
}
