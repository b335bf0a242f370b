import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { EmptyState, Loading } from '../components/Loading.tsx';
import { Pager } from '../components/Pager.tsx';
import { formatDateTime, formatNumber } from '../format.ts';
import { useCursorPages, useLoad, usePolling } from '../hooks.ts';
import { useLabels } from '../i18n.ts';
import type { FieldNetworkStatus, Operation, OperationList } from '../types.ts';

/** The field network as the head-end sees it (refreshed every 5 s) and the failed remote operations, to retry. */
export function TelemanagementPage() {
  const { t, label, language } = useLabels();
  const status = useLoad(
    (signal) => api.get<FieldNetworkStatus>('/telemanagement/status', undefined, { signal }),
    'status',
  );
  const pages = useCursorPages('failed');
  const failed = useLoad(
    (signal) =>
      api.get<OperationList>('/operations', { status: 'failed', cursor: pages.cursor, limit: 10 }, { signal }),
    `${pages.cursor}`,
  );
  const [retried, setRetried] = useState<{ operation: Operation; retry: Operation } | null>(null);
  const [retryError, setRetryError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  usePolling(() => status.reload(true), 5000, true);
  const n = (value: number) => formatNumber(value, language);

  const retry = async (operation: Operation) => {
    setBusy(operation.id);
    setRetryError(null);
    setRetried(null);
    try {
      const next = await api.post<Operation>(`/operations/${operation.id}/retry`);
      setRetried({ operation, retry: next });
      await failed.reload(true);
    } catch (e) {
      setRetryError(e);
    } finally {
      setBusy(null);
    }
  };

  const s = status.data;
  const maxQueue = Math.max(1, ...(s?.busiest.map((c) => c.queueDepth) ?? [1]));
  return (
    <>
      <div className="page-head with-action">
        <h1>{t('telemanagement.title')}</h1>
        <div className="actions">
          <Link className="button button-secondary" to="/dso/telemanagement/collection">
            {t('collection.title')}
          </Link>
          <Link className="button" to="/dso/operations/new">
            {t('operation.new')}
          </Link>
        </div>
      </div>
      <ErrorNotice error={status.error} />
      {status.loading && <Loading />}
      {s && (
        <>
          <ul className="stats stats-row" aria-label={t('telemanagement.totals')}>
            <li>
              <span className="stat-value">{n(s.concentrators)}</span>
              <span className="stat-label">{t('telemanagement.concentrators')}</span>
            </li>
            <li>
              <span className="stat-value">{n(s.meters)}</span>
              <span className="stat-label">{t('telemanagement.meters')}</span>
            </li>
            <li>
              <span className="stat-value">{n(s.queuedCommands)}</span>
              <span className="stat-label">{t('telemanagement.queuedCommands')}</span>
            </li>
            <li>
              <span className="stat-value">{n(s.commands.done)}</span>
              <span className="stat-label">{t('telemanagement.done')}</span>
            </li>
            <li>
              <span className="stat-value">{n(s.commands.failed)}</span>
              <span className="stat-label">{t('telemanagement.failed')}</span>
            </li>
          </ul>
          <div className="grid grid-2-1">
            <section className="card" aria-labelledby="queues-title">
              <h2 id="queues-title">{t('telemanagement.queues')}</h2>
              {s.busiest.length === 0 ? (
                <p className="empty">{t('telemanagement.noQueues')}</p>
              ) : (
                <div className="table-wrap">
                  <table>
                    <caption className="visually-hidden">{t('telemanagement.queues')}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{t('telemanagement.concentrator')}</th>
                        <th scope="col" className="num">
                          {t('telemanagement.metersShort')}
                        </th>
                        <th scope="col" className="num">
                          {t('telemanagement.queueDepth')}
                        </th>
                        <th scope="col">
                          <span className="visually-hidden">{t('telemanagement.queueBar')}</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {s.busiest.map((c) => (
                        <tr key={c.concentratorId}>
                          <td className="mono">{c.concentratorId}</td>
                          <td className="num">{n(c.meters)}</td>
                          <td className="num">{n(c.queueDepth)}</td>
                          <td className="bar-cell">
                            <div className="bar" aria-hidden="true">
                              <span style={{ width: `${(c.queueDepth / maxQueue) * 100}%` }} />
                            </div>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
            <section className="card" aria-labelledby="commands-title">
              <h2 id="commands-title">{t('telemanagement.commands')}</h2>
              <dl className="details details-compact">
                <dt>{t('telemanagement.sent')}</dt>
                <dd className="num">{n(s.commands.sent)}</dd>
                <dt>{t('telemanagement.attempts')}</dt>
                <dd className="num">{n(s.commands.attempts)}</dd>
                <dt>{t('telemanagement.retried')}</dt>
                <dd className="num">{n(s.commands.retried)}</dd>
                <dt>{t('telemanagement.done')}</dt>
                <dd className="num">{n(s.commands.done)}</dd>
                <dt>{t('telemanagement.failed')}</dt>
                <dd className="num">{n(s.commands.failed)}</dd>
              </dl>
              {Object.values(s.commands.failedByReason).some((count) => count > 0) && (
                <>
                  <h3>{t('telemanagement.failedByReason')}</h3>
                  <dl className="details details-compact">
                    {Object.entries(s.commands.failedByReason)
                      .filter(([, count]) => count > 0)
                      .map(([reason, count]) => (
                        <div key={reason} className="details-pair">
                          <dt>{label('operationReason', reason)}</dt>
                          <dd className="num">{n(count)}</dd>
                        </div>
                      ))}
                  </dl>
                </>
              )}
              <p className="hint">{t('telemanagement.sinceStart')}</p>
            </section>
          </div>
        </>
      )}
      <section aria-labelledby="failed-title">
        <h2 id="failed-title">{t('telemanagement.failedOperations')}</h2>
        <div aria-live="polite" className="result-region">
          {retried && (
            <div className="notice notice-success" role="status">
              {t('telemanagement.retryDone', {
                kind: label('operationKind', retried.operation.kind),
                pod: retried.operation.pod,
                status: label('operationStatus', retried.retry.status),
              })}{' '}
              <Link to={`/dso/operations/new?follow=${retried.retry.id}`}>{t('telemanagement.follow')}</Link>
            </div>
          )}
          <ErrorNotice error={retryError} />
        </div>
        <ErrorNotice error={failed.error} />
        {failed.loading && <Loading />}
        {failed.data && failed.data.items.length === 0 && <EmptyState>{t('telemanagement.noFailed')}</EmptyState>}
        {failed.data && failed.data.items.length > 0 && (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t('telemanagement.failedOperations')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('operation.submittedAt')}</th>
                  <th scope="col">{t('common.pod')}</th>
                  <th scope="col">{t('operation.kind')}</th>
                  <th scope="col">{t('operation.reason')}</th>
                  <th scope="col" className="num">
                    {t('operation.attempts')}
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {failed.data.items.map((o) => (
                  <tr key={o.id}>
                    <td className="date">{formatDateTime(o.createdAt, language)}</td>
                    <td className="mono">{o.pod}</td>
                    <td>{label('operationKind', o.kind)}</td>
                    <td>{label('operationReason', o.reason)}</td>
                    <td className="num">{o.attempts === null ? '—' : n(o.attempts)}</td>
                    <td className="cell-actions">
                      <button
                        type="button"
                        className="button-small"
                        disabled={busy !== null}
                        onClick={() => void retry(o)}
                        aria-label={t('telemanagement.retryNamed', {
                          kind: label('operationKind', o.kind),
                          pod: o.pod,
                        })}
                      >
                        {busy === o.id ? t('common.sending') : t('telemanagement.retry')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager
          pageNumber={pages.pageNumber}
          hasPrevious={pages.hasPrevious}
          nextCursor={failed.data?.nextCursor}
          onPrevious={pages.previous}
          onNext={pages.next}
        />
      </section>
    </>
  );
}
