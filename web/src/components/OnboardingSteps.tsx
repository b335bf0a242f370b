import { useState, type FormEvent, type ReactNode } from 'react';
import { api, isApiError } from '../api.ts';
import { formatLocalDate, todayInRome } from '../format.ts';
import { useLabels } from '../i18n.ts';
import { allOf, type AssetProviderDetail, type ConsentOutcome, type DuModel } from '../types.ts';
import { dateIssue, emailIssue, focusFirstInvalid, labelIssue, parseDayFirstDate } from '../validation.ts';
import { CopyButton } from './CopyButton.tsx';
import { errorText, fieldErrorsOf } from './ErrorNotice.tsx';
import { Field } from './Field.tsx';

export const MAX_REPRESENTATIVES = 3;
/** What a step answers: the asset provider's detail (with the activation links, after the consent step). */
export type StepOutcome = AssetProviderDetail | ConsentOutcome;
type Send = () => Promise<StepOutcome>;

/** Runs one onboarding step: busy flag, local checks, the API's answer (field errors beside fields, the rest above). */
function useStep(onDone: (detail: StepOutcome) => void) {
  const labels = useLabels();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const run = async (problems: Record<string, string | null>, send: Send) => {
    const found = Object.fromEntries(
      Object.entries(problems)
        .filter(([, code]) => code)
        .map(([field, code]) => [field, labels.label('fieldIssue', code)]),
    );
    setLocalErrors(found);
    setError(null);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid();
      return;
    }
    setBusy(true);
    try {
      onDone(await send());
    } catch (e) {
      setError(e);
      focusFirstInvalid();
    } finally {
      setBusy(false);
    }
  };
  const serverFieldErrors = fieldErrorsOf(labels, error);
  const errors: Record<string, string | undefined> = { ...serverFieldErrors, ...localErrors };
  const formError = error && Object.keys(serverFieldErrors).length === 0 ? errorText(labels, error) : null;
  return { busy, error, errors, formError, run, setLocalErrors };
}

function StepForm({
  title,
  children,
  formError,
  onSubmit,
}: {
  title: string;
  children: ReactNode;
  formError: string | null;
  onSubmit: (e: FormEvent) => void;
}) {
  return (
    <form className="form step-form" onSubmit={onSubmit} noValidate aria-label={title}>
      <h3>{title}</h3>
      <div aria-live="assertive">
        {formError && (
          <div className="notice notice-error" role="alert">
            {formError}
          </div>
        )}
      </div>
      {children}
    </form>
  );
}

export function ContractForm({
  assetProviderId,
  onDone,
}: {
  assetProviderId: string;
  onDone: (d: StepOutcome) => void;
}) {
  const { t } = useLabels();
  const step = useStep(onDone);
  const [pecReference, setPecReference] = useState('');
  const [receivedOn, setReceivedOn] = useState(formatLocalDate(todayInRome()));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void step.run({ pecReference: labelIssue(pecReference), receivedOn: dateIssue(receivedOn) }, () =>
      api.post(`/asset-providers/${assetProviderId}/contract`, {
        pecReference: pecReference.trim(),
        receivedOn: parseDayFirstDate(receivedOn),
      }),
    );
  };
  return (
    <StepForm title={t('onboarding.contract.title')} formError={step.formError} onSubmit={submit}>
      <p className="hint">{t('onboarding.contract.intro')}</p>
      <Field
        id="pec-reference"
        label={t('onboarding.contract.pecReference')}
        value={pecReference}
        onChange={setPecReference}
        required
        hint={t('onboarding.contract.pecHint')}
        error={step.errors.pecReference}
      />
      <Field
        id="received-on"
        label={t('onboarding.contract.receivedOn')}
        value={receivedOn}
        onChange={setReceivedOn}
        required
        inputMode="numeric"
        placeholder={t('common.datePlaceholder')}
        hint={t('common.dateHint')}
        error={step.errors.receivedOn}
      />
      <button type="submit" disabled={step.busy}>
        {step.busy ? t('common.sending') : t('onboarding.contract.submit')}
      </button>
    </StepForm>
  );
}

export function DuModelForm({
  assetProviderId,
  onDone,
  another,
}: {
  assetProviderId: string;
  onDone: (d: StepOutcome) => void;
  another: boolean;
}) {
  const { t } = useLabels();
  const [hardwareVersion, setHardwareVersion] = useState('');
  const [softwareVersion, setSoftwareVersion] = useState('');
  const [outcome, setOutcome] = useState<'passed' | 'failed'>('passed');
  const [testedOn, setTestedOn] = useState(formatLocalDate(todayInRome()));
  const [report, setReport] = useState<File | null>(null);
  const [formKey, setFormKey] = useState(0);
  const step = useStep((detail) => {
    setHardwareVersion('');
    setSoftwareVersion('');
    setReport(null);
    setFormKey((k) => k + 1);
    onDone(detail);
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void step.run(
      {
        hardwareVersion: labelIssue(hardwareVersion),
        softwareVersion: labelIssue(softwareVersion),
        testedOn: dateIssue(testedOn),
        report: report ? null : 'required_file',
      },
      () => {
        const form = new FormData();
        form.append('hardwareVersion', hardwareVersion.trim());
        form.append('softwareVersion', softwareVersion.trim());
        form.append('outcome', outcome);
        form.append('testedOn', parseDayFirstDate(testedOn) ?? '');
        form.append('report', report!, report!.name);
        return api.postForm(`/asset-providers/${assetProviderId}/du-models`, form);
      },
    );
  };
  const reportError = step.errors.report;
  return (
    <StepForm
      title={another ? t('onboarding.duModel.another') : t('onboarding.duModel.title')}
      formError={step.formError}
      onSubmit={submit}
    >
      <p className="hint">{t('onboarding.duModel.intro')}</p>
      <div className="field-row">
        <Field
          id="model-hw"
          label={t('du.hardwareVersion')}
          value={hardwareVersion}
          onChange={setHardwareVersion}
          required
          maxLength={64}
          error={step.errors.hardwareVersion}
        />
        <Field
          id="model-sw"
          label={t('du.softwareVersion')}
          value={softwareVersion}
          onChange={setSoftwareVersion}
          required
          maxLength={64}
          error={step.errors.softwareVersion}
        />
      </div>
      <fieldset className="radios">
        <legend>{t('onboarding.duModel.outcome')}</legend>
        {allOf<DuModel['outcome']>()(['passed', 'failed']).map((value) => (
          <div key={value} className="radio">
            <input
              type="radio"
              id={`outcome-${value}`}
              name="outcome"
              value={value}
              checked={outcome === value}
              onChange={() => setOutcome(value)}
            />
            <label htmlFor={`outcome-${value}`}>{t(`duModelOutcome.${value}`)}</label>
          </div>
        ))}
      </fieldset>
      <Field
        id="tested-on"
        label={t('onboarding.duModel.testedOn')}
        value={testedOn}
        onChange={setTestedOn}
        required
        inputMode="numeric"
        placeholder={t('common.datePlaceholder')}
        hint={t('common.dateHint')}
        error={step.errors.testedOn}
      />
      <div className={`field${reportError ? ' field-invalid' : ''}`}>
        <label htmlFor="test-report">
          {t('onboarding.duModel.report')}
          <span className="required" aria-hidden="true">
            {' '}
            *
          </span>
        </label>
        <input
          key={formKey}
          id="test-report"
          type="file"
          accept=".pdf,.txt,.html,.zip,application/pdf,text/plain"
          aria-invalid={reportError ? true : undefined}
          aria-describedby={`test-report-hint${reportError ? ' test-report-error' : ''}`}
          onChange={(e) => setReport(e.target.files?.[0] ?? null)}
        />
        <p className="hint" id="test-report-hint">
          {t('onboarding.duModel.reportHint')}
        </p>
        {reportError && (
          <p className="field-error" id="test-report-error">
            {reportError}
          </p>
        )}
      </div>
      <button type="submit" disabled={step.busy}>
        {step.busy ? t('common.sending') : t('onboarding.duModel.submit')}
      </button>
    </StepForm>
  );
}

interface RepresentativeRow {
  key: number;
  email: string;
  fullName: string;
}

export function ConsentForm({
  assetProviderId,
  onDone,
}: {
  assetProviderId: string;
  onDone: (d: StepOutcome) => void;
}) {
  const { t, label } = useLabels();
  const step = useStep(onDone);
  const [signedOn, setSignedOn] = useState(formatLocalDate(todayInRome()));
  const [rows, setRows] = useState<RepresentativeRow[]>([{ key: 0, email: '', fullName: '' }]);
  const [limitNotice, setLimitNotice] = useState(false);
  const add = () => {
    if (rows.length >= MAX_REPRESENTATIVES) {
      setLimitNotice(true);
      return;
    }
    setLimitNotice(false);
    setRows((r) => [...r, { key: Math.max(...r.map((x) => x.key)) + 1, email: '', fullName: '' }]);
  };
  const remove = (key: number) => {
    setLimitNotice(false);
    setRows((r) => r.filter((x) => x.key !== key));
  };
  const update = (key: number, field: 'email' | 'fullName', value: string) =>
    setRows((r) => r.map((x) => (x.key === key ? { ...x, [field]: value } : x)));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string | null> = { signedOn: dateIssue(signedOn) };
    rows.forEach((row, i) => {
      problems[`representatives.${i}.email`] = emailIssue(row.email);
      problems[`representatives.${i}.fullName`] = labelIssue(row.fullName);
    });
    const emails = rows.map((r) => r.email.trim().toLowerCase());
    emails.forEach((email, i) => {
      if (email && emails.indexOf(email) !== i) problems[`representatives.${i}.email`] = 'duplicate_email';
    });
    // The answer carries the activation links, a secret shown once: never stored for a replay, so no Idempotency-Key.
    void step.run(problems, () =>
      api.post(
        `/asset-providers/${assetProviderId}/consent`,
        {
          signedOn: parseDayFirstDate(signedOn),
          representatives: rows.map((r) => ({ email: r.email.trim(), fullName: r.fullName.trim() })),
        },
        { noIdempotencyKey: true },
      ),
    );
  };
  const tooMany = limitNotice || (isApiError(step.error) && step.error.code === 'too_many_representatives');
  return (
    <StepForm title={t('onboarding.consent.title')} formError={tooMany ? null : step.formError} onSubmit={submit}>
      <p className="hint">{t('onboarding.consent.intro', { count: MAX_REPRESENTATIVES })}</p>
      <Field
        id="signed-on"
        label={t('onboarding.consent.signedOn')}
        value={signedOn}
        onChange={setSignedOn}
        required
        inputMode="numeric"
        placeholder={t('common.datePlaceholder')}
        hint={t('common.dateHint')}
        error={step.errors.signedOn}
      />
      {rows.map((row, i) => (
        <fieldset key={row.key} className="representative">
          <legend>{t('onboarding.consent.representative', { number: i + 1 })}</legend>
          <div className="field-row">
            <Field
              id={`rep-${row.key}-name`}
              label={t('onboarding.consent.fullName')}
              value={row.fullName}
              onChange={(v) => update(row.key, 'fullName', v)}
              required
              autoComplete="off"
              error={step.errors[`representatives.${i}.fullName`]}
            />
            <Field
              id={`rep-${row.key}-email`}
              label={t('onboarding.consent.email')}
              type="email"
              value={row.email}
              onChange={(v) => update(row.key, 'email', v)}
              required
              autoComplete="off"
              error={step.errors[`representatives.${i}.email`]}
            />
          </div>
          {rows.length > 1 && (
            <button type="button" className="button-secondary button-small" onClick={() => remove(row.key)}>
              {t('onboarding.consent.remove', { number: i + 1 })}
            </button>
          )}
        </fieldset>
      ))}
      <div aria-live="polite">
        {tooMany && (
          <div className="notice notice-error" role="alert">
            {label('errors', 'too_many_representatives')}
          </div>
        )}
      </div>
      <div className="actions">
        <button type="button" className="button-secondary" onClick={add}>
          {t('onboarding.consent.add')}
        </button>
        <button type="submit" disabled={step.busy}>
          {step.busy ? t('common.sending') : t('onboarding.consent.submit')}
        </button>
      </div>
    </StepForm>
  );
}

/** The one-time activation links, shown to the operator only in the answer to the consent step. */
export function ActivationLinks({ links }: { links: { email: string; url: string }[] }) {
  const { t } = useLabels();
  const absolute = (url: string) => new URL(url, window.location.origin).toString();
  return (
    <div className="notice notice-warning secret-box" role="status" data-testid="activation-links">
      <p>
        <strong>{t('onboarding.links.title')}</strong>
      </p>
      <p>{t('onboarding.links.shownOnce')}</p>
      <ul className="links">
        {links.map((link) => (
          <li key={link.email}>
            <span>{t('onboarding.links.for', { email: link.email })}</span>
            <code className="secret" data-email={link.email}>
              {absolute(link.url)}
            </code>
            <CopyButton text={absolute(link.url)} label={t('onboarding.links.copy', { email: link.email })} />
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ActivateStep({
  assetProviderId,
  onDone,
}: {
  assetProviderId: string;
  onDone: (d: StepOutcome) => void;
}) {
  const { t } = useLabels();
  const step = useStep(onDone);
  return (
    <StepForm
      title={t('onboarding.activate.title')}
      formError={step.formError}
      onSubmit={(e) => {
        e.preventDefault();
        void step.run({}, () => api.post(`/asset-providers/${assetProviderId}/activate`));
      }}
    >
      <p className="hint">{t('onboarding.activate.intro')}</p>
      <button type="submit" disabled={step.busy}>
        {t('onboarding.activate.submit')}
      </button>
    </StepForm>
  );
}

export function SuspendStep({
  assetProviderId,
  onDone,
}: {
  assetProviderId: string;
  onDone: (d: StepOutcome) => void;
}) {
  const { t } = useLabels();
  const step = useStep(onDone);
  const [reason, setReason] = useState('');
  return (
    <StepForm
      title={t('onboarding.suspend.title')}
      formError={step.formError}
      onSubmit={(e) => {
        e.preventDefault();
        void step.run({ reason: reason.trim() ? null : 'required' }, () =>
          api.post(`/asset-providers/${assetProviderId}/suspend`, { reason: reason.trim() }),
        );
      }}
    >
      <p className="hint">{t('onboarding.suspend.intro')}</p>
      <Field
        id="suspend-reason"
        label={t('onboarding.suspend.reason')}
        value={reason}
        onChange={setReason}
        required
        maxLength={500}
        error={step.errors.reason}
      />
      <button type="submit" className="button-danger" disabled={step.busy}>
        {t('onboarding.suspend.submit')}
      </button>
    </StepForm>
  );
}

export function ReinstateStep({
  assetProviderId,
  onDone,
}: {
  assetProviderId: string;
  onDone: (d: StepOutcome) => void;
}) {
  const { t } = useLabels();
  const step = useStep(onDone);
  return (
    <StepForm
      title={t('onboarding.reinstate.title')}
      formError={step.formError}
      onSubmit={(e) => {
        e.preventDefault();
        void step.run({}, () => api.post(`/asset-providers/${assetProviderId}/reinstate`));
      }}
    >
      <p className="hint">{t('onboarding.reinstate.intro')}</p>
      <button type="submit" disabled={step.busy}>
        {t('onboarding.reinstate.submit')}
      </button>
    </StepForm>
  );
}
