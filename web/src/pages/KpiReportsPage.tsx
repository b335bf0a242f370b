import { useState, type DragEvent, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api, isApiError } from '../api.ts';
import { errorText } from '../components/ErrorNotice.tsx';
import { formatNumber } from '../format.ts';
import { useLabels } from '../i18n.ts';
import { useUser } from '../session.tsx';
import type { FieldIssue, KpiSubmission } from '../types.ts';

/** The platform's default limit (KPI_MAX_BYTES): say so before sending a larger file for nothing. */
const MAX_BYTES = 64 * 1024 * 1024;
const HEADER = 'POD;GIORNO;RICEVUTI';
/** The refused rows listed on the page; the rest are counted. */
const SHOWN_REFUSALS = 200;

interface Outcome {
  result: KpiSubmission;
  /** Added to the API's line numbers to point at the pasted text (−1 when the portal added the header). */
  lineOffset: number;
}

/**
 * Reports of frames received by the DUs, per supply point and day, from a CSV file (dropped or picked) or rows pasted
 * in; the answer says how many rows were accepted and why each other row was refused, in words.
 */
export function KpiReportsPage() {
  const labels = useLabels();
  const { t, language } = labels;
  const user = useUser();
  const [file, setFile] = useState<File | null>(null);
  const [dragging, setDragging] = useState(false);
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const [pasted, setPasted] = useState('');
  const [pasteProblem, setPasteProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState<'file' | 'rows' | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [error, setError] = useState<unknown>(null);
  const n = (value: number) => formatNumber(value, language);

  const choose = (chosen: File | undefined) => {
    setError(null);
    if (!chosen) return;
    if (!/\.(csv|txt)$/i.test(chosen.name) && !/csv|text\/plain/.test(chosen.type)) {
      setFileProblem(t('kpiUpload.notCsv'));
      setFile(null);
    } else if (chosen.size > MAX_BYTES) {
      setFileProblem(t('kpiUpload.tooLarge'));
      setFile(null);
    } else {
      setFileProblem(null);
      setFile(chosen);
    }
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    choose(event.dataTransfer.files[0]);
  };

  const send = async (source: 'file' | 'rows', blob: Blob, name: string, lineOffset: number) => {
    setBusy(source);
    setError(null);
    setOutcome(null);
    try {
      const form = new FormData();
      form.append('file', blob, name);
      setOutcome({ result: await api.postForm<KpiSubmission>('/kpi/reports', form), lineOffset });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };
  const sendFile = (event: FormEvent) => {
    event.preventDefault();
    if (file) void send('file', file, file.name, 0);
  };
  const sendRows = (event: FormEvent) => {
    event.preventDefault();
    const text = pasted.trim();
    if (!text) {
      setPasteProblem(t('kpiUpload.emptyPaste'));
      document.getElementById('kpi-rows')?.focus();
      return;
    }
    setPasteProblem(undefined);
    // Without a header line the portal adds it: the API's line n is then the pasted line n − 1.
    const hasHeader = /^\s*POD\s*[;,]\s*GIORNO/i.test(text);
    const csv = hasHeader ? text : `${HEADER}\n${text}`;
    void send('rows', new Blob([`${csv}\n`], { type: 'text/csv' }), 'righe-incollate.csv', hasHeader ? 0 : -1);
  };

  const problemText = (error: unknown) =>
    isApiError(error) && error.code === 'invalid_file' ? t('kpiUpload.invalidFile') : errorText(labels, error);
  const issueText = (issue: FieldIssue) => {
    const reason =
      issue.code === 'not_your_supply_point'
        ? t(user.role === 'retailer' ? 'kpiUpload.notServed' : 'kpiUpload.notAssociated')
        : labels.label('kpiIssue', issue.code);
    const type = /^receivedByType\.(.+)$/.exec(issue.field)?.[1];
    return type ? t('kpiUpload.byTypeIssue', { type, reason }) : reason;
  };

  const refused = outcome?.result.refused ?? [];
  return (
    <>
      <div className="page-head">
        <h1>{t('kpiUpload.title')}</h1>
        <p className="lead">{t('kpiUpload.intro')}</p>
      </div>
      <div className="grid grid-2">
        <form className="card stack" onSubmit={sendFile} aria-labelledby="kpi-file-title">
          <h2 id="kpi-file-title">{t('kpiUpload.fileTitle')}</h2>
          <div
            className={`dropzone${dragging ? ' dropzone-active' : ''}`}
            data-testid="kpi-dropzone"
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
          >
            <p>{t('bulk.dropHere')}</p>
            <label htmlFor="kpi-file" className="button button-secondary">
              {t('bulk.choose')}
            </label>
            <input
              id="kpi-file"
              className="file-input"
              type="file"
              accept=".csv,text/csv,.txt"
              aria-describedby="kpi-format"
              onChange={(e) => choose(e.target.files?.[0])}
            />
            <p className="file-name" aria-live="polite">
              {file ? t('bulk.chosen', { name: file.name, size: n(Math.ceil(file.size / 1024)) }) : t('bulk.noFile')}
            </p>
          </div>
          {fileProblem && (
            <div className="notice notice-error" role="alert">
              {fileProblem}
            </div>
          )}
          <button type="submit" disabled={!file || busy !== null}>
            {busy === 'file' ? t('common.sending') : t('kpiUpload.sendFile')}
          </button>
        </form>
        <form className="card stack" onSubmit={sendRows} aria-labelledby="kpi-rows-title" noValidate>
          <h2 id="kpi-rows-title">{t('kpiUpload.pasteTitle')}</h2>
          <div className={`field${pasteProblem ? ' field-invalid' : ''}`}>
            <label htmlFor="kpi-rows">{t('kpiUpload.pasteLabel')}</label>
            <textarea
              id="kpi-rows"
              className="mono"
              rows={6}
              value={pasted}
              spellCheck={false}
              placeholder={`IT001E12345678;${t('kpiUpload.exampleDay')};96`}
              aria-describedby={`kpi-rows-hint${pasteProblem ? ' kpi-rows-error' : ''}`}
              aria-invalid={pasteProblem ? true : undefined}
              onChange={(e) => {
                setPasted(e.target.value);
                setPasteProblem(undefined);
              }}
            />
            <p className="hint" id="kpi-rows-hint">
              {t('kpiUpload.pasteHint')}
            </p>
            {pasteProblem && (
              <p className="field-error" id="kpi-rows-error">
                {pasteProblem}
              </p>
            )}
          </div>
          <button type="submit" disabled={busy !== null}>
            {busy === 'rows' ? t('common.sending') : t('kpiUpload.sendRows')}
          </button>
        </form>
      </div>

      <section className="card" aria-labelledby="kpi-format-title">
        <h2 id="kpi-format-title">{t('kpiUpload.formatTitle')}</h2>
        <p id="kpi-format">
          {t('kpiUpload.format')} <code>{HEADER}</code>
          {t('kpiUpload.formatTypes')}
        </p>
        <p className="hint">{t('kpiUpload.formatDay')}</p>
        <pre className="example">
          <code>{`${HEADER};CF1;CF5\nIT001E12345678;${t('kpiUpload.exampleDay')};97;96;1`}</code>
        </pre>
        <p className="hint">{t('kpiUpload.supersede')}</p>
      </section>

      <section className="kpi-outcome" aria-label={t('kpiUpload.outcome')}>
        <div aria-live="polite" role="status">
          {outcome && (
            <div className={`notice ${refused.length ? 'notice-warning' : 'notice-success'}`} data-testid="kpi-outcome">
              <h2 id="kpi-outcome-title">{t('kpiUpload.outcome')}</h2>
              <p>
                <strong>
                  {t('kpiUpload.accepted', { count: outcome.result.accepted, formatted: n(outcome.result.accepted) })}
                </strong>
                {refused.length > 0
                  ? ` · ${t('kpiUpload.refused', { count: refused.length, formatted: n(refused.length) })}`
                  : ` · ${t('kpiUpload.noneRefused')}`}
              </p>
              {outcome.result.accepted > 0 && (
                <p>
                  {t('kpiUpload.whenCounted')} <Link to="/monitoring">{t('kpiUpload.toMonitoring')}</Link>
                </p>
              )}
            </div>
          )}
        </div>
        <div aria-live="assertive">
          {error ? (
            <div className="notice notice-error" role="alert">
              {problemText(error)}
            </div>
          ) : null}
        </div>
        {refused.length > 0 && (
          <>
            <h3>{t('kpiUpload.refusedTitle')}</h3>
            <div className="table-wrap">
              <table data-testid="kpi-refused">
                <caption className="visually-hidden">{t('kpiUpload.refusedTitle')}</caption>
                <thead>
                  <tr>
                    <th scope="col" className="num">
                      {t('bulk.line')}
                    </th>
                    <th scope="col">{t('common.pod')}</th>
                    <th scope="col">{t('kpiUpload.reasons')}</th>
                  </tr>
                </thead>
                <tbody>
                  {refused.slice(0, SHOWN_REFUSALS).map((r) => (
                    <tr key={`${r.line ?? r.index}`}>
                      <td className="num">
                        {r.line !== undefined
                          ? n(r.line + outcome!.lineOffset)
                          : r.index !== undefined
                            ? n(r.index + 1)
                            : '—'}
                      </td>
                      <td className="mono">{r.pod || '—'}</td>
                      <td>
                        <ul className="issues">
                          {r.issues.map((issue, i) => (
                            <li key={i}>{issueText(issue)}</li>
                          ))}
                        </ul>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {refused.length > SHOWN_REFUSALS && (
              <p className="hint">
                {t('kpiUpload.moreRefused', { shown: n(SHOWN_REFUSALS), total: n(refused.length) })}
              </p>
            )}
          </>
        )}
      </section>
    </>
  );
}
