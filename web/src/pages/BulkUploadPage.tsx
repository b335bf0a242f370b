import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api, apiUrl, isApiError } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Loading } from '../components/Loading.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { formatDateTime, formatNumber, formatPercent } from '../format.ts';
import { useLoad, usePolling } from '../hooks.ts';
import { useLabels } from '../i18n.ts';
import type { BulkReportRow, BulkUploadDetail } from '../types.ts';
import { NotFoundPage } from './NotFoundPage.tsx';

const ROWS_PER_PAGE = 50;
/** Big files are heavy to fetch every second: follow them less often. */
const pollInterval = (rows: number) => (rows > 2000 ? 3000 : 1000);

/** One upload: progress followed live until every row is settled, the per-row report, the report CSV. */
export function BulkUploadPage() {
  const { t, language } = useLabels();
  const { bulkUploadId = '' } = useParams();
  const upload = useLoad(
    (signal) => api.get<BulkUploadDetail>(`/bulk-uploads/${encodeURIComponent(bulkUploadId)}`, undefined, { signal }),
    bulkUploadId,
  );
  const [onlyProblems, setOnlyProblems] = useState(false);
  const [page, setPage] = useState(0);
  const processing = upload.data?.status === 'processing';
  usePolling(() => upload.reload(true), pollInterval(upload.data?.counts.total ?? 0), processing);

  if (isApiError(upload.error) && upload.error.status === 404) return <NotFoundPage what={t('bulk.notFound')} />;
  if (upload.loading) return <Loading />;
  if (!upload.data) return <ErrorNotice error={upload.error} />;
  const u = upload.data;
  const c = u.counts;
  const waiting = c.queued + c.takenInCharge;
  const settled = c.total - waiting;
  const ratio = c.total > 0 ? settled / c.total : 1;
  const deferred = u.rows.filter((r) => r.reason === 'quota_deferred').length;
  const rows = onlyProblems
    ? u.rows.filter((r) => !['completed', 'queued', 'submitted', 'taken_in_charge'].includes(r.status))
    : u.rows;
  const pageCount = Math.max(1, Math.ceil(rows.length / ROWS_PER_PAGE));
  const current = Math.min(page, pageCount - 1);
  const shown = rows.slice(current * ROWS_PER_PAGE, (current + 1) * ROWS_PER_PAGE);
  const n = (value: number) => formatNumber(value, language);

  return (
    <>
      <p className="breadcrumb">
        <Link to="/bulk-uploads">{t('bulk.back')}</Link>
      </p>
      <div className="page-head with-action">
        <h1>{t('bulk.detailTitle', { name: u.fileName ?? t('bulk.unnamed') })}</h1>
        <a className="button button-secondary" href={apiUrl(`/bulk-uploads/${u.id}/report.csv`)} download>
          {t('bulk.downloadReport')}
        </a>
      </div>
      <p className="hint">{t('bulk.uploadedOn', { when: formatDateTime(u.createdAt, language) })}</p>
      <section className="card" aria-labelledby="progress-title">
        <h2 id="progress-title">{t('bulk.progress')}</h2>
        <div
          className="progress"
          role="progressbar"
          aria-labelledby="progress-title"
          aria-valuemin={0}
          aria-valuemax={c.total}
          aria-valuenow={settled}
          aria-valuetext={t('bulk.progressText', { done: n(settled), total: n(c.total) })}
        >
          <span style={{ width: `${ratio * 100}%` }} />
        </div>
        <p aria-live="polite" className="progress-text" data-testid="progress-text">
          {processing
            ? t('bulk.processing', { done: n(settled), total: n(c.total), percent: formatPercent(ratio, language) })
            : t('bulk.finished', { total: n(c.total) })}
        </p>
        {deferred > 0 && (
          <div className="notice notice-info">{t('bulk.deferred', { count: deferred, formatted: n(deferred) })}</div>
        )}
        <ul className="stats stats-small">
          <li>
            <span className="stat-value">{n(c.completed)}</span>
            <span className="stat-label">{t('bulk.counts.completed')}</span>
          </li>
          <li>
            <span className="stat-value">{n(waiting)}</span>
            <span className="stat-label">{t('bulk.inProgress')}</span>
          </li>
          <li>
            <span className="stat-value">{n(c.invalid)}</span>
            <span className="stat-label">{t('bulk.counts.invalid')}</span>
          </li>
          <li>
            <span className="stat-value">{n(c.notEligible)}</span>
            <span className="stat-label">{t('bulk.counts.notEligible')}</span>
          </li>
          <li>
            <span className="stat-value">{n(c.rejected)}</span>
            <span className="stat-label">{t('bulk.counts.rejected')}</span>
          </li>
          <li>
            <span className="stat-value">{n(c.failed)}</span>
            <span className="stat-label">{t('bulk.counts.failed')}</span>
          </li>
        </ul>
      </section>
      <section aria-labelledby="report-title">
        <div className="section-head">
          <h2 id="report-title">{t('bulk.report')}</h2>
          <div className="checkbox">
            <input
              id="only-problems"
              type="checkbox"
              checked={onlyProblems}
              onChange={(e) => {
                setOnlyProblems(e.target.checked);
                setPage(0);
              }}
            />
            <label htmlFor="only-problems">{t('bulk.onlyProblems')}</label>
          </div>
        </div>
        {rows.length === 0 ? (
          <p className="empty">{t('bulk.noProblems')}</p>
        ) : (
          <div className="table-wrap">
            <table className="report-table">
              <caption className="visually-hidden">{t('bulk.report')}</caption>
              <thead>
                <tr>
                  <th scope="col" className="num">
                    {t('bulk.line')}
                  </th>
                  <th scope="col">{t('common.pod')}</th>
                  <th scope="col">{t('bulk.eligibility')}</th>
                  <th scope="col">{t('bulk.outcome')}</th>
                  <th scope="col">{t('bulk.detail')}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((row) => (
                  <ReportRow key={row.line} row={row} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {pageCount > 1 && (
          <nav className="pager" aria-label={t('common.pagination')}>
            <button
              type="button"
              className="button-secondary"
              disabled={current === 0}
              onClick={() => setPage(current - 1)}
            >
              {t('common.previous')}
            </button>
            <span>{t('common.pageOf', { page: current + 1, pages: pageCount })}</span>
            <button
              type="button"
              className="button-secondary"
              disabled={current >= pageCount - 1}
              onClick={() => setPage(current + 1)}
            >
              {t('common.next')}
            </button>
          </nav>
        )}
      </section>
    </>
  );
}

function ReportRow({ row }: { row: BulkReportRow }) {
  const { t, label } = useLabels();
  const eligibility =
    row.eligibility === null
      ? '—'
      : row.eligibility.eligible
        ? t('common.yes')
        : `${t('common.no')}: ${row.eligibility.reasons.map((r) => label('eligibilityReason', r)).join(' ')}`;
  return (
    <tr>
      <td className="num">{row.line}</td>
      <td className="mono">{row.pod || '—'}</td>
      <td>{eligibility}</td>
      <td>
        <StatusBadge group="bulkRowStatus" code={row.status} />
      </td>
      <td>
        {row.issues.length > 0 ? (
          <ul className="issues">
            {row.issues.map((issue, i) => (
              <li key={i}>
                {/^[A-Z_]+$/.test(issue.field) && (
                  <>
                    <span className="mono">{issue.field}</span>:{' '}
                  </>
                )}
                {label('fieldIssue', issue.code)}
              </li>
            ))}
          </ul>
        ) : row.reason && row.status !== 'not_eligible' ? (
          label('requestReason', row.reason)
        ) : (
          '—'
        )}
      </td>
    </tr>
  );
}
