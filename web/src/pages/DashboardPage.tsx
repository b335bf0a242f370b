import { Link } from 'react-router-dom';
import { api } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { EmptyState, Loading } from '../components/Loading.tsx';
import { QuotaStatus } from '../components/QuotaStatus.tsx';
import { RequestsTable } from '../components/RequestsTable.tsx';
import { formatNumber } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { useLabels } from '../i18n.ts';
import { useUser } from '../session.tsx';
import { allOf, type RequestList, type Summary } from '../types.ts';

const ASSOCIATION_STATUSES = allOf<keyof Summary['associations']>()(['active', 'pending', 'rejected', 'deleted']);
const REQUEST_STATUSES = allOf<keyof Summary['requests']>()([
  'submitted',
  'queued',
  'taken_in_charge',
  'completed',
  'rejected',
  'failed',
]);

/** Counts by status, the bulk quota and the latest requests of the representative's asset provider. */
export function DashboardPage() {
  const { t, language } = useLabels();
  const user = useUser();
  const summary = useLoad((signal) => api.get<Summary>('/summary', undefined, { signal }), 'summary');
  const recent = useLoad((signal) => api.get<RequestList>('/requests', { limit: 5 }, { signal }), 'recent');

  return (
    <>
      <div className="page-head">
        <h1>{t('dashboard.title')}</h1>
        <p className="lead">
          {t('dashboard.welcome', { name: user.fullName, company: user.assetProvider?.name ?? '' })}
        </p>
      </div>
      <div className="actions">
        <Link className="button" to="/eligibility">
          {t('dashboard.checkEligibility')}
        </Link>
        <Link className="button button-secondary" to="/associations/new">
          {t('associations.new')}
        </Link>
        <Link className="button button-secondary" to="/bulk-uploads">
          {t('bulk.new')}
        </Link>
      </div>
      <ErrorNotice error={summary.error} />
      {summary.loading && <Loading />}
      {summary.data && (
        <div className="grid">
          <section className="card" aria-labelledby="dash-associations">
            <h2 id="dash-associations">{t('dashboard.associations')}</h2>
            <ul className="stats">
              {ASSOCIATION_STATUSES.map((status) => (
                <li key={status}>
                  <Link to={`/associations?status=${status}`}>
                    <span className="stat-value">
                      {formatNumber(summary.data!.associations[status] ?? 0, language)}
                    </span>
                    <span className="stat-label">{t(`dashboard.associationCounts.${status}`)}</span>
                  </Link>
                </li>
              ))}
            </ul>
          </section>
          <section className="card" aria-labelledby="dash-requests">
            <h2 id="dash-requests">{t('dashboard.requests')}</h2>
            <ul className="stats">
              {REQUEST_STATUSES.map((status) => (
                <li key={status}>
                  <span className="stat-value">{formatNumber(summary.data!.requests[status] ?? 0, language)}</span>
                  <span className="stat-label">{t(`dashboard.requestCounts.${status}`)}</span>
                </li>
              ))}
            </ul>
          </section>
          <section className="card" aria-labelledby="dash-quota">
            <h2 id="dash-quota">{t('quota.title')}</h2>
            <QuotaStatus quota={summary.data.bulkQuota} />
          </section>
        </div>
      )}
      <section aria-labelledby="dash-recent">
        <div className="section-head">
          <h2 id="dash-recent">{t('dashboard.recent')}</h2>
          <Link to="/requests">{t('dashboard.allRequests')}</Link>
        </div>
        <ErrorNotice error={recent.error} />
        {recent.loading && <Loading />}
        {recent.data && recent.data.items.length === 0 && <EmptyState>{t('dashboard.noRequests')}</EmptyState>}
        {recent.data && recent.data.items.length > 0 && (
          <RequestsTable requests={recent.data.items} caption={t('dashboard.recent')} />
        )}
      </section>
    </>
  );
}
