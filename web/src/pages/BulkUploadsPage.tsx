import { useRef, useState, type DragEvent, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api } from '../api.ts';
import { errorText } from '../components/ErrorNotice.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { EmptyState, Loading } from '../components/Loading.tsx';
import { Pager } from '../components/Pager.tsx';
import { QuotaStatus } from '../components/QuotaStatus.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { formatDateTime, formatNumber } from '../format.ts';
import { useCursorPages, useLoad } from '../hooks.ts';
import { useLabels } from '../i18n.ts';
import type { BulkUploadList, BulkUploadSummary, Quota } from '../types.ts';

/** The platform refuses larger files (BULK_MAX_BYTES): say so before sending 10 MB for nothing. */
const MAX_BYTES = 10 * 1024 * 1024;
const COLUMNS = 'POD;NOME_DU;MAC_ADDRESS;CHIAVE;VERSIONE_HW;VERSIONE_SW';

/** Upload a CSV (drop it or pick it), with the quota in view, and the uploads made so far. */
export function BulkUploadsPage() {
  const labels = useLabels();
  const { t, language } = labels;
  const navigate = useNavigate();
  const quota = useLoad((signal) => api.get<Quota>('/bulk-uploads/quota', undefined, { signal }), 'quota');
  const pages = useCursorPages('');
  const uploads = useLoad(
    (signal) => api.get<BulkUploadList>('/bulk-uploads', { cursor: pages.cursor, limit: 10 }, { signal }),
    `${pages.cursor}`,
  );
  const [file, setFile] = useState<File | null>(null);
  const [dragging, setDragging] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const choose = (chosen: File | undefined) => {
    setError(null);
    if (!chosen) return;
    if (!/\.(csv|txt)$/i.test(chosen.name) && !/csv|text\/plain/.test(chosen.type)) {
      setProblem(t('bulk.notCsv'));
      setFile(null);
    } else if (chosen.size > MAX_BYTES) {
      setProblem(t('bulk.tooLarge'));
      setFile(null);
    } else {
      setProblem(null);
      setFile(chosen);
    }
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    choose(event.dataTransfer.files[0]);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const form = new FormData();
      form.append('file', file, file.name);
      const created = await api.postForm<BulkUploadSummary>('/bulk-uploads', form);
      navigate(`/bulk-uploads/${created.id}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <div className="page-head">
        <h1>{t('bulk.title')}</h1>
        <p className="lead">{t('bulk.intro')}</p>
      </div>
      <div className="grid grid-2-1">
        <form className="card stack" onSubmit={submit} aria-labelledby="upload-title">
          <h2 id="upload-title">{t('bulk.new')}</h2>
          <div
            className={`dropzone${dragging ? ' dropzone-active' : ''}`}
            data-testid="dropzone"
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
          >
            <p>{t('bulk.dropHere')}</p>
            <label htmlFor="csv-file" className="button button-secondary">
              {t('bulk.choose')}
            </label>
            <input
              ref={input}
              id="csv-file"
              className="file-input"
              type="file"
              accept=".csv,text/csv"
              aria-describedby="csv-format"
              onChange={(e) => choose(e.target.files?.[0])}
            />
            <p className="file-name" aria-live="polite">
              {file
                ? t('bulk.chosen', { name: file.name, size: formatNumber(Math.ceil(file.size / 1024), language) })
                : t('bulk.noFile')}
            </p>
          </div>
          <p className="hint" id="csv-format">
            {t('bulk.format')} <code>{COLUMNS}</code>
          </p>
          <div aria-live="assertive">
            {problem && (
              <div className="notice notice-error" role="alert">
                {problem}
              </div>
            )}
            {error ? (
              <div className="notice notice-error" role="alert">
                {errorText(labels, error)}
              </div>
            ) : null}
          </div>
          <button type="submit" disabled={!file || busy}>
            {busy ? t('bulk.uploading') : t('bulk.upload')}
          </button>
        </form>
        <section className="card" aria-labelledby="quota-title">
          <h2 id="quota-title">{t('quota.title')}</h2>
          <ErrorNotice error={quota.error} />
          {quota.data && <QuotaStatus quota={quota.data} />}
          <p className="hint">{t('quota.explain')}</p>
        </section>
      </div>
      <section aria-labelledby="uploads-title">
        <h2 id="uploads-title">{t('bulk.previous')}</h2>
        <ErrorNotice error={uploads.error} />
        {uploads.loading && <Loading />}
        {uploads.data && uploads.data.items.length === 0 && <EmptyState>{t('bulk.none')}</EmptyState>}
        {uploads.data && uploads.data.items.length > 0 && (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t('bulk.previous')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('bulk.uploadedAt')}</th>
                  <th scope="col">{t('bulk.fileName')}</th>
                  <th scope="col" className="num">
                    {t('bulk.rows')}
                  </th>
                  <th scope="col" className="num">
                    {t('bulk.completed')}
                  </th>
                  <th scope="col" className="num">
                    {t('bulk.refused')}
                  </th>
                  <th scope="col">{t('common.status')}</th>
                </tr>
              </thead>
              <tbody>
                {uploads.data.items.map((u) => (
                  <tr key={u.id}>
                    <td className="date">
                      <Link to={`/bulk-uploads/${u.id}`}>{formatDateTime(u.createdAt, language)}</Link>
                    </td>
                    <td>{u.fileName ?? t('bulk.unnamed')}</td>
                    <td className="num">{formatNumber(u.rows, language)}</td>
                    <td className="num">{formatNumber(u.counts.completed, language)}</td>
                    <td className="num">
                      {formatNumber(
                        u.counts.invalid + u.counts.notEligible + u.counts.rejected + u.counts.failed,
                        language,
                      )}
                    </td>
                    <td>
                      <StatusBadge group="bulkRowStatus" code={u.status} />
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
          nextCursor={uploads.data?.nextCursor}
          onPrevious={pages.previous}
          onNext={pages.next}
        />
      </section>
    </>
  );
}
