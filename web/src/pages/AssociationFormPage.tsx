import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { api, isApiError } from '../api.ts';
import { Field } from '../components/Field.tsx';
import { errorText, fieldErrorsOf } from '../components/ErrorNotice.tsx';
import { Loading } from '../components/Loading.tsx';
import { maskedKey } from '../format.ts';
import { useEditedFields, useLoad } from '../hooks.ts';
import { useLabels } from '../i18n.ts';
import type { Association, DuFields, ServiceRequest } from '../types.ts';
import { focusFirstInvalid, keyIssue, labelIssue, macIssue, normalisePod, podIssue } from '../validation.ts';
import { NotFoundPage } from './NotFoundPage.tsx';

type Values = { pod: string } & DuFields;
const EMPTY: Values = {
  pod: '',
  name: '',
  macAddress: '',
  encryptionKey: '',
  hardwareVersion: '',
  softwareVersion: '',
};
const DU_FIELDS = ['name', 'macAddress', 'encryptionKey', 'hardwareVersion', 'softwareVersion'] as const;

/** Errors that belong to one field although they are not `invalid_input`. */
const FIELD_OF_CODE: Record<string, string> = {
  not_eligible: 'pod',
  already_associated: 'pod',
  mac_in_use: 'du.macAddress',
  du_model_not_certified: 'du.hardwareVersion',
};

/** Create (`/associations/new`, `?pod=` prefilled) or modify (`/associations/:id/edit`) an association's DU. */
export function AssociationFormPage() {
  const labels = useLabels();
  const { t, label } = labels;
  const { associationId } = useParams();
  const editing = Boolean(associationId);
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const existing = useLoad(
    (signal) =>
      associationId
        ? api.get<Association>(`/associations/${encodeURIComponent(associationId)}`, undefined, { signal })
        : Promise.resolve(undefined),
    associationId ?? 'new',
  );
  const [values, setValues] = useState<Values>({ ...EMPTY, pod: params.get('pod') ?? '' });
  const [showKey, setShowKey] = useState(false);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fields = useEditedFields();

  // The loaded DU fills the form during the render that shows it (not in an effect after it), so the form is never
  // shown, nor typed into, empty before the values arrive and overwrite what was typed.
  const [filledFrom, setFilledFrom] = useState<Association>();
  const a = existing.data;
  if (a && a !== filledFrom) {
    setFilledFrom(a);
    setValues({
      pod: a.pod,
      name: a.du.name,
      macAddress: a.du.macAddress,
      encryptionKey: '',
      hardwareVersion: a.du.hardwareVersion,
      softwareVersion: a.du.softwareVersion,
    });
  }

  if (editing && isApiError(existing.error) && existing.error.status === 404)
    return <NotFoundPage what={t('associations.notFound')} />;
  if (editing && existing.loading) return <Loading />;

  const set = (field: keyof Values) => (value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    fields.edited(field === 'pod' ? 'pod' : `du.${field}`);
  };

  /** The DU fields to send: all of them for a creation, only the changed ones for a modification. */
  const changes = (): Partial<DuFields> => {
    const du: Partial<DuFields> = {};
    for (const field of DU_FIELDS) {
      const value = values[field].trim();
      const before = existing.data?.du[field];
      if (!editing) du[field] = value;
      else if (field === 'encryptionKey' ? value !== '' : value !== before) du[field] = value;
    }
    return du;
  };

  const validate = (du: Partial<DuFields>): Record<string, string> => {
    const issues: Record<string, string | null> = {};
    if (!editing) issues.pod = podIssue(values.pod);
    if (du.name !== undefined) issues['du.name'] = labelIssue(du.name);
    if (du.macAddress !== undefined) issues['du.macAddress'] = macIssue(du.macAddress);
    if (du.encryptionKey !== undefined) issues['du.encryptionKey'] = keyIssue(du.encryptionKey);
    if (du.hardwareVersion !== undefined) issues['du.hardwareVersion'] = labelIssue(du.hardwareVersion);
    if (du.softwareVersion !== undefined) issues['du.softwareVersion'] = labelIssue(du.softwareVersion);
    return Object.fromEntries(
      Object.entries(issues)
        .filter(([, code]) => code)
        .map(([field, code]) => [field, label('fieldIssue', code)]),
    );
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const du = changes();
    const problems = validate(du);
    if (editing && Object.keys(du).length === 0) problems.form = t('associations.nothingChanged');
    setLocalErrors(problems);
    fields.reset();
    if (Object.keys(problems).length > 0) {
      focusFirstInvalid();
      return;
    }
    setBusy(true);
    try {
      if (editing && associationId) {
        await api.patch<{ request: ServiceRequest }>(`/associations/${encodeURIComponent(associationId)}`, { du });
        navigate(`/associations/${associationId}`, { state: { notice: 'modified' } });
      } else {
        const created = await api.post<{ association: Association }>('/associations', {
          pod: normalisePod(values.pod),
          du,
        });
        navigate(`/associations/${created.association.id}`, { state: { notice: 'created' } });
      }
    } catch (e) {
      setError(e);
      focusFirstInvalid();
    } finally {
      setBusy(false);
    }
  };

  const serverFieldErrors = fieldErrorsOf(labels, error);
  if (isApiError(error) && FIELD_OF_CODE[error.code]) {
    const field = FIELD_OF_CODE[error.code]!;
    const reasons = (error.details as { reasons?: string[] } | undefined)?.reasons;
    serverFieldErrors[field] =
      error.code === 'not_eligible' && reasons?.length
        ? `${t('errors.not_eligible')} ${reasons.map((r) => label('eligibilityReason', r)).join(' ')}`
        : label('errors', error.code);
  }
  const errors: Record<string, string | undefined> = fields.visible({ ...serverFieldErrors, ...localErrors });
  const formError =
    localErrors.form ??
    (error && !(isApiError(error) && (FIELD_OF_CODE[error.code] || error.fieldIssues.length > 0))
      ? errorText(labels, error)
      : null);
  const hasFieldErrors = Object.keys(errors).some((k) => k !== 'form');

  return (
    <>
      <p className="breadcrumb">
        <Link to={editing ? `/associations/${associationId}` : '/associations'}>
          {editing ? t('associations.backToDetail') : t('associations.back')}
        </Link>
      </p>
      <div className="page-head">
        <h1>{editing ? t('associations.modifyTitle', { pod: values.pod }) : t('associations.newTitle')}</h1>
        <p className="lead">{editing ? t('associations.modifyIntro') : t('associations.newIntro')}</p>
      </div>
      <div aria-live="assertive">
        {formError && (
          <div className="notice notice-error" role="alert">
            {formError}
          </div>
        )}
        {!formError && hasFieldErrors && (
          <div className="notice notice-error" role="alert">
            {t('errors.invalid_input_fields')}
          </div>
        )}
      </div>
      <form className="card form" onSubmit={submit} noValidate>
        {!editing && (
          <Field
            id="pod"
            label={t('common.pod')}
            value={values.pod}
            onChange={set('pod')}
            required
            autoComplete="off"
            spellCheck={false}
            placeholder="IT001E12345678"
            hint={t('eligibility.podHint')}
            error={errors.pod}
            className="mono-input"
          />
        )}
        <Field
          id="du-name"
          label={t('du.name')}
          value={values.name}
          onChange={set('name')}
          required
          maxLength={64}
          hint={t('du.nameHint')}
          error={errors['du.name']}
        />
        <Field
          id="du-mac"
          label={t('du.macAddress')}
          value={values.macAddress}
          onChange={set('macAddress')}
          required
          autoComplete="off"
          spellCheck={false}
          placeholder="DC:0A:1B:2C:3D:4E"
          hint={t('du.macHint')}
          error={errors['du.macAddress']}
          className="mono-input"
        />
        <Field
          id="du-key"
          label={t('du.encryptionKey')}
          value={values.encryptionKey}
          onChange={set('encryptionKey')}
          required={!editing}
          type={showKey ? 'text' : 'password'}
          autoComplete="off"
          spellCheck={false}
          className="mono-input"
          hint={
            editing && existing.data
              ? t('du.keyKeepHint', { masked: maskedKey(existing.data.du.encryptionKey) })
              : t('du.keyHint')
          }
          error={errors['du.encryptionKey']}
        />
        <div className="checkbox">
          <input id="show-key" type="checkbox" checked={showKey} onChange={(e) => setShowKey(e.target.checked)} />
          <label htmlFor="show-key">{t('du.showKey')}</label>
        </div>
        <div className="field-row">
          <Field
            id="du-hw"
            label={t('du.hardwareVersion')}
            value={values.hardwareVersion}
            onChange={set('hardwareVersion')}
            required
            maxLength={64}
            error={errors['du.hardwareVersion']}
          />
          <Field
            id="du-sw"
            label={t('du.softwareVersion')}
            value={values.softwareVersion}
            onChange={set('softwareVersion')}
            required
            maxLength={64}
            error={errors['du.softwareVersion']}
          />
        </div>
        <p className="hint">{t('du.certifiedHint')}</p>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? t('common.sending') : editing ? t('associations.saveChanges') : t('associations.create')}
          </button>
          <Link className="button button-secondary" to={editing ? `/associations/${associationId}` : '/associations'}>
            {t('common.cancel')}
          </Link>
        </div>
      </form>
    </>
  );
}
