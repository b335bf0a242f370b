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
import type { Association, RequestDetail, RequestList, ServiceRequest } from '../types.ts';
import { NotFoundPage } from './NotFoundPage.tsx';

const OPEN: readonly ServiceRequest['status'][] = ['submitted', 'queued', 'taken_in_charge'];

/** The requests of one association with their histories, newest first (the API lists requests by POD). */
async function requestsOf(association: Association, signal: AbortSignal): Promise<RequestDetail[]> {
  const page = await api.get<RequestList>('/requests', { pod: association.pod, limit: 100 }, { signal });
  const own = page.items.filter((r) => r.associationId === association.id);
  return Promise.all(own.map((r) => api.get<RequestDetail>(`/requests/${r.id}`, undefined, { signal })));
}

interface Followed {
  association: Association;
  requests: RequestDetail[];
}

/** Something may still change: the association is pending or one of its requests is not closed (polling goes on). */
const stillOpen = ({ association, requests }: Followed) =>
  association.status === 'pending' || requests.some((r) => OPEN.includes(r.status));

/**
 * The association and its requests, the association read last when every request reads as closed: polling stops
 * then, and a request that completed between the two reads must not leave the DU shown as it was before it.
 */
async function follow(associationId: string, signal: AbortSignal): Promise<Followed> {
  const read = () => api.get<Association>(`/associations/${encodeURIComponent(associationId)}`, undefined, { signal });
  const first = await read();
  const requests = await requestsOf(first, signal);
  return { association: stillOpen({ association: first, requests }) ? first : await read(), requests };
}

/** One association: its DU (key masked), its status followed live, its requests' timeline; modify and delete. */
export function AssociationPage() {
  const { t, label, language } = useLabels();
  const { associationId = '' } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const notice = (location.state as { notice?: 'created' | 'modified' | 'deleted' } | null)?.notice;
  const followed = useLoad((signal) => follow(associationId, signal), associationId);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>(null);

  const requests = followed.data?.requests;
  const working = followed.data !== undefined && stillOpen(followed.data);
  const latest = requests?.[0];
  usePolling(() => followed.reload(true), 1000, working);

  if (isApiError(followed.error) && followed.error.status === 404)
    return <NotFoundPage what={t('associations.notFound')} />;
  if (followed.loading) return <Loading />;
  if (!followed.data) return <ErrorNotice error={followed.error} />;
  const a = followed.data.association;
  const live = a.status === 'active' || a.status === 'pending';

  const remove = async () => {
    setDeleting(true);
    setDeleteError(null);
    try {
      await api.delete(`/associations/${a.id}`);
      setConfirming(false);
      navigate('.', { replace: true, state: { notice: 'deleted' } });
      await followed.reload(true);
    } catch (e) {
      setConfirming(false);
      setDeleteError(e);
    } finally {
      setDeleting(false);
    }
  };

  return (
    <>
      <p className="breadcrumb">
        <Link to="/associations">{t('associations.back')}</Link>
      </p>
      <div className="page-head with-action">
        <h1>{t('associations.detailTitle', { pod: a.pod })}</h1>
        {live && (
          <div className="actions">
            <Link className="button button-secondary" to={`/associations/${a.id}/edit`}>
              {t('associations.modify')}
            </Link>
            <button type="button" className="button-danger" onClick={() => setConfirming(true)}>
              {t('associations.delete')}
            </button>
          </div>
        )}
      </div>
      <div aria-live="polite" className="result-region">
        {notice && working && (
          <div className="notice notice-info" role="status">
            {t(`associations.notice.${notice}`)}
          </div>
        )}
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
          <dt>{t('common.pod')}</dt>
          <dd className="mono">{a.pod}</dd>
          <dt>{t('du.name')}</dt>
          <dd>{a.du.name}</dd>
          <dt>{t('du.macAddress')}</dt>
          <dd className="mono">{formatMac(a.du.macAddress)}</dd>
          <dt>{t('du.encryptionKey')}</dt>
          <dd>
            <span className="mono">{maskedKey(a.du.encryptionKey)}</span>{' '}
            <span className="hint">{t('du.keyNeverShown')}</span>
          </dd>
          <dt>{t('du.hardwareVersion')}</dt>
          <dd>{a.du.hardwareVersion}</dd>
          <dt>{t('du.softwareVersion')}</dt>
          <dd>{a.du.softwareVersion}</dd>
          <dt>{t('associations.channel')}</dt>
          <dd>{a.channel === 'plc_band_c' ? t('associations.plcBandC') : t('associations.otherChannel')}</dd>
          <dt>{t('associations.createdAt')}</dt>
          <dd>{formatDateTime(a.createdAt, language)}</dd>
          <dt>{t('associations.updatedAt')}</dt>
          <dd>{formatDateTime(a.updatedAt, language)}</dd>
        </dl>
      </section>
      <section aria-labelledby="history-title">
        <h2 id="history-title">{t('associations.history')}</h2>
        <ErrorNotice error={followed.error} />
        {requests && requests.length === 0 && <EmptyState>{t('associations.noRequests')}</EmptyState>}
        {requests?.map((r) => (
          <article key={r.id} className="card request-card" aria-label={label('requestKind', r.kind)}>
            <h3>
              {label('requestKind', r.kind)} <StatusBadge group="requestStatus" code={r.status} />
            </h3>
            {r.reason && (
              <p>
                {t('requests.reason')}: {label('requestReason', r.reason)}
              </p>
            )}
            <History history={r.history} />
          </article>
        ))}
      </section>
      <ConfirmDialog
        open={confirming}
        title={t('associations.confirmDeleteTitle')}
        confirmLabel={t('associations.confirmDelete')}
        danger
        busy={deleting}
        onConfirm={() => void remove()}
        onCancel={() => setConfirming(false)}
      >
        <p>{t('associations.confirmDeleteText', { pod: a.pod, name: a.du.name })}</p>
      </ConfirmDialog>
    </>
  );
}

/** How the request the user just sent ended, in a sentence. */
function RequestOutcome({ request }: { request: RequestDetail }) {
  const { t, label } = useLabels();
  if (request.status === 'completed') {
    return (
      <div className="notice notice-success" role="status">
        {t(
          `associations.outcome.${request.kind === 'delete' ? 'delete' : request.kind === 'modify' ? 'modify' : 'create'}`,
        )}
      </div>
    );
  }
  return (
    <div className="notice notice-error" role="alert">
      {t('associations.outcome.failed', { kind: label('requestKind', request.kind) })}{' '}
      {request.reason ? label('requestReason', request.reason) : ''}
    </div>
  );
}
