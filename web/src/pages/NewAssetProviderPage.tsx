import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api } from '../api.ts';
import { Field } from '../components/Field.tsx';
import { errorText, fieldErrorsOf } from '../components/ErrorNotice.tsx';
import { useLabels } from '../i18n.ts';
import type { AssetProviderDetail } from '../types.ts';
import { focusFirstInvalid } from '../validation.ts';

/** The application of a new asset provider: its company name and VAT number. */
export function NewAssetProviderPage() {
  const labels = useLabels();
  const { t, label } = labels;
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [vatNumber, setVatNumber] = useState('');
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!name.trim()) problems.name = label('fieldIssue', 'required');
    if (!vatNumber.trim()) problems.vatNumber = label('fieldIssue', 'required');
    setLocalErrors(problems);
    setError(null);
    if (Object.keys(problems).length > 0) {
      focusFirstInvalid();
      return;
    }
    setBusy(true);
    try {
      const created = await api.post<AssetProviderDetail>('/asset-providers', {
        name: name.trim(),
        vatNumber: vatNumber.trim().toUpperCase().replace(/\s+/g, ''),
      });
      navigate(`/dso/asset-providers/${created.id}`, { state: { notice: 'created' } });
    } catch (e) {
      setError(e);
      focusFirstInvalid();
    } finally {
      setBusy(false);
    }
  };

  const errors = { ...fieldErrorsOf(labels, error), ...localErrors };
  const formError = error && Object.keys(fieldErrorsOf(labels, error)).length === 0 ? errorText(labels, error) : null;
  return (
    <>
      <p className="breadcrumb">
        <Link to="/dso/asset-providers">{t('onboarding.back')}</Link>
      </p>
      <div className="page-head">
        <h1>{t('onboarding.newTitle')}</h1>
        <p className="lead">{t('onboarding.newIntro')}</p>
      </div>
      <form className="card form" onSubmit={submit} noValidate>
        {formError && (
          <div className="notice notice-error" role="alert">
            {formError}
          </div>
        )}
        <Field
          id="ap-name"
          label={t('onboarding.name')}
          value={name}
          onChange={setName}
          required
          maxLength={200}
          autoComplete="organization"
          error={errors.name}
        />
        <Field
          id="ap-vat"
          label={t('onboarding.vatNumber')}
          value={vatNumber}
          onChange={setVatNumber}
          required
          maxLength={32}
          autoComplete="off"
          placeholder="IT01234567890"
          hint={t('onboarding.vatHint')}
          error={errors.vatNumber}
          className="mono-input"
        />
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? t('common.sending') : t('onboarding.create')}
          </button>
          <Link className="button button-secondary" to="/dso/asset-providers">
            {t('common.cancel')}
          </Link>
        </div>
      </form>
    </>
  );
}
