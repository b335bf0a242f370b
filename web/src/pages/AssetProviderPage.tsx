import { useState } from 'react';
import { Link, useLocation, useParams } from 'react-router-dom';
import { api, isApiError } from '../api.ts';
import { AuditLog } from '../components/AuditLog.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Loading } from '../components/Loading.tsx';
import {
  ActivateStep,
  ActivationLinks,
  ConsentForm,
  ContractForm,
  DuModelForm,
  ReinstateStep,
  SuspendStep,
  type StepOutcome,
} from '../components/OnboardingSteps.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { formatDate, formatLocalDate } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { useLabels } from '../i18n.ts';
import type { AssetProviderDetail, ConsentOutcome } from '../types.ts';
import { NotFoundPage } from './NotFoundPage.tsx';

/** The subscription path of CHAIN2.md §3, in order; `suspended` stands beside `active`. */
const STEPS = [
  'applied',
  'contract_received',
  'du_certified',
  'consent_received',
  'active',
] as const satisfies readonly AssetProviderDetail['status'][];

/** One asset provider: where its onboarding stands, the next step's form, its DU models, representatives and audit log. */
export function AssetProviderPage() {
  const { t, label, language } = useLabels();
  const { assetProviderId = '' } = useParams();
  const location = useLocation();
  const created = (location.state as { notice?: string } | null)?.notice === 'created';
  const detail = useLoad(
    (signal) =>
      api.get<AssetProviderDetail>(`/asset-providers/${encodeURIComponent(assetProviderId)}`, undefined, { signal }),
    assetProviderId,
  );
  const [current, setCurrent] = useState<AssetProviderDetail | null>(null);
  const [links, setLinks] = useState<ConsentOutcome['activationLinks'] | null>(null);
  const [done, setDone] = useState<string | null>(null);

  if (isApiError(detail.error) && detail.error.status === 404) return <NotFoundPage what={t('onboarding.notFound')} />;
  if (detail.loading) return <Loading />;
  const ap = current?.id === assetProviderId ? current : detail.data;
  if (!ap) return <ErrorNotice error={detail.error} />;

  const onStep = (next: StepOutcome) => {
    if ('activationLinks' in next && next.activationLinks.length) setLinks(next.activationLinks);
    setDone(next.status);
    setCurrent(next);
    void detail.reload(true).then(() => setCurrent(null));
  };
  const stepIndex = STEPS.indexOf(ap.status as (typeof STEPS)[number]);
  const reached = ap.status === 'suspended' ? STEPS.length - 1 : stepIndex;

  return (
    <>
      <p className="breadcrumb">
        <Link to="/dso/asset-providers">{t('onboarding.back')}</Link>
      </p>
      <div className="page-head">
        <h1>{ap.name}</h1>
        <p className="lead">
          {t('onboarding.vatNumber')}: <span className="mono">{ap.vatNumber}</span> · {t('common.status')}:{' '}
          <StatusBadge group="assetProviderStatus" code={ap.status} />
        </p>
      </div>
      <div aria-live="polite" className="result-region">
        {created && !done && (
          <div className="notice notice-success" role="status">
            {t('onboarding.created')}
          </div>
        )}
        {done && (
          <div className="notice notice-success" role="status">
            {t('onboarding.stepDone', { status: label('assetProviderStatus', done) })}
          </div>
        )}
      </div>
      {links && <ActivationLinks links={links} />}

      <section className="card" aria-labelledby="wizard-title">
        <h2 id="wizard-title">{t('onboarding.steps')}</h2>
        <ol className="stepper">
          {STEPS.map((step, i) => {
            const state = i <= reached ? 'done' : i === reached + 1 ? 'current' : 'todo';
            return (
              <li key={step} className={`step-${state}`} aria-current={state === 'current' ? 'step' : undefined}>
                <span className="step-number" aria-hidden="true">
                  {state === 'done' ? '✓' : i + 1}
                </span>
                <span>
                  {t(`onboarding.step.${step}`)}
                  <span className="visually-hidden"> ({t(`onboarding.stepState.${state}`)})</span>
                </span>
              </li>
            );
          })}
        </ol>
        {ap.status === 'suspended' && (
          <div className="notice notice-warning">
            {t('onboarding.suspendedNote')}
            {ap.suspensionReason ? ` ${t('onboarding.suspensionReason', { reason: ap.suspensionReason })}` : ''}
          </div>
        )}
        {ap.status === 'applied' && <ContractForm assetProviderId={ap.id} onDone={onStep} />}
        {ap.status === 'contract_received' && <DuModelForm assetProviderId={ap.id} onDone={onStep} another={false} />}
        {ap.status === 'du_certified' && <ConsentForm assetProviderId={ap.id} onDone={onStep} />}
        {ap.status === 'consent_received' && <ActivateStep assetProviderId={ap.id} onDone={onStep} />}
        {ap.status === 'active' && <SuspendStep assetProviderId={ap.id} onDone={onStep} />}
        {ap.status === 'suspended' && <ReinstateStep assetProviderId={ap.id} onDone={onStep} />}
        {!['applied', 'contract_received', 'du_certified', 'consent_received', 'active', 'suspended'].includes(
          ap.status,
        ) && <p>{t('onboarding.unknownStep')}</p>}
      </section>

      <div className="grid grid-2">
        <section className="card" aria-labelledby="contract-title">
          <h2 id="contract-title">{t('onboarding.contract.section')}</h2>
          {ap.contract ? (
            <p>
              {t('onboarding.contract.summary', {
                reference: ap.contract.pecReference,
                date: formatLocalDate(ap.contract.receivedOn),
              })}
            </p>
          ) : (
            <p className="empty">{t('onboarding.contract.none')}</p>
          )}
        </section>
        <section className="card" aria-labelledby="reps-title">
          <h2 id="reps-title">{t('onboarding.representatives')}</h2>
          {ap.consentSignedOn && (
            <p>{t('onboarding.consentSignedOn', { date: formatLocalDate(ap.consentSignedOn) })}</p>
          )}
          {ap.representatives.length === 0 ? (
            <p className="empty">{t('onboarding.noRepresentatives')}</p>
          ) : (
            <ul className="plain-list">
              {ap.representatives.map((r) => (
                <li key={r.email}>
                  <strong>{r.fullName}</strong> <span className="mono">{r.email}</span>{' '}
                  <span className={`badge ${r.activated ? 'badge-ok' : 'badge-info'}`}>
                    {r.activated ? t('onboarding.activated') : t('onboarding.notActivated')}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>

      <section className="card" aria-labelledby="models-title">
        <h2 id="models-title">{t('onboarding.duModels')}</h2>
        {ap.duModels.length === 0 ? (
          <p className="empty">{t('onboarding.noDuModels')}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t('onboarding.duModels')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('du.hardwareVersion')}</th>
                  <th scope="col">{t('du.softwareVersion')}</th>
                  <th scope="col">{t('onboarding.duModel.outcome')}</th>
                  <th scope="col">{t('onboarding.duModel.testedOn')}</th>
                  <th scope="col">{t('onboarding.duModel.report')}</th>
                </tr>
              </thead>
              <tbody>
                {ap.duModels.map((m) => (
                  <tr key={m.id}>
                    <td>{m.hardwareVersion}</td>
                    <td>{m.softwareVersion}</td>
                    <td>
                      <StatusBadge group="duModelOutcome" code={m.outcome} />
                    </td>
                    <td>{formatLocalDate(m.testedOn)}</td>
                    <td>
                      {m.reportUrl ? (
                        <a href={m.reportUrl} download>
                          {m.reportFileName ?? t('onboarding.duModel.reportLink')}
                        </a>
                      ) : (
                        '—'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {['du_certified', 'consent_received', 'active', 'suspended'].includes(ap.status) && (
          <details className="more">
            <summary>{t('onboarding.duModel.another')}</summary>
            <DuModelForm assetProviderId={ap.id} onDone={onStep} another />
          </details>
        )}
      </section>

      <section aria-labelledby="audit-title">
        <h2 id="audit-title">{t('onboarding.audit')}</h2>
        <AuditLog events={ap.events} />
        <p className="hint">{t('onboarding.appliedOnLine', { date: formatDate(ap.createdAt, language) })}</p>
      </section>
    </>
  );
}
