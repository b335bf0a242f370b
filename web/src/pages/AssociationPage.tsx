import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router-dom';
import { api, isApiError } from '../api.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { History } from '../components/History.tsx';
import { EmptyState, Loading } from '../components/Loading.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { formatDateTime, formatMac, maskedKey } from '../format.ts';
import { useLoad, usePolling } from '../hooks.ts';
import { useLabels } from '../i18n.ts';
import type { Association, Page, RequestDetail, ServiceRequest } from '../types.ts';
import { NotFoundPage } from './NotFoundPage.tsx';

const OPEN = ['submitted', 'queued', 'taken_in_charge'];

/** The requests of one association with their histories, newest first (the API lists requests by POD). */
async function requestsOf(association: Association, signal: AbortSignal): Promise<RequestDetail[]> {
  const page = await api.get<Page<ServiceRequest>>('/requests', { pod: association.pod, limit: 100 }, { signal });
  const own = page.items.filter((r) => r.associationId === association.id);
  return Promise.all(own.map((r) => api.get<RequestDetail>(`/requests/${r.id}`, undefined, { signal })));
}

/** One association: its DU (key masked), its status followed live, its requests' timeline; modify and delete. */
export function AssociationPage() {
  const { t, label, language } = useLabels();
  const { associationId = '' } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const notice = (location.state as { notice?: 'created' | 'modified' | 'deleted' } | null)?.notice;
  const association = useLoad((signal) => api.get<Association>(`/associations/${encodeURIComponent(associationId)}`, undefined, { signal }), associationId);
  const requests = useLoad(
    (signal) => (association.data ? requestsOf(association.data, signal) : Promise.resolve([])),
    `${associationId}|${association.data?.pod ?? ''}`,
  );
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>(null);

  const working = association.data?.status === 'pending' || (requests.data ?? []).some((r) => OPEN.includes(r.status));
  const latest = requests.data?.[0];
  // Requests first: once they read as closed, polling stops, so the association must be read after them.
  usePolling(async () => {
    await requests.reload(true);
    await association.reload(true);
  }, 1000, working);

  if (isApiError(association.error) && association.error.status === 404) return <NotFoundPage what={t('associations.notFound')} />;
  if (association.loading) return <Loading />;
  if (!association.data) return <ErrorNotice error={association.error} />;
  const a = association.data;
  const live = a.status === 'active' || a.status === 'pending';

  const remove = async () => {
    setDeleting(true);
    setDeleteError(null);
    try {
      await api.delete(`/associations/${a.id}`);
      setConfirming(false);
      navigate('.', { replace: true, state: { notice: 'deleted' } });
      await requests.reload(true);
      await association.reload(true);
    } catch (e) {
      setConfirming(false);
      setDeleteError(e);
    } finally {
      setDeleting(false);
    }
  };

  return (
    <>
      <p className="breadcrumb"><Link to="/associations">{t('associations.back')}</Link></p>
      <div className="page-head with-action">
        <h1>{t('associations.detailTitle', { pod: a.pod })}</h1>
        {live && (
          <div className="actions">
            <Link className="button button-secondary" to={`/associations/${a.id}/edit`}>{t('associations.modify')}</Link>
            <button type="button" className="button-danger" onClick={() => setConfirming(true)}>{t('associations.delete')}</button>
          </div>
        )}
      </div>
      <div aria-live="polite" className="result-region">
        {notice && working && <div className="notice notice-info" role="status">{t(`associations.notice.${notice}`)}</div>}
        {notice && !working && latest && <RequestOutcome request={latest} />}
        <p className="status-line">
          {t('common.status')}: <StatusBadge group="associationStatus" code={a.status} />
          {working && <span className="hint"> {t('associations.following')}</span>}
        </p>
      </div>
      <ErrorNotice error={deleteError} />
      <section className="card" aria-labelledby="du-title">
        <h2 id="du-title">{t('associations.device')}</h2>
        <dl className="details">
          <dt>{t('common.pod')}</dt><dd className="mono">{a.pod}</dd>
          <dt>{t('du.name')}</dt><dd>{a.du.name}</dd>
          <dt>{t('du.macAddress')}</dt><dd className="mono">{formatMac(a.du.macAddress)}</dd>
          <dt>{t('du.encryptionKey')}</dt><dd><span className="mono">{maskedKey(a.du.encryptionKey)}</span> <span className="hint">{t('du.keyNeverShown')}</span></dd>
          <dt>{t('du.hardwareVersion')}</dt><dd>{a.du.hardwareVersion}</dd>
          <dt>{t('du.softwareVersion')}</dt><dd>{a.du.softwareVersion}</dd>
          <dt>{t('associations.channel')}</dt><dd>{a.channel === 'plc_band_c' ? t('associations.plcBandC') : t('associations.otherChannel')}</dd>
          <dt>{t('associations.createdAt')}</dt><dd>{formatDateTime(a.createdAt, language)}</dd>
          <dt>{t('associations.updatedAt')}</dt><dd>{formatDateTime(a.updatedAt, language)}</dd>
        </dl>
      </section>
      <section aria-labelledby="history-title">
        <h2 id="history-title">{t('associations.history')}</h2>
        <ErrorNotice error={requests.error} />
        {requests.loading && <Loading />}
        {requests.data && requests.data.length === 0 && <EmptyState>{t('associations.noRequests')}</EmptyState>}
        {requests.data?.map((r) => (
          <article key={r.id} className="card request-card" aria-label={label('requestKind', r.kind)}>
            <h3>
              {label('requestKind', r.kind)} <StatusBadge group="requestStatus" code={r.status} />
            </h3>
            {r.reason && <p>{t('requests.reason')}: {label('requestReason', r.reason)}</p>}
            <History history={r.history} />
          </article>
        ))}
      </section>
      <ConfirmDialog open={confirming} title={t('associations.confirmDeleteTitle')} confirmLabel={t('associations.confirmDelete')} danger busy={deleting}
        onConfirm={() => void remove()} onCancel={() => setConfirming(false)}>
        <p>{t('associations.confirmDeleteText', { pod: a.pod, name: a.du.name })}</p>
      </ConfirmDialog>
    </>
  );
}

/** How the request the user just sent ended, in a sentence. */
function RequestOutcome({ request }: { request: RequestDetail }) {
  const { t, label } = useLabels();
  if (request.status === 'completed') {
    return <div className="notice notice-success" role="status">{t(`associations.outcome.${request.kind === 'delete' ? 'delete' : request.kind === 'modify' ? 'modify' : 'create'}`)}</div>;
  }
  return (
    <div className="notice notice-error" role="alert">
      {t('associations.outcome.failed', { kind: label('requestKind', request.kind) })} {request.reason ? label('requestReason', request.reason) : ''}
    </div>
  );
}
