import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api.ts';
import { Field } from '../components/Field.tsx';
import { ErrorNotice, fieldErrorsOf } from '../components/ErrorNotice.tsx';
import { useLabels } from '../i18n.ts';
import type { Eligibility } from '../types.ts';

/** A POD's eligibility, answered at once, with every reason in words. */
export function EligibilityPage() {
  const labels = useLabels();
  const { t, label } = labels;
  const [pod, setPod] = useState('');
  const [result, setResult] = useState<Eligibility | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [missing, setMissing] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = pod.trim().toUpperCase();
    setMissing(!value);
    if (!value) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api.get<Eligibility>(`/supply-points/${encodeURIComponent(value)}/eligibility`));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const fieldErrors = fieldErrorsOf(labels, error);
  const podError = missing ? label('fieldIssue', 'required') : (fieldErrors.pod ?? Object.values(fieldErrors)[0]);
  return (
    <>
      <div className="page-head">
        <h1>{t('eligibility.title')}</h1>
        <p className="lead">{t('eligibility.intro')}</p>
      </div>
      <form className="card form-inline" onSubmit={submit} noValidate>
        <Field
          id="pod"
          label={t('common.pod')}
          value={pod}
          onChange={setPod}
          required
          autoComplete="off"
          spellCheck={false}
          placeholder="IT001E12345678"
          hint={t('eligibility.podHint')}
          error={podError}
          className="mono-input"
        />
        <button type="submit" disabled={busy}>
          {busy ? t('eligibility.checking') : t('eligibility.check')}
        </button>
      </form>
      <div aria-live="polite" className="result-region">
        {!podError && <ErrorNotice error={error} />}
        {result && result.eligible && (
          <div className="result result-ok" role="status">
            <h2>{t('eligibility.eligible', { pod: result.pod })}</h2>
            <p>{t('eligibility.eligibleText')}</p>
            <Link className="button" to={`/associations/new?pod=${encodeURIComponent(result.pod)}`}>
              {t('eligibility.createAssociation')}
            </Link>
          </div>
        )}
        {result && !result.eligible && (
          <div className="result result-bad" role="status">
            <h2>{t('eligibility.notEligible', { pod: result.pod })}</h2>
            <ul>
              {result.reasons.map((reason) => (
                <li key={reason}>{label('eligibilityReason', reason)}</li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </>
  );
}
