import { Link, useParams } from 'react-router-dom';
import { api, isApiError } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { History } from '../components/History.tsx';
import { Loading } from '../components/Loading.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { formatDateTime, formatMac } from '../format.ts';
import { useLoad, usePolling } from '../hooks.ts';
import { useLabels } from '../i18n.ts';
import type { DsoRequestDetail } from '../types.ts';
import { NotFoundPage } from './NotFoundPage.tsx';

const OPEN: readonly DsoRequestDetail['status'][] = ['submitted', 'queued', 'taken_in_charge'];

/** One request as customer care sees it: whose, which POD and DU, and every transition. */
export function DsoRequestPage() {
  const { t, label, language } = useLabels();
  const { requestId = '' } = useParams();
  const request = useLoad(
    (signal) => api.get<DsoRequestDetail>(`/dso/requests/${encodeURIComponent(requestId)}`, undefined, { signal }),
    requestId,
  );
  usePolling(() => request.reload(true), 2000, request.data ? OPEN.includes(request.data.status) : false);

  if (isApiError(request.error) && request.error.status === 404)
    return <NotFoundPage what={t('dsoRequests.notFound')} />;
  if (request.loading) return <Loading />;
  if (!request.data) return <ErrorNotice error={request.error} />;
  const r = request.data;
  return (
    <>
      <p className="breadcrumb">
        <Link to="/dso/requests">{t('dsoRequests.back')}</Link>
      </p>
      <div className="page-head">
        <h1>{t('dsoRequests.detailTitle', { kind: label('requestKind', r.kind), pod: r.pod })}</h1>
      </div>
      <section className="card" aria-labelledby="request-facts">
        <h2 id="request-facts" className="visually-hidden">
          {t('dsoRequests.facts')}
        </h2>
        <dl className="details">
          <dt>{t('common.assetProvider')}</dt>
          <dd>{r.assetProvider.name}</dd>
          <dt>{t('common.pod')}</dt>
          <dd className="mono">{r.pod}</dd>
          {r.macAddress && (
            <>
              <dt>{t('du.macAddress')}</dt>
              <dd className="mono">{formatMac(r.macAddress)}</dd>
            </>
          )}
          <dt>{t('requests.kind')}</dt>
          <dd>{label('requestKind', r.kind)}</dd>
          <dt>{t('common.status')}</dt>
          <dd>
            <StatusBadge group="requestStatus" code={r.status} />
          </dd>
          {r.reason && (
            <>
              <dt>{t('requests.reason')}</dt>
              <dd>{label('requestReason', r.reason)}</dd>
            </>
          )}
          <dt>{t('requests.submittedAt')}</dt>
          <dd>{formatDateTime(r.createdAt, language)}</dd>
          {r.closedAt && (
            <>
              <dt>{t('requests.closedAt')}</dt>
              <dd>{formatDateTime(r.closedAt, language)}</dd>
            </>
          )}
        </dl>
      </section>
      <section aria-labelledby="request-history">
        <h2 id="request-history">{t('requests.history')}</h2>
        <History history={r.history} />
      </section>
    </>
  );
}
